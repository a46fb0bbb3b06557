import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Carrier, OutboundMessage, SubmitResult } from '../carriers/carrier.ts';
import type { Db } from '../store/db.ts';
import { claimDue, expireReceiptWaits, recordOutcomes, recoverExpiredLeases, type SubmitOutcome } from '../store/messages.ts';

export interface WorkerOptions {
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  receiptTimeoutMs: number;
  onOutcomes?: (outcomes: SubmitOutcome[]) => void;
}

const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 300_000;
const MAX_ATTEMPTS = 8;
const MAINTENANCE_MS = 5_000;
const GATHER_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The delivery loop over the outbox (the messages table): claim due rows with a lease, submit them,
 * record each outcome fenced by the lease. A restart resumes from the table.
 */
export class DeliveryWorker {
  readonly owner = `worker-${randomUUID()}`;
  private running = false;
  private wake?: () => void;
  private woken = false;
  private loop?: Promise<void>;
  private lastMaintenance = 0;

  constructor(
    private readonly db: Db,
    private readonly carrier: Carrier,
    private readonly log: Logger,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** New work was written: look now instead of at the next poll. */
  notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.maintain();
        const claimed = await claimDue(this.db, this.owner, this.options.batchSize, this.options.leaseMs, this.carrier.name);
        if (claimed.length === 0) {
          await this.idle();
          continue;
        }
        await this.deliver(claimed);
        // A partial batch means we are keeping up: pause briefly so the next claim gathers more rows.
        // Each cycle costs three commits, so this trades a few ms of latency for far fewer of them.
        if (claimed.length < this.options.batchSize) await sleep(GATHER_MS);
      } catch (err) {
        this.log.error({ err }, 'delivery loop error; retrying');
        await this.idle();
      }
    }
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
  }

  private async maintain(): Promise<void> {
    const now = Date.now();
    if (now - this.lastMaintenance < MAINTENANCE_MS) return;
    this.lastMaintenance = now;
    const leases = await recoverExpiredLeases(this.db, this.carrier.atLeastOnce ? [this.carrier.name] : []);
    if (leases.requeued || leases.unknown) this.log.warn(leases, 'recovered messages from expired leases');
    const expired = await expireReceiptWaits(this.db, this.options.receiptTimeoutMs);
    if (expired) this.log.info({ count: expired }, 'messages without a receipt marked unknown');
  }

  private idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

function toOutcome(id: number, attempts: number, result: SubmitResult | undefined, atLeastOnce: boolean): SubmitOutcome {
  if (!result) return { id, result: 'unknown', code: 'UNKNOWN', desc: 'carrier gave no result' };
  if (result.ok) return { id, result: 'sent', carrierMsgId: result.carrierMsgId };
  if (result.kind === 'permanent') return { id, result: 'failed', code: result.code, desc: result.desc };
  if (result.kind === 'unknown' && !atLeastOnce) return { id, result: 'unknown', code: result.code, desc: result.desc };
  if (attempts >= MAX_ATTEMPTS) return { id, result: 'failed', code: result.code, desc: `${result.desc} (gave up after ${attempts} attempts)` };
  const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
  return { id, result: 'retry', code: result.code, desc: result.desc, retryAt: Date.now() + delay };
}
