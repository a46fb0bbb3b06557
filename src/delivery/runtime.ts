import type { Logger } from 'pino';
import { SandboxCarrier } from '../carriers/sandbox.ts';
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import { ReceiptSink } from './receipt-sink.ts';
import { DeliveryWorker } from './worker.ts';

/** Counts by outcome, reported to whoever keeps the metrics. */
export type OutcomeCounts = Record<string, number>;

/** The delivery side of a node: carrier, receipt sink and worker loop, started and stopped together. */
export class DeliveryRuntime {
  private readonly carrier: SandboxCarrier;
  private readonly sink: ReceiptSink;
  private readonly worker: DeliveryWorker;

  constructor(db: Db, config: Config, log: Logger, report: (counts: OutcomeCounts) => void) {
    this.carrier = new SandboxCarrier(db, config.sandbox);
    this.sink = new ReceiptSink(db, this.carrier.name, log, (receipts) => report(countBy(receipts.map((r) => r.code))));
    this.worker = new DeliveryWorker(db, this.carrier, log, {
      batchSize: config.workerBatchSize,
      leaseMs: config.leaseMs,
      pollMs: config.pollMs,
      receiptTimeoutMs: config.receiptTimeoutSeconds * 1000,
      onOutcomes: (outcomes) => report(countBy(outcomes.map((o) => o.result))),
    });
  }

  async start(): Promise<void> {
    await this.carrier.start((receipts) => this.sink.push(receipts));
    this.worker.start();
  }

  notify(): void {
    this.worker.notify();
  }

  /** Finishes the batch in hand and stores the receipts already received. */
  async stop(): Promise<void> {
    await this.worker.stop();
    await this.carrier.stop();
    await this.sink.close();
  }
}

function countBy(keys: string[]): OutcomeCounts {
  const out: OutcomeCounts = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
