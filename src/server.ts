import pino, { type Logger } from 'pino';
import type { Services } from './actions/context.ts';
import { Lookups } from './actions/lookups.ts';
import { SecretBox } from './auth/secrets.ts';
import type { Config } from './config.ts';
import { Worker } from 'node:worker_threads';
import { buildApp } from './http/app.ts';
import { Metrics } from './http/metrics.ts';
import { operatorToken } from './http/operator.ts';
import { openDatabase } from './store/db.ts';
import { shareWriteGates } from './store/write-gate.ts';
import type { DeliveryThreadData } from './delivery/thread.ts';
import { isPostgres } from './store/dialect.ts';
import { sql } from 'kysely';
import { queueDepth } from './store/messages.ts';
import { SessionWriter } from './store/sessions.ts';
import { SessionWriterThread } from './store/session-writer-thread.ts';
import { ensureDemoAccount } from './demo.ts';
import { Membership } from './cluster/membership.ts';
import { RateLimiter } from './http/rate-limit.ts';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  close(): Promise<void>;
}

/** The composition root: config -> store -> HTTP + delivery. */
export async function startServer(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const box = SecretBox.open(config.dataDir, config.masterKey);
  const db = await openDatabase(config);
  // SQLite: the commit that grows the WAL past its limit copies it back into the database file and syncs
  // it, stalling whichever event loop ran it. With a delivery thread here, its connections do that
  // (and it checkpoints every few seconds, delivery/runtime.ts), not the API's.
  const noAutoCheckpoint = config.runWorkers && !isPostgres(db);
  if (noAutoCheckpoint) await sql`pragma wal_autocheckpoint = 0`.execute(db);
  const metrics = new Metrics(() => queueDepth(db));
  // SQLite: sessions are written by a thread of their own, off the HTTP loop (store/session-writer-thread.ts).
  const writerThread = config.role !== 'worker' && !isPostgres(db)
    ? await SessionWriterThread.start(config, noAutoCheckpoint, (err) => {
      log.fatal({ err }, 'session writer thread failed; exiting');
      process.exit(1);
    })
    : undefined;
  const writer = writerThread ? new SessionWriter(db, (units) => writerThread.write(units)) : new SessionWriter(db);
  const services: Services = { config, db, writer, lookups: new Lookups(db, box), metrics, log };

  const delivery = config.runWorkers ? await startDeliveryThread(config, metrics, log) : undefined;
  if (delivery) writer.on('written', () => delivery.postMessage({ type: 'wake' }));

  if (config.createDemoAccount && config.role !== 'worker') await ensureDemoAccount(db, box, config);
  const limiter = new RateLimiter(config.rateLimitPerKey);
  const membership = new Membership(db, config.role, log, (apiNodes) => limiter.setShare(apiNodes));
  await membership.start();
  const app = buildApp(services, operatorToken(config.dataDir, process.env.USMS_OPERATOR_TOKEN), { api: config.role !== 'worker', limiter });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, role: config.role, database: config.databaseUrl ? 'postgres' : 'sqlite', workers: config.runWorkers }, 'usms listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing in-flight requests and deliveries');
      await app.close();
      await writer.drain();
      await writerThread?.close();
      if (delivery) await stopDeliveryThread(delivery);
      await membership.stop();
      await db.destroy();
      log.info('stopped');
    })());
  return { url, port, services, close };
}

/** Delivery runs in a worker thread with its own database connection (see delivery/thread.ts). */
async function startDeliveryThread(config: Config, metrics: Metrics, log: Logger): Promise<Worker> {
  const workerData: DeliveryThreadData = { config, writeGates: shareWriteGates() };
  const thread = new Worker(new URL('./delivery/thread-entry.mjs', import.meta.url), { workerData });
  thread.on('message', (msg: { type: string; counts?: Record<string, number> }) => {
    if (msg.type === 'counts') for (const [outcome, n] of Object.entries(msg.counts!)) metrics.deliveries.inc({ outcome }, n);
  });
  // Without its delivery thread a node would accept messages it never sends: fail fast and let the
  // supervisor restart the process (the outbox makes that safe).
  thread.on('error', (err) => {
    log.fatal({ err }, 'delivery thread failed; exiting');
    process.exit(1);
  });
  await new Promise<void>((resolve, reject) => {
    thread.once('error', reject);
    thread.on('message', (msg: { type: string }) => msg.type === 'started' && resolve());
  });
  return thread;
}

async function stopDeliveryThread(thread: Worker): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    thread.on('message', (msg: { type: string }) => msg.type === 'stopped' && resolve());
    thread.once('exit', () => resolve());
  });
  thread.postMessage({ type: 'stop' });
  await stopped;
  await thread.terminate();
}
