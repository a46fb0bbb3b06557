/** The SQLite writer thread's side of store/session-writer-thread.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './db.ts';
import type { WriterThreadData } from './session-writer-thread.ts';
import { writeUnits, type WriteUnit } from './sessions.ts';
import { joinWriteGates } from './write-gate.ts';

const { config, writeGates } = workerData as WriterThreadData;
joinWriteGates(writeGates);
const db = await openDatabase({ ...config, migrateOnStart: false });
const port = parentPort!;

port.on('message', async ({ id, units }: { id: number; units: WriteUnit[] }) => {
  try {
    const lost = await writeUnits(db, units);
    port.postMessage({ id, lost: [...lost] });
  } catch (err) {
    const e = err as { message?: string; code?: string };
    port.postMessage({ id, error: { message: String(e.message ?? err), code: e.code } });
  }
});
port.postMessage({ type: 'ready' });
