import { randomUUID } from 'node:crypto';
import type { Kysely, RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { Carrier, OutboundMessage, SubmitResult } from '../carriers/carrier.ts';
import type { Db } from '../store/db.ts';
import { claimDue, type ClaimedMessage, type Receipt, type SubmitOutcome } from '../store/messages.ts';
import type { Database } from '../store/schema.ts';
import type { ReceiptSink } from './receipt-sink.ts';
import { toOutcome, type WorkerOptions } from './worker.ts';

/** A claimed message as a streaming carrier sees it. */
export interface StreamMessage extends OutboundMessage {
  /** Claims so far, this one included (1: never handed to a carrier before). */
  attempts: number;
}

/** One message's submit: its result, and what the carrier wants stored with the outcome. */
export interface Submitted {
  result: SubmitResult;
  extra?: unknown;
}

export interface Finished {
  outcome: SubmitOutcome;
  extra?: unknown;
}

/**
 * A carrier that takes messages one by one as they are claimed (SMPP: each message is written as
 * soon as the window has room), and stores its own part of a finished submit in the worker's
 * transaction.
 */
export interface StreamingCarrier extends Carrier {
  /**
   * Hands messages to the carrier. Resolves once they are on their way, with one promise per message
   * (in order) that settles when its outcome is known. Rejects only when nothing was handed over.
   */
  submitEach(messages: StreamMessage[]): Promise<Array<Promise<Submitted>>>;
  /** Stores finished submits (outcomes fenced by `owner`'s lease, plus the carrier's extras) in `trx`. */
  recordIn(trx: Kysely<Database>, owner: string, finished: Finished[]): Promise<void>;
  /** Messages handed over and not written to the carrier yet (waiting for the window or the rate cap). */
  backlog(): number;
}

export function isStreamingCarrier(c: Carrier): c is StreamingCarrier {
  return typeof (c as Partial<StreamingCarrier>).submitEach === 'function';
}

export interface StreamWorkerOptions extends Omit<WorkerOptions, 'concurrency'> {
  /**
   * Messages claimed and not yet recorded, at most. Under at-most-once this is the window plus the
   * prefetch: a node that dies leaves at most this many messages `sending`, which the lease recovery then
   * calls unknown.
   */
  maxHeld: number;
  /** Finished outcomes recorded at once, without waiting for the gather time (default: a quarter of maxHeld). */
  recordAfter?: number;
}

/** While the carrier still has messages waiting to be written, finished ones are gathered this long. */
const GATHER_MS = 5;
/** With nothing left to write, finished outcomes are gathered at most this long (fewer, larger commits). */
const STARVED_GATHER_MS = 2;
/** Receipts with no outcome or claim to ride along with are stored after this long. */
const RECEIPT_GATHER_MS = 20;
/** After a claim that found fewer rows than it asked for, the next claim waits this long (rows gather). */
const CLAIM_PAUSE_MS = 10;

/** After this many failed transactions in a row, the outcomes in hand are left to the lease recovery. */
const MAX_FAILURES = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delivery loop for a streaming carrier: keeps up to `maxHeld` messages claimed at all times, so
 * the carrier's window never drains between claims. Each turn is one transaction that records the
 * outcomes finished since the last turn and claims as many new rows as that frees: the claimed and
 * unrecorded messages never exceed `maxHeld`, even between the two steps. Finished outcomes are
 * gathered briefly (until `recordAfter` are done; else at most 2 ms while everything in hand is in
 * flight, 5 ms while the carrier still has messages to write: prefetched, or held back by a rate cap):
 * fewer, larger commits, while a finished message holds its place only a moment. Receipts ride along (attachReceipts).
 */
export class StreamingWorker {
  readonly owner = `worker-${randomUUID()}`;
  private running = false;
  /** Claimed, not yet recorded (in flight, waiting to be written, or finished and not stored). */
  private held = 0;
  private finished: Finished[] = [];
  private firstFinishedAt = 0;
  private mayHaveWork = true;
  private claimPauseUntil = 0;
  private waker: (() => void) | undefined;
  private signalled = false;
  private loop: Promise<void> | undefined;
  private readonly dispatching = new Set<Promise<void>>();
  private receipts: { sink: ReceiptSink; apply: (trx: Kysely<Database>, carrier: string, receipts: Receipt[]) => Promise<Receipt[]> } | undefined;
  /** After a failed transaction that carried receipts, the next ones go without them for a while. */
  private receiptsPausedUntil = 0;
  /** Failed transactions in a row. */
  private failures = 0;
  private readonly recordAfter: number;

  constructor(
    private readonly db: Db,
    private readonly carrier: StreamingCarrier,
    private readonly log: Logger,
    private readonly options: StreamWorkerOptions,
  ) {
    this.recordAfter = options.recordAfter ?? Math.max(1, Math.ceil(options.maxHeld / 4));
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** New work was written: claim now instead of at the next poll. */
  notify(): void {
    this.mayHaveWork = true;
    this.signal();
  }

  /** Stops claiming, waits for the messages in hand to finish and records them. */
  async stop(): Promise<void> {
    this.running = false;
    this.signal();
    await this.loop;
  }

  /**
   * Stores this carrier's receipts in the worker's transactions (after the outcomes, so a receipt that
   * outran its submit_sm_resp matches in the same commit). Receipts alone wait at most RECEIPT_GATHER_MS.
   */
  attachReceipts(sink: ReceiptSink, apply: (trx: Kysely<Database>, carrier: string, receipts: Receipt[]) => Promise<Receipt[]>): void {
    this.receipts = { sink, apply };
    sink.attach({ wake: () => this.signal() });
  }

  /** Messages claimed and not yet recorded (tests, status). */
  get inHand(): number {
    return this.held;
  }

  private async run(): Promise<void> {
    while (this.running || this.held > 0) {
      const now = Date.now();
      // Record once `recordAfter` are done, else after a short gather: 2 ms when the carrier
      // has nothing left to write (everything in hand is in flight or done), GATHER_MS while it has.
      const n = this.finished.length;
      const recordNow =
        n > 0 && (!this.running || n >= this.recordAfter || now - this.firstFinishedAt >= (this.carrier.backlog() === 0 ? STARVED_GATHER_MS : GATHER_MS));
      let limit = 0;
      let where: RawBuilder<unknown> | undefined;
      if (this.running && this.mayHaveWork && now >= this.claimPauseUntil) {
        const filter = this.options.routeFilter?.() ?? { kind: 'all' };
        if (filter.kind !== 'none' && (!this.carrier.ready || this.carrier.ready())) {
          // Outcomes recorded in this same transaction free their places for the claim.
          limit = Math.min(this.options.batchSize, this.options.maxHeld - this.held + (recordNow ? n : 0));
          if (filter.kind === 'where') where = filter.where;
        }
      }
      const rp = this.receipts && now >= this.receiptsPausedUntil ? this.receipts.sink.pending() : undefined;
      const receiptsDue = rp !== undefined && rp.count > 0 && (!this.running || now - rp.since >= RECEIPT_GATHER_MS);
      if (!recordNow && limit <= 0 && !receiptsDue) {
        let wait = this.options.pollMs;
        if (n > 0) wait = Math.max(1, GATHER_MS - (now - this.firstFinishedAt));
        else if (this.mayHaveWork && now < this.claimPauseUntil) wait = this.claimPauseUntil - now;
        if (rp && rp.count > 0) wait = Math.min(wait, Math.max(1, RECEIPT_GATHER_MS - (now - rp.since)));
        const signalled = await this.idle(wait);
        if (!signalled && wait === this.options.pollMs) this.mayHaveWork = true; // the poll: look again
        continue;
      }
      const batch = recordNow ? this.finished : [];
      if (recordNow) this.finished = [];
      // Receipts ride along with any transaction.
      const taken = rp && rp.count > 0 ? this.receipts!.sink.take() : undefined;
      let claimed: ClaimedMessage[] = [];
      let unmatched: Receipt[] = [];
      try {
        claimed = await this.db.transaction().execute(async (trx) => {
          if (batch.length) await this.carrier.recordIn(trx, this.owner, batch);
          if (taken?.items.length) unmatched = await this.receipts!.apply(trx, this.carrier.name, taken.items.map((p) => p.receipt));
          return limit > 0 ? claimDue(trx, this.owner, limit, this.options.leaseMs, this.carrier.name, where) : [];
        });
      } catch (err) {
        if (taken) {
          this.receipts!.sink.settle(taken, undefined, err);
          this.receiptsPausedUntil = Date.now() + 1_000;
        }
        this.failures++;
        if (this.running && this.failures < MAX_FAILURES) {
          this.log.error({ err, carrier: this.carrier.name, outcomes: batch.length }, 'delivery loop error; retrying');
          if (batch.length) this.firstFinishedAt = Date.now();
          this.finished = batch.concat(this.finished);
          await sleep(this.options.pollMs);
        } else {
          // Stopping, or these outcomes cannot be stored: give up on them; the lease recovery settles
          // the messages (unknown, or requeued under at-least-once) and the carrier goes on.
          this.log.error({ err, carrier: this.carrier.name, outcomes: batch.length }, 'recording outcomes failed; left to the lease recovery');
          this.held -= batch.length;
          this.failures = 0;
        }
        continue;
      }
      this.failures = 0;
      this.held += claimed.length - batch.length;
      if (taken) this.receipts!.sink.settle(taken, unmatched);
      if (batch.length) this.options.onOutcomes?.(batch.map((b) => b.outcome));
      if (limit > 0 && claimed.length < limit) {
        this.mayHaveWork = false;
        this.claimPauseUntil = Date.now() + CLAIM_PAUSE_MS;
      }
      if (claimed.length) this.dispatch(claimed);
    }
    await Promise.all(this.dispatching);
    this.receipts?.sink.detach();
  }

  private dispatch(claimed: ClaimedMessage[]): void {
    const messages: StreamMessage[] = claimed.map((m) => ({
      id: m.id, e164: m.e164, region: m.region, sender: m.sender, content: m.content,
      encoding: m.encoding, segments: m.segments, extendCode: m.extend_code, attempts: m.attempts,
    }));
    const task = (async () => {
      let each: Array<Promise<Submitted>>;
      try {
        each = await this.carrier.submitEach(messages);
      } catch (err) {
        // Nothing was handed over: requeue (with backoff) rather than guess.
        this.log.error({ err, carrier: this.carrier.name }, 'carrier could not take the messages; requeued');
        each = messages.map(() => Promise.resolve({ result: { ok: false, kind: 'temporary', code: 'SUBMIT_ERROR', desc: `not sent: ${(err as Error).message}` } }));
      }
      each.forEach((p, i) => {
        const m = claimed[i]!;
        p.then(
          (s) => this.finish({ outcome: toOutcome(m.id, m.attempts, s.result, this.carrier.atLeastOnce), extra: s.extra }),
          (err: Error) => {
            this.log.error({ err, carrier: this.carrier.name }, 'carrier submit threw; outcome unknown');
            this.finish({ outcome: toOutcome(m.id, m.attempts, { ok: false, kind: 'unknown', code: 'UNKNOWN', desc: 'carrier error during submit' }, this.carrier.atLeastOnce) });
          },
        );
      });
    })();
    this.dispatching.add(task);
    void task.finally(() => this.dispatching.delete(task));
  }

  private finish(f: Finished): void {
    if (this.finished.length === 0) this.firstFinishedAt = Date.now();
    this.finished.push(f);
    this.signal();
  }

  /** Wakes the loop once the current I/O callback's other results are in too (one transaction for all). */
  private signal(): void {
    if (this.signalled) return;
    this.signalled = true;
    setImmediate(() => {
      const wake = this.waker;
      this.waker = undefined;
      if (wake) {
        this.signalled = false;
        wake();
      }
      // No one waiting: the loop is busy and sees `signalled` before it sleeps.
    });
  }

  /** Resolves true when signalled, false when the time ran out. */
  private idle(ms: number): Promise<boolean> {
    if (this.signalled && this.waker === undefined) {
      this.signalled = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.waker === wake) this.waker = undefined;
        resolve(false);
      }, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waker = wake;
    });
  }
}
