import pino, { type Logger } from 'pino';
import type { Services } from './actions/context.ts';
import { Lookups } from './actions/lookups.ts';
import { SecretBox } from './auth/secrets.ts';
import { SandboxCarrier } from './carriers/sandbox.ts';
import type { Config } from './config.ts';
import { DeliveryWorker } from './delivery/worker.ts';
import { ReceiptSink } from './delivery/receipt-sink.ts';
import { buildApp } from './http/app.ts';
import { Metrics } from './http/metrics.ts';
import { operatorToken } from './http/operator.ts';
import { openDatabase } from './store/db.ts';
import { queueDepth } from './store/messages.ts';
import { SessionWriter } from './store/sessions.ts';
import { ensureDemoAccount } from './demo.ts';

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
  const metrics = new Metrics(() => queueDepth(db));
  const writer = new SessionWriter(db);
  const services: Services = { config, db, writer, lookups: new Lookups(db, box), metrics, log };

  const carrier = new SandboxCarrier(db, config.sandbox);
  const sink = new ReceiptSink(db, carrier.name, log, (receipts) => {
    for (const r of receipts) metrics.deliveries.inc({ outcome: r.code });
  });
  let worker: DeliveryWorker | undefined;
  if (config.runWorkers) {
    await carrier.start((receipts) => sink.push(receipts));
    worker = new DeliveryWorker(db, carrier, log, {
      batchSize: config.workerBatchSize,
      leaseMs: config.leaseMs,
      pollMs: config.pollMs,
      receiptTimeoutMs: config.receiptTimeoutSeconds * 1000,
      onOutcomes: (outcomes) => {
        for (const o of outcomes) metrics.deliveries.inc({ outcome: o.result });
      },
    });
    writer.on('written', () => worker!.notify());
    worker.start();
  }

  if (config.createDemoAccount) await ensureDemoAccount(db, box, config);
  const app = buildApp(services, operatorToken(config.dataDir, process.env.USMS_OPERATOR_TOKEN));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, dataDir: config.dataDir, workers: config.runWorkers }, 'usms listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: finishing in-flight requests and deliveries');
      await app.close();
      await writer.drain();
      await worker?.stop();
      await carrier.stop();
      await sink.close();
      await db.destroy();
      log.info('stopped');
    })());
  return { url, port, services, close };
}
