import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { SessionWriterThread } from '../store/session-writer-thread.ts';
import { shareWriteGates } from '../store/write-gate.ts';
import { spawnServiceThread, stopServiceThread } from '../worker-thread.ts';
import type { HttpThreadData, ToHttpThread } from './http-thread.ts';
import type { MetricsJson } from './metrics.ts';

type FromHttpThread =
  | { type: 'started' | 'stopped' | 'written' }
  | { type: 'collected'; id: number; json: MetricsJson }
  | { type: 'scrape'; id: number };

/** How long a scrape waits for a thread's counters before it goes on without them. */
const COLLECT_TIMEOUT_MS = 2_000;

export interface HttpThreadsOptions {
  config: Config;
  /** The main thread's listening descriptor. */
  fd: number;
  writerThread?: SessionWriterThread;
  operatorToken: string;
  /** The rate-limit share each thread starts with (API nodes x HTTP threads); setShare changes it. */
  share: number;
  log: Logger;
  /** A thread committed messages (wake the delivery). */
  onWritten: () => void;
  /** The process's whole /metrics text, for a scrape that reached a thread. */
  scrape: () => Promise<string>;
}

/**
 * The main thread's side of the extra HTTP threads (http/http-thread.ts): starts them on its listening
 * socket, collects their counters for a scrape, passes on rate-limit shares, and stops them.
 */
export class HttpThreads {
  private nextId = 0;
  private readonly collecting = new Map<number, (json: MetricsJson) => void>();
  private readonly threads: Worker[] = [];
  /** Resolves once every thread accepts connections. */
  readonly started: Promise<void>;

  private constructor(count: number, private readonly opts: HttpThreadsOptions) {
    const starts: Promise<void>[] = [];
    for (let i = 1; i <= count; i++) {
      const writerPort = opts.writerThread?.connect();
      const data: HttpThreadData = {
        config: opts.config, writeGates: shareWriteGates(), fd: opts.fd, writerPort,
        operatorToken: opts.operatorToken, share: opts.share, index: i,
      };
      const { thread, started } = spawnServiceThread<FromHttpThread>(new URL('./http-thread.ts', import.meta.url), data, `HTTP ${i}`, opts.log, {
        transfer: writerPort ? [writerPort] : [],
        onMessage: (msg) => this.received(thread, msg),
      });
      this.threads.push(thread);
      starts.push(started);
    }
    this.started = Promise.all(starts).then(() => undefined);
  }

  /** Starts `count` threads at once; messages to them (setShare) queue until each has started. */
  static start(count: number, opts: HttpThreadsOptions): HttpThreads {
    return new HttpThreads(count, opts);
  }

  private received(thread: Worker, msg: FromHttpThread): void {
    if (msg.type === 'written') this.opts.onWritten();
    else if (msg.type === 'collected') {
      this.collecting.get(msg.id)?.(msg.json);
      this.collecting.delete(msg.id);
    } else if (msg.type === 'scrape') {
      void this.opts.scrape().then((text) => thread.postMessage({ type: 'scraped', id: msg.id, text } satisfies ToHttpThread));
    }
  }

  setShare(share: number): void {
    for (const t of this.threads) t.postMessage({ type: 'share', share } satisfies ToHttpThread);
  }

  /** Every thread's counters, for the main thread's scrape; a thread that does not answer in time is left out. */
  collect(): Promise<MetricsJson[]> {
    return Promise.all(this.threads.map((t, i) => new Promise<MetricsJson>((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.collecting.delete(id);
        this.opts.log.warn({ thread: i + 1 }, 'HTTP thread did not answer a metrics scrape in time; its counters are left out');
        resolve([]);
      }, COLLECT_TIMEOUT_MS);
      this.collecting.set(id, (json) => {
        clearTimeout(timer);
        resolve(json);
      });
      t.postMessage({ type: 'collect', id } satisfies ToHttpThread);
    })));
  }

  /** Each thread stops accepting, finishes its requests in flight and drains its writes. */
  async stop(): Promise<void> {
    await Promise.all(this.threads.map((t) => stopServiceThread(t)));
  }
}
