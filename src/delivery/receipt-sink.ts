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

/**
 * Collects receipts from a carrier and applies them in batches. A receipt that arrives before its
 * submit outcome is stored (the carrier was faster than our write) is retried for two minutes.
 */
export class ReceiptSink {
  private batch: Pending[] = [];
  private waiting: Pending[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly retryTimer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly carrier: string,
    private readonly log: Logger,
    private readonly onApplied: (receipts: Receipt[]) => void = () => {},
  ) {
    this.retryTimer = setInterval(() => this.retryWaiting(), 1000);
    this.retryTimer.unref();
  }

  push(receipts: Receipt[]): void {
    const until = Date.now() + RETRY_FOR_MS;
    this.enqueue(receipts.map((receipt) => ({ receipt, until })));
  }

  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    while (this.scheduled) await new Promise((r) => setTimeout(r, GATHER_MS));
    await this.chain;
  }

  private enqueue(items: Pending[]): void {
    if (items.length === 0) return;
    for (const item of items) this.batch.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      // Gather receipts for a moment: one transaction for many of them.
      setTimeout(() => this.flush(), GATHER_MS);
    }
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    this.scheduled = false;
    this.chain = this.chain.then(async () => {
      try {
        const unmatched = new Set(await applyReceipts(this.db, this.carrier, batch.map((p) => p.receipt)));
        const applied: Receipt[] = [];
        for (const p of batch) (unmatched.has(p.receipt) ? this.waiting.push(p) : applied.push(p.receipt));
        if (applied.length) this.onApplied(applied);
      } catch (err) {
        this.log.error({ err, count: batch.length }, 'storing receipts failed; will retry');
        for (const p of batch) this.waiting.push(p);
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
