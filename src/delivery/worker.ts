import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Carrier, OutboundMessage, SubmitResult } from '../carriers/carrier.ts';
import type { ClaimFilter } from '../carriers/routing.ts';
import type { Db } from '../store/db.ts';
import { claimAsSent, claimDue, recordOutcomes, type SubmitOutcome } from '../store/messages.ts';

export interface WorkerOptions {
  /** Rows per claim, at most. */
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  /** Which messages this carrier takes (routing, decided at claim time); default: all. */
  routeFilter?: () => ClaimFilter;
  /** Claim loops running side by side, so one batch is submitted while another is recorded. Default 1. */
  concurrency?: number;
  onOutcomes?: (outcomes: SubmitOutcome[]) => void;
}

const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 300_000;
/** A message held back by throttling is offered again this soon (the session paces the bind itself). */
const PAUSE_RETRY_MS = 1_000;
const MAX_ATTEMPTS = 8;
const GATHER_MS = 20;

type ClaimWhere = Parameters<typeof claimDue>[5];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delivery loop over the outbox (the messages table): claim due rows with a lease, submit them,
 * record each outcome fenced by the lease. A restart resumes from the table. One worker per carrier;
 * it claims only the rows its route filter selects. Lease recovery and receipt timeouts are the
 * runtime's job (once per node, for every carrier).
 */
export class DeliveryWorker {
  readonly owner = `worker-${randomUUID()}`;
  private running = false;
  private wakers = new Set<() => void>();
  private woken = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly db: Db,
    private readonly carrier: Carrier,
    private readonly log: Logger,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: Math.max(1, this.options.concurrency ?? 1) }, (_, i) => this.run(i));
  }

  /** New work was written: look now instead of at the next poll. */
  notify(): void {
    if (this.wakers.size === 0) this.woken = true;
    for (const wake of [...this.wakers]) wake();
  }

  /** Finishes the batches in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of [...this.wakers]) wake();
    await Promise.all(this.loops);
  }

  /** Loop 0 polls; extra loops, there for throughput, poll rarely when idle (a wake still reaches them). */
  private async run(loop: number): Promise<void> {
    const idleMs = loop === 0 ? this.options.pollMs : this.options.pollMs * 5;
    while (this.running) {
      try {
        const filter = this.options.routeFilter?.() ?? { kind: 'all' };
        if (filter.kind === 'none' || (this.carrier.ready && !this.carrier.ready())) {
          await this.idle(idleMs);
          continue;
        }
        const where = filter.kind === 'where' ? filter.where : undefined;
        const count = this.carrier.acceptsAll ? await this.claimAccepted(where) : await this.claimAndDeliver(where);
        if (count === 0) {
          await this.idle(idleMs);
          continue;
        }
        // A partial batch means we are keeping up: pause briefly so the next claim gathers more rows.
        // Each cycle costs commits, so this trades a few ms of latency for far fewer of them.
        if (count < this.options.batchSize) await sleep(GATHER_MS);
      } catch (err) {
        this.log.error({ err }, 'delivery loop error; retrying');
        await this.idle(idleMs);
      }
    }
  }

  private async claimAndDeliver(where: ClaimWhere): Promise<number> {
    const claimed = await claimDue(this.db, this.owner, this.options.batchSize, this.options.leaseMs, this.carrier.name, where);
    if (claimed.length) await this.deliver(claimed);
    return claimed.length;
  }

  /** A carrier that takes everything: one statement claims and records as sent (store/messages.ts claimAsSent). */
  private async claimAccepted(where: ClaimWhere): Promise<number> {
    const { idPrefix, accepted } = this.carrier.acceptsAll!;
    const sent = await claimAsSent(this.db, this.options.batchSize, this.carrier.name, idPrefix, where);
    if (sent.length) {
      accepted(sent);
      this.options.onOutcomes?.(sent.map((m) => ({ id: m.id, result: 'sent', carrierMsgId: m.carrierMsgId })));
    }
    return sent.length;
  }

  private async deliver(claimed: Awaited<ReturnType<typeof claimDue>>): Promise<void> {
    const messages: OutboundMessage[] = claimed.map((m) => ({
      id: m.id, e164: m.e164, region: m.region, sender: m.sender, content: m.content,
      encoding: m.encoding, segments: m.segments, extendCode: m.extend_code,
    }));
    let results: SubmitResult[];
    try {
      results = await this.carrier.submit(messages);
    } catch (err) {
      this.log.error({ err, carrier: this.carrier.name }, 'carrier submit threw; outcome unknown');
      results = messages.map(() => ({ ok: false, kind: 'unknown', code: 'UNKNOWN', desc: 'carrier error during submit' }));
    }
    const outcomes = claimed.map((m, i) => toOutcome(m.id, m.attempts, results[i], this.carrier.atLeastOnce));
    await recordOutcomes(this.db, this.owner, outcomes);
    this.options.onOutcomes?.(outcomes);
    if (this.carrier.afterRecorded) {
      try {
        await this.carrier.afterRecorded(outcomes);
      } catch (err) {
        this.log.error({ err, carrier: this.carrier.name }, 'after-submit step failed');
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}

export function toOutcome(id: number, attempts: number, result: SubmitResult | undefined, atLeastOnce: boolean): SubmitOutcome {
  if (!result) return { id, result: 'unknown', code: 'UNKNOWN', desc: 'carrier gave no result' };
  if (result.ok) return { id, result: 'sent', carrierMsgId: result.carrierMsgId };
  if (result.kind === 'permanent') return { id, result: 'failed', code: result.code, desc: result.desc };
  if (result.kind === 'unknown' && !atLeastOnce) return { id, result: 'unknown', code: result.code, desc: result.desc };
  if (result.kind === 'temporary' && result.uncounted) {
    return { id, result: 'retry', code: result.code, desc: result.desc, retryAt: Date.now() + PAUSE_RETRY_MS, uncounted: true };
  }
  if (attempts >= MAX_ATTEMPTS) return { id, result: 'failed', code: result.code, desc: `${result.desc} (gave up after ${attempts} attempts)` };
  const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
  return { id, result: 'retry', code: result.code, desc: result.desc, retryAt: Date.now() + delay };
}
