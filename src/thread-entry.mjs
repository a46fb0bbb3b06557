// Every worker thread starts here. Threads start without the parent's tsx loader: register it, then
// load the thread's TypeScript module (workerData.module, a file URL).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
