import { parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { joinWriteGates } from './store/write-gate.ts';

/** The entry every worker thread starts from (thread-entry.mjs): it loads `module` under tsx. */
const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/** Starts the TypeScript module `module` (a file URL) in a worker thread; `data` becomes its workerData (`transfer`: ports in it). */
export function startWorkerThread(module: URL, data: object, transfer: Transferable[] = []): Worker {
  return new Worker(ENTRY, { workerData: { ...data, module: module.href }, transferList: transfer as never[] });
}

/** What the server gives its service threads (delivery/thread.ts, notify/thread.ts, store/checkpoint-thread.ts) in workerData. */
export interface ServiceThreadData {
  config: Config;
  /** The parent's SQLite write gates (store/write-gate.ts). */
  writeGates: Record<string, SharedArrayBuffer>;
}

/**
 * Inside a service thread: joins the parent's SQLite write gates (before any database is opened) and
 * gives the thread its config, its port to the parent and a logger tagged with `name`.
 */
export function joinServiceThread(name: string): { config: Config; port: MessagePort; log: Logger } {
  const { config, writeGates } = workerData as ServiceThreadData;
  joinWriteGates(writeGates);
  return { config, port: parentPort!, log: pino({ level: config.logLevel }).child({ thread: name }) };
}
