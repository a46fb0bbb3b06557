/** The SQLite writer thread's side of store/session-writer-thread.ts. */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabase } from './db.ts';
import type { WriterThreadData } from './session-writer-thread.ts';
import { writeUnits, type Refusal, type WriteUnit } from './sessions.ts';
import { joinWriteGates } from './write-gate.ts';

const { config, writeGates } = workerData as WriterThreadData;
joinWriteGates(writeGates);
const db = await openDatabase({ ...config, migrateOnStart: false });
const parent = parentPort!;

interface Job {
  id: number;
  units: WriteUnit[];
  from: MessagePort;
}

/** Jobs that arrived while a transaction ran, from any port: they are written together, in one transaction. */
let queue: Job[] = [];
let busy = false;

function receive(from: MessagePort, msg: { id: number; units: WriteUnit[] }): void {
  queue.push({ id: msg.id, units: msg.units, from });
  if (!busy) void writeQueued();
}

async function writeQueued(): Promise<void> {
  busy = true;
  while (queue.length) {
    const jobs = queue;
    queue = [];
    try {
      const refused = await writeUnits(db, jobs.flatMap((j) => j.units));
      let offset = 0;
      for (const j of jobs) {
        const own: Array<[number, Refusal]> = [];
        for (let i = 0; i < j.units.length; i++) {
          const why = refused.get(offset + i);
          if (why) own.push([i, why]);
        }
        offset += j.units.length;
        j.from.postMessage({ id: j.id, refused: own });
      }
    } catch (err) {
      const e = err as { message?: string; code?: string };
      for (const j of jobs) j.from.postMessage({ id: j.id, error: { message: String(e.message ?? err), code: e.code } });
    }
  }
  busy = false;
}

parent.on('message', (msg: { port?: MessagePort; id: number; units: WriteUnit[] }) => {
  if (msg.port) {
    const port = msg.port;
    port.on('message', (m: { id: number; units: WriteUnit[] }) => receive(port, m));
  } else receive(parent, msg);
});
parent.postMessage({ type: 'ready' });
