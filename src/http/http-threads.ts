import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { SessionWriterThread } from '../store/session-writer-thread.ts';
import { shareWriteGates } from '../store/write-gate.ts';
import { startWorkerThread } from '../worker-thread.ts';
import type { HttpThreadData, ToHttpThread } from './http-thread.ts';
import type { MetricsJson } from './metrics.ts';

type FromHttpThread =
  | { type: 'started' | 'stopped' | 'written' }
  | { type: 'collected'; id: number; json: MetricsJson }
  | { type: 'scrape'; id: number };

export interface HttpThreadsOptions {
  config: Config;
  /** The main thread's listening descriptor. */
  fd: number;
  writerThread?: SessionWriterThread;
  operatorToken: string;
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

  private constructor(private readonly threads: Worker[]) {}

  static async start(count: number, opts: HttpThreadsOptions): Promise<HttpThreads> {
    const threads: Worker[] = [];
    const running = new HttpThreads(threads);
    await Promise.all(Array.from({ length: count }, async (_, i) => {
      const writerPort = opts.writerThread?.connect();
      const data: HttpThreadData = {
        config: opts.config, writeGates: shareWriteGates(), fd: opts.fd, writerPort,
        operatorToken: opts.operatorToken, share: opts.share, index: i + 1,
      };
      const thread = startWorkerThread(new URL('./http-thread.ts', import.meta.url), data, writerPort ? [writerPort] : []);
      threads.push(thread);
      thread.on('error', (err) => {
        opts.log.fatal({ err }, 'HTTP thread failed; exiting');
        process.exit(1);
      });
      await new Promise<void>((resolve) => {
        thread.on('message', (msg: FromHttpThread) => {
          if (msg.type === 'started') resolve();
          else if (msg.type === 'written') opts.onWritten();
          else if (msg.type === 'collected') running.collected(msg.id, msg.json);
          else if (msg.type === 'scrape') void opts.scrape().then((text) => thread.postMessage({ type: 'scraped', id: msg.id, text } satisfies ToHttpThread));
        });
      });
    }));
    return running;
  }

  setShare(share: number): void {
    for (const t of this.threads) t.postMessage({ type: 'share', share } satisfies ToHttpThread);
  }

  /** Every thread's counters, for the main thread's scrape. */
  collect(): Promise<MetricsJson[]> {
    return Promise.all(this.threads.map((t) => new Promise<MetricsJson>((resolve) => {
      const id = this.nextId++;
      this.collecting.set(id, resolve);
      t.postMessage({ type: 'collect', id } satisfies ToHttpThread);
    })));
  }

  private collected(id: number, json: MetricsJson): void {
    this.collecting.get(id)?.(json);
    this.collecting.delete(id);
  }

  /** Each thread stops accepting, finishes its requests in flight and drains its writes. */
  async stop(): Promise<void> {
    await Promise.all(this.threads.map(async (t) => {
      const stopped = new Promise<void>((resolve) => {
        t.on('message', (msg: FromHttpThread) => msg.type === 'stopped' && resolve());
        t.once('exit', () => resolve());
      });
      t.postMessage({ type: 'stop' } satisfies ToHttpThread);
      await stopped;
      await t.terminate();
    }));
  }
}
