import type { SandboxConfig } from '../config.ts';
import { Fifo } from '../fifo.ts';
import type { Receipt } from '../sms/carrier-events.ts';
import type { Carrier, CarrierEvents, CarrierState, OutboundMessage, SubmitResult } from './carrier.ts';

/** Where a paged read of owed receipts stopped (opaque to the sandbox). */
export interface SentCursor {
  nextAttemptAt: number;
  id: number;
}

/**
 * Reads the sandbox's messages still waiting for their receipt, a page at a time (sent before
 * `sentBefore` when given): the delivery loop hands the sandbox this reader, so its inbox survives restarts.
 */
export type OwedReceipts = (
  limit: number,
  after?: SentCursor,
  sentBefore?: number,
) => Promise<{ rows: Array<{ e164: string; carrierMsgId: string; sentAt: number }>; next?: SentCursor }>;

type AcceptedMessage = { id: number; e164: string; carrierMsgId: string };

const ID_PREFIX = 'sb-';

const DESCRIPTIONS: Record<string, string> = {
  DELIVRD: 'delivered to the handset',
  UNDELIV: 'undeliverable',
  EXPIRED: 'validity period expired',
  REJECTD: 'rejected by the network',
};

/** A receipt the sandbox will issue at `at`. */
interface Due {
  at: number;
  receipt: Receipt;
}

/** Receipts a sandbox holds in memory at most, by default; see SandboxCarrier. */
const MAX_HELD = 20_000;
/** Rows read back from the database in one statement. */
const PAGE = 2_000;
/** Receipts handed to the receipt sink in one call: each call settles on its own, so reading goes on meanwhile. */
const EMIT = 1_024;

/**
 * The built-in carrier: accepts everything, "delivers" after a delay and reports a receipt.
 * Suffix rules decide the outcome (default: ...0000 is UNDELIV, ...0001 gets no receipt).
 * Its inbox is the messages table itself (carrier = 'sandbox'), so it survives restarts;
 * receipts still owed at a restart are issued again on start. Carrier ids are `sb-` + the message
 * id: unique across every node that runs a sandbox on the same database.
 *
 * Its messages are recorded as sent when claimed (no lease), so a node that dies leaves their receipts
 * owed: every sandbox also issues the receipts of messages sent longer than `orphanAfterMs` ago that it
 * does not hold itself. A receipt issued twice is harmless: the second matches no `sent` message.
 *
 * Memory stays bounded however large the backlog: it holds at most `maxHeld` receipts (due, or handed
 * to the receipt sink and not yet stored). The owed receipts are read from the database in pages while
 * it holds fewer than half of that, each due `receiptDelayMs` after its message was sent; a message
 * accepted while it holds `maxHeld` is left to the database and read back the same way.
 */
export class SandboxCarrier implements Carrier {
  readonly name = 'sandbox';
  readonly kind = 'sandbox';
  readonly atLeastOnce = true;
  readonly capacity = { window: 0, prefetch: 0, throughput: 0 };
  readonly acceptsAll = { idPrefix: ID_PREFIX, accepted: (messages: AcceptedMessage[]) => this.scheduleAll(messages) };
  /** Receipts of the messages accepted here, in the order they are due. */
  private readonly fresh = new Fifo<Due>();
  /** Receipts read back from the database (mostly in the order they are due). */
  private readonly owed = new Fifo<Due>();
  /** Carrier ids of the receipts in `fresh` or `owed`, or handed to the sink and not yet stored. */
  private readonly held = new Set<string>();
  /** A read of the owed receipts under way: where the next page starts, and its bound on sent_at. */
  private scan: { after?: SentCursor; sentBefore?: number } | undefined;
  /** Accepted messages were left to the database (held was full): read them back after this scan. */
  private rescan = false;
  private reading: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private emit: CarrierEvents['receipts'] = async () => {};
  private accepted = 0;
  private readonly orphanAfterMs: number;
  private readonly maxHeld: number;
  private readonly pageSize: number;

  constructor(
    private readonly owedReceipts: OwedReceipts,
    private readonly config: SandboxConfig,
    options: { orphanAfterMs?: number; maxHeld?: number; pageSize?: number } = {},
  ) {
    this.orphanAfterMs = options.orphanAfterMs ?? Math.max(10_000, 10 * config.receiptDelayMs);
    this.maxHeld = Math.max(2, options.maxHeld ?? MAX_HELD);
    this.pageSize = Math.max(1, options.pageSize ?? PAGE);
  }

  async start(events: CarrierEvents): Promise<void> {
    this.emit = (receipts) => events.receipts(receipts);
    // Every receipt still owed: this node holds none of them yet.
    this.scan = {};
    await this.readOwed();
    const every = (ms: number, fn: () => unknown) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(10, Math.min(100, this.config.receiptDelayMs)), () => {
      this.release();
      this.readOwed().catch(() => undefined);
    });
    every(Math.max(10, this.orphanAfterMs / 2), () => {
      // A read under way covers the orphans too (it has no bound, or a later one).
      this.scan ??= { sentBefore: Date.now() - this.orphanAfterMs };
      this.readOwed().catch(() => undefined);
    });
  }

  /** The generic path (the delivery loop uses `acceptsAll` instead): every message is taken. */
  async submit(messages: OutboundMessage[]): Promise<Array<Promise<SubmitResult>>> {
    const accepted = messages.map((m) => ({ id: m.id, e164: m.e164, carrierMsgId: `${ID_PREFIX}${m.id}` }));
    this.scheduleAll(accepted);
    return accepted.map((m) => Promise.resolve({ ok: true, carrierMsgId: m.carrierMsgId }));
  }

  ready(): boolean {
    return true;
  }

  backlog(): number {
    return 0;
  }

  status(): CarrierState {
    return {
      state: 'ready', binds: '[]', window_used: 0, window_size: 0, queued: 0, rate_limit: 0, sent_per_second: 0,
      submitted: this.accepted, accepted: this.accepted, errors: 0, unknown: 0, throttled: 0, receipts: 0, inbound: 0, reconnects: 0, last_error: '',
    };
  }

  /** Messages recorded as sent to the sandbox: their receipts are due after the configured delay. */
  private scheduleAll(messages: AcceptedMessage[]): void {
    this.accepted += messages.length;
    const at = Date.now() + this.config.receiptDelayMs;
    for (const m of messages) {
      if (this.held.size >= this.maxHeld) {
        this.rescan = true;
        return;
      }
      this.hold(this.fresh, m.e164, m.carrierMsgId, at);
    }
  }

  async stop(): Promise<void> {
    // Receipts still owed are issued again on the next start (see start()), or by another node's sandbox.
    for (const t of this.timers) clearInterval(t);
    this.scan = undefined;
    await this.reading?.catch(() => undefined);
  }

  /** The receipt code for a number, or undefined when the rules say no receipt. */
  outcomeFor(e164: string): string | undefined {
    const rule = this.config.rules.find((r) => e164.endsWith(r.suffix));
    if (!rule) return 'DELIVRD';
    return rule.outcome === 'none' ? undefined : rule.outcome;
  }

  /** How many receipts it holds (due, or being stored). */
  holding(): number {
    return this.held.size;
  }

  private hold(queue: Fifo<Due>, e164: string, carrierMsgId: string, at: number): void {
    const code = this.outcomeFor(e164);
    if (!code) return;
    queue.push({ at, receipt: { carrierMsgId, code, desc: DESCRIPTIONS[code] ?? code, at } });
    this.held.add(carrierMsgId);
  }

  /**
   * Reads owed receipts page by page while it holds fewer than half of `maxHeld`. One read at a time;
   * a finished scan starts the next one when accepted messages were left to the database meanwhile.
   */
  private readOwed(): Promise<void> {
    if (this.reading) return this.reading;
    if (!this.scan && this.rescan) {
      this.rescan = false;
      this.scan = { sentBefore: Date.now() + 1 };
    }
    if (!this.scan || this.held.size >= this.maxHeld / 2) return Promise.resolve();
    this.reading = (async () => {
      while (this.scan && this.held.size < this.maxHeld / 2) {
        const scan = this.scan;
        const page = await this.owedReceipts(this.pageSize, scan.after, scan.sentBefore);
        if (this.scan !== scan) break; // stopped meanwhile
        const now = Date.now();
        for (const r of page.rows) {
          if (!this.held.has(r.carrierMsgId)) this.hold(this.owed, r.e164, r.carrierMsgId, Math.max(now, r.sentAt + this.config.receiptDelayMs));
        }
        if (page.next) scan.after = page.next;
        else if (this.rescan) {
          this.rescan = false;
          this.scan = { sentBefore: Date.now() + 1 };
        } else this.scan = undefined;
      }
    })().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private release(now = Date.now()): void {
    const due = (d: Due) => d.at <= now;
    for (const queue of [this.fresh, this.owed]) {
      for (let ready = queue.takeWhile(due, EMIT); ready.length; ready = queue.takeWhile(due, EMIT)) {
        const receipts = ready.map((d) => ({ ...d.receipt, at: Math.min(d.receipt.at, now) }));
        const stored = () => {
          for (const r of receipts) this.held.delete(r.carrierMsgId);
        };
        try {
          Promise.resolve(this.emit(receipts)).then(stored, stored);
        } catch {
          stored();
        }
      }
    }
  }
}
