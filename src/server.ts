import pino, { type Logger } from 'pino';
import type { Services } from './actions/context.ts';
import { Lookups } from './actions/lookups.ts';
import { sendGuards } from './actions/send-guards.ts';
import { SecretBox } from './auth/secrets.ts';
import type { Config } from './config.ts';
import type { Worker } from 'node:worker_threads';
import { buildApp } from './http/app.ts';
import { Metrics } from './http/metrics.ts';
import { operatorToken } from './http/operator.ts';
import { openDatabase } from './store/db.ts';
import { shareWriteGates } from './store/write-gate.ts';
import { startServiceThread, stopServiceThread, type ServiceThreadData, type ThreadMessage } from './worker-thread.ts';
import { isPostgres } from './store/dialect.ts';
import { queueDepth } from './store/messages.ts';
import { SessionWriter, writeUnits } from './store/sessions.ts';
import { SessionWriterThread } from './store/session-writer-thread.ts';
import { ensureDemoAccount } from './demo.ts';
import { Membership } from './cluster/membership.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { HttpThreads } from './http/http-threads.ts';
import { createServer, type Server, type Socket } from 'node:net';
import { listenSmpp, type SmppListener } from './smpp-server/listener.ts';
import { SMPP_DELIVER_WINDOW, SmppService } from './smpp-server/service.ts';
import { secureDataDir } from './store/data-dir.ts';
import { attachReadiness, Readiness } from './http/health.ts';

export interface RunningServer {
  url: string;
  port: number;
  /** The SMPP server's port, when USMS_SMPP_PORT is set. */
  smppPort?: number;
  services: Services;
  close(): Promise<void>;
}

/** The composition root: config -> store -> HTTP + delivery. */
export async function startServer(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  // The port first: a start that cannot listen fails before anything else starts, and announces nothing.
  const listener = await bindFirst(config);
  // Whatever started before a failure is stopped again, in reverse order, before the error goes on.
  const started: Array<() => Promise<unknown>> = [async () => listener.release()];
  try {
    // The SMPP port too, before anything else (src/smpp-server/listener.ts).
    const smpp = config.smpp && config.role !== 'worker' ? await listenSmpp(config.smpp) : undefined;
    if (smpp) started.push(() => smpp.close());
    return await startOn(config, log, listener, started, smpp);
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw err;
  }
}

async function startOn(
  config: Config, log: Logger, listener: EarlyListener, started: Array<() => Promise<unknown>>, smppListener?: SmppListener,
): Promise<RunningServer> {
  // Where carriers' providers send receipts: the configured public URL, else this node's own address.
  if (!config.publicUrl) config = { ...config, publicUrl: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${listener.port}` };
  for (const t of secureDataDir(config.dataDir)) log.warn({ path: t.path, was: t.was, now: t.now }, 'data dir entry was open to other users: permissions tightened');
  const box = SecretBox.open(config.dataDir, config.masterKey);
  // SQLite: the commit that grows the WAL past its limit would copy it back into the database file and
  // sync it, holding the write gate and stalling its thread. A thread of its own checkpoints instead
  // (store/checkpoint-thread.ts), and every connection of this process leaves it that job.
  if (!config.databaseUrl) config = { ...config, sqliteAutoCheckpoint: false };
  const db = await openDatabase(config);
  started.push(() => db.destroy());
  const sqlite = !isPostgres(db);
  const metrics = new Metrics(() => queueDepth(db));
  // SQLite: sessions are written by a thread of their own, off the HTTP loop (store/session-writer-thread.ts).
  const writerThread = config.role !== 'worker' && sqlite
    ? await SessionWriterThread.start(config, (err) => {
      log.fatal({ err }, 'session writer thread failed; exiting');
      process.exit(1);
    })
    : undefined;
  if (writerThread) started.push(() => writerThread.close());
  const membership = new Membership(db, config.role, log, (n) => {
    apiNodes = n;
    setShares();
  });
  // Readiness (http/health.ts) follows the outcome of every commit of this thread's session writer and,
  // when there were none lately, probes with the node's heartbeat write.
  const readiness = new Readiness(() => membership.heartbeat());
  attachReadiness(db, readiness);
  const writer = new SessionWriter(db, (units) => readiness.track(writerThread ? writerThread.write(units) : writeUnits(db, units)));
  const services: Services = { config, db, writer, lookups: new Lookups(db, box), box, ...sendGuards(db, log), metrics, log };

  // Delivery, the callback pusher and (SQLite) the checkpoints run in threads of their own, each with its
  // own database connection, started side by side. A 'push' before the pusher is known is not lost: the
  // pusher also polls.
  let pusher: Worker | undefined;
  const data: ServiceThreadData = { config, writeGates: shareWriteGates() };
  const [checkpointer, pusherThread, delivery] = await Promise.all([
    sqlite ? startServiceThread(new URL('./store/checkpoint-thread.ts', import.meta.url), data, 'checkpoint', log) : undefined,
    config.runWorkers ? startServiceThread(new URL('./notify/thread.ts', import.meta.url), data, 'callback pusher', log) : undefined,
    config.runWorkers
      ? startServiceThread<DeliveryMessage>(new URL('./delivery/thread.ts', import.meta.url), data, 'delivery', log, {
        onMessage: (msg) => {
          if (msg.type === 'counts') for (const [outcome, n] of Object.entries(msg.counts!)) metrics.deliveries.inc({ outcome }, n);
          if (msg.type === 'push') pusher?.postMessage({ type: 'wake' });
        },
      })
      : undefined,
  ]);
  for (const thread of [checkpointer, pusherThread, delivery]) if (thread) started.push(() => stopServiceThread(thread));
  pusher = pusherThread;
  if (delivery) writer.on('written', () => delivery.postMessage({ type: 'wake' }));

  const api = config.role !== 'worker';
  const threadCount = api ? config.httpThreads : 1;
  const limiter = new RateLimiter(config.rateLimitPerKey);
  let threads: HttpThreads | undefined;
  let apiNodes = 1;
  // With several API nodes and HTTP threads each enforces its share of every key's rate limit.
  const setShares = () => {
    limiter.setShare(apiNodes * threadCount);
    threads?.setShare(apiNodes * threadCount);
  };
  await membership.start();
  started.push(() => membership.stop());
  const token = operatorToken(config.dataDir, process.env.USMS_OPERATOR_TOKEN);
  const scrape = async () => metrics.text(threads ? await threads.collect() : []);
  const app = buildApp(services, token, { api, limiter, metricsText: scrape });
  app.server.on('connection', () => metrics.connections.inc({ thread: '0' }));
  started.push(() => app.close());
  await app.ready();
  listener.handOver(app.server);
  if (threadCount > 1) {
    // Assigned before they start, so that a change of the API nodes meanwhile reaches them too.
    threads = HttpThreads.start(threadCount - 1, {
      config, fd: listeningFd(app.server), writerThread, operatorToken: token,
      share: apiNodes * threadCount, log, scrape,
      onWritten: () => delivery?.postMessage({ type: 'wake' }),
    });
    const running = threads;
    started.push(() => running.stop());
    await threads.started;
  }
  let smpp: SmppService | undefined;
  if (smppListener) {
    const service = new SmppService(services, membership.id, log);
    service.start();
    started.push(() => service.stop());
    smppListener.serve(service.hooks, { log, deliverWindow: SMPP_DELIVER_WINDOW });
    smpp = service;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, role: config.role, database: config.databaseUrl ? 'postgres' : 'sqlite', workers: config.runWorkers, httpThreads: threadCount, smppPort: smppListener?.port }, 'usms listening');
  // Only now: its curl names the port actually listened on, and a start that cannot listen announces nothing.
  if (config.createDemoAccount && api) await ensureDemoAccount(db, box, url);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing in-flight requests and deliveries');
      // SMPP customers are unbound first: their unanswered submits are answered before the writer drains.
      await smpp?.stop();
      await smppListener?.close();
      await Promise.all([app.close(), threads?.stop()]);
      await writer.drain();
      await writerThread?.close();
      // Delivery first: receipts it stores while stopping are still pushed.
      if (delivery) await stopServiceThread(delivery);
      if (pusher) await stopServiceThread(pusher);
      if (checkpointer) await stopServiceThread(checkpointer);
      await membership.stop();
      await db.destroy();
      log.info('stopped');
    })());
  return { url, port, smppPort: smppListener?.port, services, close };
}

interface DeliveryMessage extends ThreadMessage {
  counts?: Record<string, number>;
}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'the port is already in use by another process',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s',
};

interface EarlyListener {
  /** The port listened on (the configured one, or the one the system chose for port 0). */
  port: number;
  /** The HTTP server takes over the listening socket, and the connections that arrived while it started. */
  handOver(server: Server): void;
  /** Closes the socket unless it was handed over. */
  release(): void;
}

/**
 * Listens on the configured address before the database and the threads start. Connections that
 * arrive meanwhile wait for the HTTP server, which answers them once it is ready.
 */
async function bindFirst(config: Config): Promise<EarlyListener> {
  const socket = createServer();
  const early: Socket[] = [];
  const hold = (conn: Socket) => early.push(conn);
  socket.on('connection', hold);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.listen({ port: config.port, host: config.host }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw listenError(err, config);
  }
  let handedOver = false;
  const address = socket.address();
  return {
    port: typeof address === 'object' && address ? address.port : config.port,
    handOver(server) {
      // listen(handle) adopts the listening handle itself: from now on the HTTP server accepts on it.
      server.listen(socket);
      handedOver = true;
      socket.off('connection', hold);
      for (const conn of early.splice(0)) server.emit('connection', conn);
    },
    release() {
      if (handedOver) return;
      socket.close();
      for (const conn of early.splice(0)) conn.destroy();
    },
  };
}

/** A failed listen as one line: where, and why. */
function listenError(err: unknown, config: Config): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const why = (code && LISTEN_FAILURES[code]) ?? String((err as Error).message ?? err).split('\n')[0];
  return Object.assign(new Error(`cannot listen on ${where}: ${why}${code ? ` (${code})` : ''}`), { code });
}

/** The descriptor of a listening server (Node keeps it on the internal handle only). */
function listeningFd(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('USMS_HTTP_THREADS > 1 needs a TCP listening socket with a descriptor (not available on this platform)');
  return fd;
}
