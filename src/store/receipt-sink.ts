import type { Logger } from 'pino';
import type { Db } from './db.ts';
import { applyReceipts, type Receipt } from './messages.ts';
import { Fifo } from '../fifo.ts';

const RETRY_FOR_MS = 120_000;
const GATHER_MS = 20;
/**
 * Receipts stored in one transaction at most. A larger batch holds SQLite's write lock longer, and the
 * API's commits wait behind it: 1,000 sandbox receipts in one go held it about 13 ms.
 */
const MAX_PER_TRANSACTION = 128;

export interface Pending {
  receipt: Receipt;
  /** Give up matching after this time. */
  until: number;
}

/** Who stores the receipts instead of the sink's own timer (see ReceiptSink.attach). */
export interface ReceiptHost {
  wake(): void;
}

export interface TakenReceipts {
  items: Pending[];
  settlers: Array<() => void>;
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
  /** A queue, not an array: at recovery it may hold a large backlog, taken 128 at a time. */
  private readonly batch = new Fifo<Pending>();
  private waiting: Pending[] = [];
  /** Callers of push, each settled once the batch was taken past its last receipt (`upTo`). */
  private readonly settlers = new Fifo<{ upTo: number; settle: () => void }>();
  private scheduled = false;
  private batchSince = 0;
  private host: ReceiptHost | undefined;
  private retryScheduled = false;
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
      this.enqueue(receipts.map((receipt) => ({ receipt, until })));
      this.settlers.push({ upTo: this.batch.end, settle: resolve });
      if (receipts.length === 0) this.schedule();
    });
  }

  async close(): Promise<void> {
    this.detach();
    clearInterval(this.retryTimer);
    while (this.scheduled) await new Promise((r) => setTimeout(r, GATHER_MS));
    await this.chain;
  }

  private enqueue(items: Pending[]): void {
    if (items.length === 0) return;
    if (this.batch.length === 0) this.batchSince = Date.now();
    for (const item of items) this.batch.push(item);
    this.schedule();
  }

  /**
   * Lets `host` (the carrier's streaming worker) store the receipts in its own transactions, with the
   * submit outcomes: one commit for both. The sink only wakes it; `detach` hands the job back.
   */
  attach(host: ReceiptHost): void {
    this.host = host;
  }

  detach(): void {
    this.host = undefined;
    if (this.batch.length || this.settlers.length) this.schedule();
  }

  /** For the host: receipts waiting to be stored, and since when. */
  pending(): { count: number; since: number } {
    return { count: this.batch.length + (this.settlers.length ? 1 : 0), since: this.batchSince };
  }

  /**
   * For the host: takes the waiting receipts (at most `max`); call `settle` after the transaction. A
   * caller of push settles with the take that holds its last receipt, while later receipts may still wait.
   */
  take(max = Infinity): TakenReceipts {
    const items = this.batch.take(max);
    const done = this.batch.taken;
    const settlers = this.settlers.takeWhile((s) => s.upTo <= done).map((s) => s.settle);
    if (this.batch.length === 0) this.batchSince = 0;
    return { items, settlers };
  }

  /** For the host: its transaction committed (`unmatched`: stored nowhere yet) or failed (`undefined`). */
  settle(taken: TakenReceipts, unmatched: Receipt[] | undefined, err?: unknown): void {
    try {
      if (unmatched === undefined) {
        this.log.error({ err, count: taken.items.length }, 'storing receipts failed; will retry');
        for (const p of taken.items) this.waiting.push(p);
        return;
      }
      const miss = new Set(unmatched);
      const applied: Receipt[] = [];
      for (const p of taken.items) (miss.has(p.receipt) ? this.waiting.push(p) : applied.push(p.receipt));
      if (applied.length) this.onApplied(applied);
    } finally {
      for (const s of taken.settlers) s();
    }
  }

  private schedule(): void {
    if (this.host) {
      if (this.batchSince === 0) this.batchSince = Date.now();
      this.host.wake();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      // Gather receipts for a moment: one transaction for many of them.
      setTimeout(() => this.flush(), GATHER_MS);
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.host) return; // attached meanwhile: the host stores them
    const taken = this.take(MAX_PER_TRANSACTION);
    if (this.batch.length) {
      // The rest in the next transactions, right after this one.
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    this.chain = this.chain.then(async () => {
      let unmatched: Receipt[] | undefined = [];
      let error: unknown;
      try {
        if (taken.items.length) unmatched = await this.apply(this.db, this.carrier, taken.items.map((p) => p.receipt));
      } catch (err) {
        unmatched = undefined;
        error = err;
      }
      this.settle(taken, unmatched, error);
    });
  }

  /** Submit outcomes were stored: receipts waiting for their part may match now (at most every GATHER_MS). */
  retrySoon(): void {
    if (this.waiting.length === 0 || this.retryScheduled) return;
    this.retryScheduled = true;
    setTimeout(() => {
      this.retryScheduled = false;
      this.retryWaiting();
    }, GATHER_MS).unref();
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
