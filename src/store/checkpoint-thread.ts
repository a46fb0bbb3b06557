/**
 * WAL checkpoints of the server's SQLite database, in a thread of their own. A checkpoint copies the
 * WAL back into the database file and syncs it: 5-10 ms under load. Run by the commit that grew the WAL
 * past its limit (SQLite's default), it held the process's write gate and stalled that thread's event
 * loop the whole time, so the API's commits and the SMPP traffic waited behind it. Here most of the
 * copying runs beside the writers (store/checkpoint.ts). Every other connection of the server process
 * has `wal_autocheckpoint` off (Config.sqliteAutoCheckpoint). Messages from the parent: 'stop'.
 */
import { checkpointInTwoPasses } from './checkpoint.ts';
import { openDatabase, sqliteWriteGate } from './db.ts';
import { joinServiceThread } from '../worker-thread.ts';

/** A checkpoint this often keeps the WAL to a few MB at the highest write rates measured here. */
const EVERY_MS = 200;
/** The second pass waits this long for the write gate at most, then tries again next time. */
const GATE_TIMEOUT_MS = 5_000;

const { config, port, log } = joinServiceThread('checkpoint');
const db = await openDatabase({ ...config, migrateOnStart: false });
const gate = sqliteWriteGate(config);

let running: Promise<void> | undefined;
function checkpoint(): Promise<void> {
  running ??= checkpointInTwoPasses(db, gate, GATE_TIMEOUT_MS)
    .then(
      () => {},
      (err: unknown) => log.warn({ err }, 'WAL checkpoint failed; retrying'),
    )
    .finally(() => (running = undefined));
  return running;
}

const timer = setInterval(checkpoint, EVERY_MS);

port.on('message', async (msg: { type: string }) => {
  if (msg.type === 'stop') {
    clearInterval(timer);
    await checkpoint();
    await db.destroy();
    port.postMessage({ type: 'stopped' });
    port.close();
  }
});

port.postMessage({ type: 'started' });
