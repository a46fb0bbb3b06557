import { parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { joinWriteGates } from './store/write-gate.ts';

/** The entry a worker thread starts from when running the sources (thread-entry.mjs): it loads `module` under tsx. */
const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/**
 * Whether this is the compiled build (dist/, `npm run build`): its threads then start their compiled
 * module directly. Loading tsx and compiling the sources again in every thread costs each thread tens
 * of MB and a slower start.
 */
const COMPILED = import.meta.url.endsWith('.js');

/** The module a thread runs: callers name the `.ts` source; the build runs the `.js` beside this file. */
export function threadModule(module: URL, compiled = COMPILED): URL {
  return compiled && module.pathname.endsWith('.ts') ? new URL(module.href.replace(/\.ts$/, '.js')) : module;
}

/**
 * Each thread's young generation at most (V8: three semi-spaces' worth, so 2 MB semi-spaces). V8's
 * default lets each isolate grow 16 MB semi-spaces under load and keep them; with five isolates
 * that was most of the server's growth while it took a large backlog (bench/RESULTS.md, "Memory and
 * recovery"). Only the young generation is capped: the old generation keeps V8's limit, so a thread is
 * never stopped for running out of heap.
 */
const YOUNG_GENERATION_MB = 6;

/** Starts the module `module` (a file URL, `.ts`) in a worker thread; `data` becomes its workerData (`transfer`: ports in it). */
export function startWorkerThread(module: URL, data: object, transfer: Transferable[] = []): Worker {
  const target = threadModule(module);
  return new Worker(COMPILED ? target : ENTRY, {
    workerData: { ...data, module: target.href },
    transferList: transfer as never[],
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
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
