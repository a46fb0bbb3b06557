import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { applyReceipts, type Receipt } from '../store/messages.ts';

const RETRY_FOR_MS = 120_000;
const GATHER_MS = 20;

interface Pending {
  receipt: Receipt;
  /** Give up matching after this time. */
  until: number;
}

/** Stores receipts; returns the ones that matched nothing yet. */
export type ApplyReceipts = (db: Db, carrier: string, receipts: Receipt[]) => Promise<Receipt[]>;

/**
 * Collects receipts from a carrier and applies them in batches. A receipt that arrives before its
 * submit outcome is stored (the carrier was faster than our write) is retried for two minutes.
 * `apply` is the message-level matcher (store/messages.ts) by default; SMPP carriers match per part
 * (store/message-parts.ts).
 */
export class ReceiptSink {
  private batch: Pending[] = [];
  private waiting: Pending[] = [];
  private settlers: Array<() => void> = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly retryTimer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly carrier: string,
    private readonly log: Logger,
    private readonly onApplied: (receipts: Receipt[]) => void = () => {},
    private readonly apply: ApplyReceipts = applyReceipts,
  ) {
    this.retryTimer = setInterval(() => this.retryWaiting(), 1000);
    this.retryTimer.unref();
  }

  /**
   * Resolves once the receipts were written, or are held for a later match (no match yet, or the
   * write failed and will be retried).
   */
  push(receipts: Receipt[]): Promise<void> {
    const until = Date.now() + RETRY_FOR_MS;
    return new Promise((resolve) => {
      this.settlers.push(resolve);
      this.enqueue(receipts.map((receipt) => ({ receipt, until })));
      if (receipts.length === 0) this.schedule();
    });
  }

  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    while (this.scheduled) await new Promise((r) => setTimeout(r, GATHER_MS));
    await this.chain;
  }

  private enqueue(items: Pending[]): void {
    if (items.length === 0) return;
    for (const item of items) this.batch.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      // Gather receipts for a moment: one transaction for many of them.
      setTimeout(() => this.flush(), GATHER_MS);
    }
  }

  private flush(): void {
    const batch = this.batch;
    const settlers = this.settlers;
    this.batch = [];
    this.settlers = [];
    this.scheduled = false;
    this.chain = this.chain.then(async () => {
      try {
        if (batch.length === 0) return;
        const unmatched = new Set(await this.apply(this.db, this.carrier, batch.map((p) => p.receipt)));
        const applied: Receipt[] = [];
        for (const p of batch) (unmatched.has(p.receipt) ? this.waiting.push(p) : applied.push(p.receipt));
        if (applied.length) this.onApplied(applied);
      } catch (err) {
        this.log.error({ err, count: batch.length }, 'storing receipts failed; will retry');
        for (const p of batch) this.waiting.push(p);
      } finally {
        for (const s of settlers) s();
      }
    });
  }

  private retryWaiting(): void {
    if (this.waiting.length === 0) return;
    const now = Date.now();
    const keep = this.waiting.filter((p) => p.until > now);
    const dropped = this.waiting.length - keep.length;
    if (dropped) this.log.warn({ carrier: this.carrier, dropped }, 'receipts matched no message within the retry window');
    this.waiting = [];
    this.enqueue(keep);
  }
}
