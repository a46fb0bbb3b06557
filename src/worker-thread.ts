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

/** What a thread posts to its parent: at least 'started' and 'stopped'; the rest is the thread's own. */
export interface ThreadMessage {
  type: string;
  [field: string]: unknown;
}

export interface ServiceThreadOptions<M extends ThreadMessage> {
  /** Every message the thread posts, 'started' and 'stopped' included. */
  onMessage?: (msg: M) => void;
  /** Ports in `data`. */
  transfer?: Transferable[];
}

/**
 * Starts a service thread; `started` resolves on its 'started'. Without one of them a node would accept
 * messages it never sends or pushes it never makes: if one fails, the process exits and its supervisor
 * restarts it (the outboxes make that safe).
 */
export function spawnServiceThread<M extends ThreadMessage>(module: URL, data: object, what: string, log: Logger, opts: ServiceThreadOptions<M> = {}): { thread: Worker; started: Promise<void> } {
  const thread = startWorkerThread(module, data, opts.transfer);
  if (opts.onMessage) thread.on('message', opts.onMessage);
  thread.on('error', (err) => {
    log.fatal({ err }, `${what} thread failed; exiting`);
    process.exit(1);
  });
  const started = new Promise<void>((resolve, reject) => {
    thread.once('error', reject);
    thread.on('message', (msg: ThreadMessage) => msg.type === 'started' && resolve());
  });
  return { thread, started };
}

/** spawnServiceThread, resolving once the thread has started. */
export async function startServiceThread<M extends ThreadMessage>(module: URL, data: object, what: string, log: Logger, opts: ServiceThreadOptions<M> = {}): Promise<Worker> {
  const { thread, started } = spawnServiceThread(module, data, what, log, opts);
  await started;
  return thread;
}

/** Asks a thread to finish its work ('stop'), waits for its 'stopped' (or its exit), then ends it. */
export async function stopServiceThread(thread: Worker): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    thread.on('message', (msg: ThreadMessage) => msg.type === 'stopped' && resolve());
    thread.once('exit', () => resolve());
  });
  thread.postMessage({ type: 'stop' });
  await stopped;
  await thread.terminate();
}
