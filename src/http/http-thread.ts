/**
 * An extra HTTP thread (http/http-threads.ts starts it): the same app as the main thread's, on a
 * descriptor of its own for the same listening socket, with its own database connection and caches.
 * What must be one per process stays in one place: writes go through the writer thread's port (SQLite),
 * the process-wide metrics are the main thread's, which adds this thread's counters at a scrape. Each
 * thread remembers the nonces it saw; a nonce replayed on another thread is still caught, by the
 * idempotency record its first use committed (http/idempotency.ts), as between API nodes.
 */
import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'node:worker_threads';
import { Lookups } from '../actions/lookups.ts';
import { sendGuards } from '../actions/send-guards.ts';
import { SecretBox } from '../auth/secrets.ts';
import { openDatabase } from '../store/db.ts';
import { isPostgres } from '../store/dialect.ts';
import { SessionWriter } from '../store/sessions.ts';
import { WriterClient } from '../store/session-writer-thread.ts';
import { joinServiceThread, type ServiceThreadData } from '../worker-thread.ts';
import { buildApp } from './app.ts';
import { adoptListeningSocket } from './listening-socket.ts';
import { Metrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

/** What the main thread gives an HTTP thread in workerData. */
export interface HttpThreadData extends ServiceThreadData {
  /** The main thread's listening descriptor. */
  fd: number;
  /** SQLite: a port to the session writer thread. */
  writerPort?: MessagePort;
  operatorToken: string;
  /** 1, 2, ...: the main thread is 0. */
  index: number;
  /** The rate limit share this thread enforces (API nodes x HTTP threads). */
  share: number;
}

/** Main -> thread. */
export type ToHttpThread = { type: 'stop' } | { type: 'share'; share: number } | { type: 'collect'; id: number } | { type: 'scraped'; id: number; text: string };

const STOP_GRACE_MS = 10_000;

const data = workerData as HttpThreadData;
const { config, port, log } = joinServiceThread(`http-${data.index}`);
const db = await openDatabase({ ...config, migrateOnStart: false });
const writerClient = data.writerPort && !isPostgres(db) ? new WriterClient(data.writerPort) : undefined;
const writer = writerClient ? new SessionWriter(db, (units) => writerClient.write(units)) : new SessionWriter(db);
writer.on('written', () => port.postMessage({ type: 'written' }));
const metrics = new Metrics(undefined, { processWide: false });
const box = SecretBox.open(config.dataDir, config.masterKey);
const services = { config, db, writer, lookups: new Lookups(db, box), box, ...sendGuards(db, log), metrics, log };
const limiter = new RateLimiter(config.rateLimitPerKey);
limiter.setShare(data.share);

let nextScrape = 0;
const scrapes = new Map<number, (text: string) => void>();
const app = buildApp(services, data.operatorToken, {
  api: true,
  limiter,
  // The process's whole scrape is made by the main thread.
  metricsText: () => new Promise((resolve) => {
    const id = nextScrape++;
    scrapes.set(id, resolve);
    port.postMessage({ type: 'scrape', id });
  }),
});

let inFlight = 0;
let closing = false;
app.addHook('onRequest', async () => void inFlight++);
app.addHook('onResponse', async () => void inFlight--);
app.addHook('onSend', async (_req, reply) => {
  if (closing) reply.header('connection', 'close');
});
await app.ready();
const socket = await adoptListeningSocket(data.fd);
const thread = String(data.index);
socket.on('connection', (conn) => {
  metrics.connections.inc({ thread });
  app.server.emit('connection', conn);
});

port.on('message', (msg: ToHttpThread) => {
  if (msg.type === 'share') limiter.setShare(msg.share);
  else if (msg.type === 'collect') void metrics.registry.getMetricsAsJSON().then((json) => port.postMessage({ type: 'collected', id: msg.id, json }));
  else if (msg.type === 'scraped') {
    scrapes.get(msg.id)?.(msg.text);
    scrapes.delete(msg.id);
  } else if (msg.type === 'stop') void stop();
});
port.postMessage({ type: 'started' });

/** Stops accepting, lets requests in flight finish (their connections then close), drains the writer. */
async function stop(): Promise<void> {
  closing = true;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  const until = Date.now() + STOP_GRACE_MS;
  while (inFlight > 0 && Date.now() < until) {
    app.server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 20));
  }
  await writer.drain();
  app.server.closeAllConnections();
  await app.close();
  await db.destroy();
  port.postMessage({ type: 'stopped' });
}
