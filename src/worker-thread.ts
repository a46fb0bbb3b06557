import { Worker } from 'node:worker_threads';

/** The entry every worker thread starts from (thread-entry.mjs): it loads `module` under tsx. */
const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/** Starts the TypeScript module `module` (a file URL) in a worker thread; `data` becomes its workerData. */
export function startWorkerThread(module: URL, data: object): Worker {
  return new Worker(ENTRY, { workerData: { ...data, module: module.href } });
}
