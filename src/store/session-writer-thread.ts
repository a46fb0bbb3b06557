import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorkerThread } from '../worker-thread.ts';
import type { Config } from '../config.ts';
import type { Refusal, WriteUnit } from './sessions.ts';
import { shareWriteGates } from './write-gate.ts';

/** What the writer thread gets in workerData (store/session-writer-worker.ts). */
export interface WriterThreadData {
  config: Config;
  writeGates: Record<string, SharedArrayBuffer>;
}

type Reply = { id: number; refused: Array<[number, Refusal]> } | { id: number; error: { message: string; code?: string } };

/** What a writer client talks through: the thread itself, or a MessagePort to it (another HTTP thread's). */
interface Endpoint {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (msg: Reply) => void): unknown;
}

/** Hands units to the writer thread over one endpoint and resolves each write with its commit's answer. */
export class WriterClient {
  private nextId = 0;
  private closed = false;
  private readonly waiting = new Map<number, { resolve: (refused: Map<number, Refusal>) => void; reject: (err: unknown) => void }>();

  constructor(private readonly endpoint: Endpoint) {
    endpoint.on('message', (reply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('refused' in reply) w.resolve(new Map(reply.refused));
      else w.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
  }

  /** Writes the units in one transaction in the thread; resolves with the units left out and why. */
  write(units: WriteUnit[]): Promise<Map<number, Refusal>> {
    if (this.closed) return Promise.reject(new Error('session writer thread is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Only the data: the writer's pending units also carry their callers' callbacks.
      this.endpoint.postMessage({ id, units: units.map((u) => ({ sessions: u.sessions, record: u.record })) });
    });
  }

  /** Refuses every write still waiting and every later one. */
  fail(err: unknown): void {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/**
 * The API's SQLite writes (sessions, messages, idempotency records) in a thread of their own.
 * better-sqlite3 is synchronous, so on the HTTP thread every INSERT and every durable COMMIT (an
 * fsync) stopped the event loop: about a fifth of its time under single-send load. Here the HTTP loop
 * only hands over the rows and goes on parsing requests; units that arrive meanwhile are grouped into
 * the next transaction by the SessionWriter, exactly as before. The answer is still sent only after the
 * commit. Other HTTP threads write through ports of their own (`connect`); what arrives from several
 * while a transaction runs goes into the next one together. PostgreSQL needs none of this (its driver
 * is asynchronous).
 */
export class SessionWriterThread {
  private closing = false;
  private readonly client: WriterClient;

  private constructor(private readonly worker: Worker) {
    this.client = new WriterClient(worker);
  }

  /** Starts the thread; `onFailure` runs if it dies (every write still waiting is refused first). */
  static async start(config: Config, onFailure: (err: unknown) => void): Promise<SessionWriterThread> {
    const workerData: WriterThreadData = { config, writeGates: shareWriteGates() };
    const worker = startWorkerThread(new URL('./session-writer-worker.ts', import.meta.url), workerData);
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => resolve());
    });
    const thread = new SessionWriterThread(worker);
    const fail = (err: unknown) => {
      thread.client.fail(err);
      onFailure(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!thread.closing) fail(new Error(`session writer thread exited with code ${code}`));
    });
    return thread;
  }

  write(units: WriteUnit[]): Promise<Map<number, Refusal>> {
    return this.client.write(units);
  }

  /** A port for another thread's WriterClient. */
  connect(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ port: port2 }, [port2]);
    return port1;
  }

  /** Call after every SessionWriter using it drained: nothing is in flight. */
  async close(): Promise<void> {
    this.closing = true;
    this.client.fail(new Error('session writer thread is closed'));
    await this.worker.terminate();
  }
}
