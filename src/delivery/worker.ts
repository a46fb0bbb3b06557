import { randomUUID } from 'node:crypto';
import type { Kysely, RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { Carrier, OutboundMessage, SubmitResult } from '../carriers/carrier.ts';
import type { Db } from '../store/db.ts';
import { partsOf, recordSubmitsIn } from '../store/message-parts.ts';
import { claimAsSent, claimDue, type ClaimedMessage, type Receipt, type SubmitOutcome } from '../store/messages.ts';
import type { Database } from '../store/schema.ts';
import { Circuit } from './circuit.ts';
import { toOutcome } from './outcome.ts';
import type { ReceiptSink } from '../store/receipt-sink.ts';
import type { ClaimFilter } from './router.ts';

/** A finished submit: the outcome to record and what the carrier reported with it (parts). */
export interface Finished {
  outcome: SubmitOutcome;
  result?: SubmitResult;
}

export interface WorkerOptions {
  /** Rows per claim, at most. */
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  /** Which messages this carrier takes (routing, decided at claim time); default: all. */
  routeFilter?: () => ClaimFilter;
  /** Whether another carrier of this message's route takes messages now (a retryable refusal then moves it at once). */
  hasAlternative?: (m: ClaimedMessage) => boolean;
  onOutcomes?: (outcomes: SubmitOutcome[]) => void;
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

/** A carrier that takes everything (the sandbox) finds fewer rows than it asked for: it waits this long for more. */
const ACCEPT_ALL_GATHER_MS = 20;

/**
 * The delivery loop, one per carrier of any kind: keeps up to `maxHeld` messages claimed at all times, so
 * the carrier's window never drains between claims. Each turn is one transaction that records the
 * outcomes finished since the last turn and claims as many new rows as that frees: the claimed and
 * unrecorded messages never exceed `maxHeld`, even between the two steps. Finished outcomes are
 * gathered briefly (until `recordAfter` are done; else at most 2 ms while everything in hand is in
 * flight, 5 ms while the carrier still has messages to write: prefetched, or held back by a rate cap):
 * fewer, larger commits, while a finished message holds its place only a moment. Receipts ride along (attachReceipts).
 *
 * The loop owns what the carrier does not: leases, outcomes, the parts of multipart messages (a retried
 * message is handed the parts accepted before), the attempt history and the circuit breaker. A carrier
 * that takes everything in-process (`acceptsAll`: the sandbox) is claimed and recorded as sent in one statement.
 */
export class DeliveryWorker {
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
  readonly circuit = new Circuit();

  constructor(
    private readonly db: Db,
    private readonly carrier: Carrier,
    private readonly log: Logger,
    private readonly options: WorkerOptions,
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

  /** Whether the loop claims for this carrier now: it is ready and its circuit is not open. */
  takesMessages(): boolean {
    return this.carrier.ready() && this.circuit.allows() !== 'none';
  }

  private async run(): Promise<void> {
    if (this.carrier.acceptsAll) return this.runAcceptingAll(this.carrier.acceptsAll);
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
        const allows = this.carrier.ready() ? this.circuit.allows() : 'none';
        if (filter.kind !== 'none' && allows !== 'none') {
          // Outcomes recorded in this same transaction free their places for the claim.
          limit = Math.min(this.options.batchSize, this.options.maxHeld - this.held + (recordNow ? n : 0));
          if (allows === 'one') limit = Math.min(limit, 1);
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
      let prior = new Map<number, OutboundMessage['priorParts']>();
      let unmatched: Receipt[] = [];
      try {
        claimed = await this.db.transaction().execute(async (trx) => {
          if (batch.length) await this.recordIn(trx, batch);
          if (taken?.items.length) unmatched = await this.receipts!.apply(trx, this.carrier.name, taken.items.map((p) => p.receipt));
          const rows = limit > 0 ? await claimDue(trx, this.owner, limit, this.options.leaseMs, this.carrier.name, where) : [];
          // Only a message claimed before can have parts stored: the others skip that read.
          const retried = rows.filter((m) => m.attempts > 1).map((m) => Number(m.id));
          prior = retried.length ? await partsOf(trx, retried) : prior;
          return rows;
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
      if (claimed.length && this.circuit.allows() === 'one') this.circuit.probe();
      if (claimed.length) this.dispatch(claimed, prior);
    }
    await Promise.all(this.dispatching);
    this.receipts?.sink.detach();
  }

  /** Parts, outcomes (fenced by the lease) and the roll-up of resumed messages, in the turn's transaction. */
  private async recordIn(trx: Kysely<Database>, finished: Finished[]): Promise<void> {
    const parts = finished.flatMap((f) => f.result?.parts ?? []);
    const resumed = finished.filter((f) => f.result?.resumed).map((f) => f.outcome.id);
    const dropped = finished.filter((f) => f.result?.dropPrior).map((f) => f.outcome.id);
    await recordSubmitsIn(trx, this.owner, this.carrier.name, finished.map((f) => f.outcome), parts, resumed, dropped);
  }

  private dispatch(claimed: ClaimedMessage[], prior: Map<number, OutboundMessage['priorParts']>): void {
    const messages: OutboundMessage[] = claimed.map((m) => ({
      id: Number(m.id), e164: m.e164, region: m.region, sender: m.sender, content: m.content,
      encoding: m.encoding, segments: m.segments, extendCode: m.extend_code, attempts: m.attempts,
      priorParts: prior.get(Number(m.id)) ?? [],
    }));
    const task = (async () => {
      let each: Array<Promise<SubmitResult>>;
      try {
        each = await this.carrier.submit(messages);
      } catch (err) {
        // Nothing was handed over: requeue (with backoff) rather than guess.
        this.log.error({ err, carrier: this.carrier.name }, 'carrier could not take the messages; requeued');
        each = messages.map(() => Promise.resolve({ ok: false, kind: 'temporary', code: 'SUBMIT_ERROR', desc: `not sent: ${(err as Error).message}` }));
      }
      each.forEach((p, i) => {
        const m = claimed[i]!;
        p.then(
          (result) => this.finish(m, result),
          (err: Error) => {
            this.log.error({ err, carrier: this.carrier.name }, 'carrier submit threw; outcome unknown');
            this.finish(m, { ok: false, kind: 'unknown', code: 'UNKNOWN', desc: 'carrier error during submit' });
          },
        );
      });
    })();
    this.dispatching.add(task);
    void task.finally(() => this.dispatching.delete(task));
  }

  private finish(m: ClaimedMessage, result: SubmitResult): void {
    // A refusal to retry or an unknown outcome says the carrier cannot take messages now; a pause asked for does not.
    if (result.ok || result.kind === 'permanent') this.circuit.succeeded();
    else if (!result.uncounted) this.circuit.failed();
    const failover = !result.ok && result.kind === 'temporary' && !result.uncounted && (this.options.hasAlternative?.(m) ?? false);
    const outcome = toOutcome(Number(m.id), m.attempts, result, this.carrier.atLeastOnce, this.carrier.name, failover);
    if (this.finished.length === 0) this.firstFinishedAt = Date.now();
    this.finished.push({ outcome, result });
    this.signal();
  }

  /** The loop for a carrier that takes everything in-process: one statement claims and records as sent. */
  private async runAcceptingAll(acceptsAll: NonNullable<Carrier['acceptsAll']>): Promise<void> {
    while (this.running) {
      try {
        const filter = this.options.routeFilter?.() ?? { kind: 'all' };
        if (filter.kind === 'none' || !this.mayHaveWork) {
          const signalled = await this.idle(this.options.pollMs);
          if (!signalled) this.mayHaveWork = true;
          continue;
        }
        const where = filter.kind === 'where' ? filter.where : undefined;
        const sent = await claimAsSent(this.db, this.options.batchSize, this.carrier.name, acceptsAll.idPrefix, where);
        if (sent.length) {
          acceptsAll.accepted(sent);
          this.options.onOutcomes?.(sent.map((m) => ({ id: m.id, result: 'sent', carrierMsgId: m.carrierMsgId })));
        }
        // A partial batch means we are keeping up: the next claim waits a moment to gather more rows.
        if (sent.length === 0) this.mayHaveWork = false;
        else if (sent.length < this.options.batchSize) await sleep(ACCEPT_ALL_GATHER_MS);
      } catch (err) {
        this.log.error({ err, carrier: this.carrier.name }, 'delivery loop error; retrying');
        await this.idle(this.options.pollMs);
      }
    }
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
