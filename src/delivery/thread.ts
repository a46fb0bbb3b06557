/**
 * Entry point of the delivery worker thread: its own SQLite connection, carrier and worker loop, so
 * delivery uses the second core and never competes with the API's event loop.
 * Messages from the parent: 'wake' (new work was written), 'stop'. To the parent: outcome counts, 'push'
 * (callback items were queued: the parent wakes the pusher's thread), 'started', 'stopped'.
 */
import { openDatabase, openRelaxedDatabase } from '../store/db.ts';
import { joinServiceThread } from '../worker-thread.ts';
import { DeliveryRuntime, type OutcomeCounts } from './runtime.ts';

// Shares the API connection's SQLite write gate (store/write-gate.ts).
const { config, port, log } = joinServiceThread('delivery');
const db = await openDatabase(config);
// The sandbox's writes need not wait for the disk (see DeliveryRuntime).
const sandboxDb = openRelaxedDatabase(config);

let pending: OutcomeCounts = {};
let scheduled = false;
let pushAnnounced = false;
const runtime = new DeliveryRuntime(
  db,
  config,
  log,
  (counts) => {
    for (const [k, n] of Object.entries(counts)) pending[k] = (pending[k] ?? 0) + n;
    if (!scheduled) {
      scheduled = true;
      setTimeout(flushCounts, 50);
    }
  },
  () => {
    // One message for everything stored in this turn of the loop.
    if (pushAnnounced) return;
    pushAnnounced = true;
    setImmediate(() => {
      pushAnnounced = false;
      port.postMessage({ type: 'push' });
    });
  },
  sandboxDb,
);

function flushCounts() {
  scheduled = false;
  if (Object.keys(pending).length) port.postMessage({ type: 'counts', counts: pending });
  pending = {};
}

port.on('message', async (msg: { type: string }) => {
  if (msg.type === 'wake') runtime.notify();
  if (msg.type === 'stop') {
    await runtime.stop();
    flushCounts();
    await db.destroy();
    await sandboxDb.destroy();
    port.postMessage({ type: 'stopped' });
    port.close();
  }
});

await runtime.start();
port.postMessage({ type: 'started' });
