/**
 * The callback pusher's thread: its own database connection and the CallbackPusher, so the pushes
 * (HTTP, signing, the callback outbox's claims and marks) take neither the API's event loop nor the
 * delivery thread's, which bounds how fast a carrier's receipts are stored.
 * Messages from the parent: 'wake' (new items were queued), 'stop'. To the parent: 'started', 'stopped'.
 */
import { openRelaxedDatabase } from '../store/db.ts';
import { joinServiceThread } from '../worker-thread.ts';
import { CallbackPusher } from './pusher.ts';

const { config, port, log } = joinServiceThread('pusher');
// Commits that do not wait for the disk: after a power loss the pushes whose marks were lost are made
// again (store/db.ts). They hold SQLite's write lock, which the delivery thread waits for, for a fraction
// of the time.
const db = openRelaxedDatabase(config, undefined, Math.min(config.dbPoolSize, 4));
const pusher = new CallbackPusher(db, config, log);

port.on('message', async (msg: { type: string }) => {
  if (msg.type === 'wake') pusher.notify();
  if (msg.type === 'stop') {
    await pusher.stop();
    await db.destroy();
    port.postMessage({ type: 'stopped' });
    port.close();
  }
});

pusher.start();
port.postMessage({ type: 'started' });
