import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { SecretBox } from '../auth/secrets.ts';
import type { Carrier, CarrierEvents } from '../carriers/carrier.ts';
import { configuredSpec, createCarrier } from '../carriers/factory.ts';
import type { Config } from '../config.ts';
import { replyWords, type ReplyWords } from '../compliance/opt-out.ts';
import { availableCarriers } from '../store/carrier-availability.ts';
import { deleteCarrierStatus, loadCarriers, writeCarrierStatus, type CarrierConfig } from '../store/carriers.ts';
import type { Db } from '../store/db.ts';
import { applyPartReceipts, applyPartReceiptsIn } from '../store/message-parts.ts';
import { acquireBindSlot, releaseBindSlot, renewBindSlot } from '../store/carrier-binds.ts';
import { expireReceiptWaits, recoverExpiredLeases, type ClaimedMessage, type SubmitOutcome } from '../store/messages.ts';
import { staleInboundPartCarriers, storeStaleInboundParts } from '../store/inbound-parts.ts';
import type { StoredInbound } from '../store/inbound.ts';
import { pruneBefore } from '../store/retention.ts';
import { listRoutes } from '../store/routes.ts';
import { sentWithoutReceiptPage } from '../store/sent-pages.ts';
import { MO_PART_TIMEOUT_MS, moInputFor, storeCarrierInbound } from './inbound-input.ts';
import { ReceiptSink } from '../store/receipt-sink.ts';
import { Router, SANDBOX } from './router.ts';
import { DeliveryWorker } from './worker.ts';

/** Counts by outcome, reported to whoever keeps the metrics. */
export type OutcomeCounts = Record<string, number>;

const MAINTENANCE_MS = 5_000;
const RETENTION_EVERY_MS = 3_600_000;
const STATUS_MS = 1_000;

interface Running {
  carrier: Carrier;
  sink: ReceiptSink;
  worker: DeliveryWorker;
  /** carriers.updated_at of the configuration it runs (a change restarts it). */
  version: number;
  /** The cluster-wide bind slot this node leases for it. */
  slot?: number;
  started: number;
}

/**
 * Rows the sandbox claims (and records as sent) in one statement at most. Its statements hold SQLite's
 * write lock, and the API's commits wait behind them: 500 rows held it up to 10 ms.
 */
const SANDBOX_CLAIM = 128;

/**
 * The delivery side of a node: one carrier + receipt sink + worker per configured carrier (the
 * sandbox always runs), routing, lease and receipt-timeout maintenance and carrier status. Stored
 * receipts and inbound messages are announced through `pushWork` to the callback pusher, which runs in a
 * thread of its own (notify/thread.ts).
 *
 * Carriers come from the carriers table, re-read every `carrierPollMs`: added ones start, removed
 * ones stop (unbind), changed ones restart. Routing is decided when a worker claims (each worker's
 * claim carries its carrier's route condition), so a message waiting in the queue follows the
 * routes in force when it is sent, and a removed carrier's queued messages go elsewhere.
 * Each SMPP carrier's status is written to carrier_status every second for `usms carrier status`.
 *
 * A node runs an SMPP carrier only while it leases one of the carrier's bind slots (carrier_binds):
 * the carrier's `binds` limit holds across the cluster. The lease is renewed at every reload; a node
 * that fails to renew stops the bind, and a dead node's slot is taken over when its lease expires.
 */
export class DeliveryRuntime {
  private readonly running = new Map<string, Running>();
  private readonly box: SecretBox;
  private readonly node = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private router = new Router([]);
  /** Carriers that take messages now, on any node (carrier_status), the sandbox always. */
  private available: ReadonlySet<string> = new Set([SANDBOX]);
  private configs: CarrierConfig[] = [];
  private timers: NodeJS.Timeout[] = [];
  private reloading: Promise<void> | undefined;
  private stopping = false;
  private lastRetention = 0;
  /** Checked when the configuration was loaded: compiled once here for every carrier. */
  private readonly replyWords: ReplyWords;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly report: (counts: OutcomeCounts) => void,
    /** Callback items were queued (receipts or inbound messages stored). */
    private readonly pushWork: () => void,
    /**
     * The sandbox's handle. It may commit without waiting for the disk (store/db.ts
     * openRelaxedDatabase): after a power loss a lost claim-as-sent leaves its message queued, to be
     * claimed again, and a lost receipt leaves its message `sent`, so its receipt is issued again
     * (carriers/sandbox.ts). Nothing is lost; a message may be "delivered" twice.
     */
    private readonly sandboxDb: Db = db,
  ) {
    this.box = SecretBox.open(config.dataDir, config.masterKey);
    this.replyWords = replyWords(config.optOutWords, config.optInWords);
  }

  async start(): Promise<void> {
    // Routes first: a sandbox started before the carriers are known would claim their messages.
    await this.reload();
    const sandboxDb = this.sandboxDb;
    const sandbox = createCarrier(
      { kind: 'sandbox', config: this.config.sandbox, owedReceipts: (limit, after, before) => sentWithoutReceiptPage(sandboxDb, SANDBOX, limit, after, before) },
      this.carrierDeps(),
    );
    const claim = Math.min(this.config.workerBatchSize, SANDBOX_CLAIM);
    await this.startCarrier(sandbox, claim, { maxHeld: claim }, 0);
    await this.maintain();
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const t = setInterval(() => fn().catch((err) => this.log.error({ err }, `${what} failed`)), ms);
      this.timers.push(t);
    };
    every(this.config.carrierPollMs, () => this.reload(), 'reloading carriers');
    every(STATUS_MS, () => this.writeStatus(), 'writing carrier status');
    every(MAINTENANCE_MS, () => this.maintain(), 'delivery maintenance');
  }

  notify(): void {
    for (const r of this.running.values()) r.worker.notify();
  }

  /** Finishes the batches in hand, unbinds every carrier and stores the receipts already received. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.reloading;
    const all = [...this.running.values()];
    await Promise.all(all.map((r) => r.worker.stop()));
    await Promise.all(all.map((r) => r.carrier.stop()));
    await Promise.all(all.map((r) => r.sink.close()));
    await Promise.all(all.map((r) => this.releaseSlot(r).catch(() => undefined)));
    await deleteCarrierStatus(this.db, all.map((r) => r.carrier.name).filter((n) => n !== SANDBOX)).catch(() => undefined);
  }

  /** Re-reads the carriers table; overlapping calls share one run. */
  reload(): Promise<void> {
    this.reloading ??= this.doReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(): Promise<void> {
    if (this.stopping) return;
    const configs = await loadCarriers(this.db, this.box);
    this.configs = configs;
    this.router = new Router(await listRoutes(this.db));
    const wanted = new Map(configs.map((c) => [c.name, c]));
    for (const [name, r] of this.running) {
      if (name === SANDBOX) continue;
      const c = wanted.get(name);
      const leased = r.slot === undefined || (await renewBindSlot(this.db, name, r.slot, this.node, this.bindLeaseMs()));
      if (!c || c.updatedAt !== r.version || !leased) {
        this.running.delete(name);
        if (!leased) this.log.warn({ carrier: name, slot: r.slot }, 'bind lease lost to another node: unbinding');
        else this.log.info({ carrier: name }, c ? 'carrier changed: restarting it' : 'carrier removed: stopping it');
        await r.worker.stop();
        await r.carrier.stop();
        await r.sink.close();
        if (!c) {
          await this.releaseSlot(r);
          await deleteCarrierStatus(this.db, [name]);
        }
      }
    }
    for (const c of configs) {
      if (this.running.has(c.name) || this.stopping) continue;
      const slot = await acquireBindSlot(this.db, c.name, c.binds, this.node, this.bindLeaseMs());
      if (slot === undefined) continue; // every bind this carrier allows is held by other nodes
      let carrier: Carrier;
      try {
        carrier = createCarrier(configuredSpec(c), this.carrierDeps());
      } catch (err) {
        // A carrier whose settings cannot be read must not keep the others from starting.
        this.log.error({ err, carrier: c.name }, 'carrier settings unusable: not started');
        await releaseBindSlot(this.db, c.name, slot, this.node);
        continue;
      }
      // Little enough to finish within a lease at the rate cap. Under at-most-once the worker holds at
      // most a window plus the prefetch of claimed, unrecorded messages: if this node dies, the messages
      // it had claimed become unknown (in flight, answered and not yet recorded, or prefetched).
      const { window, prefetch, throughput } = carrier.capacity;
      const byRate = throughput > 0 ? Math.floor((throughput * this.config.leaseMs) / 1000 / 3) : Infinity;
      const maxHeld = Math.max(1, Math.min(carrier.atLeastOnce ? window * 8 : window + prefetch, 2 * this.config.workerBatchSize, byRate));
      // Outcomes are recorded once a quarter of what is in flight is done (of the window, not the prefetch).
      const recordAfter = Math.max(1, Math.ceil(Math.min(maxHeld, carrier.atLeastOnce ? maxHeld : window) / 4));
      await this.startCarrier(carrier, Math.min(this.config.workerBatchSize, maxHeld), { maxHeld, recordAfter }, c.updatedAt, slot, c);
      this.log.info({ carrier: c.name, kind: carrier.kind, slot, routes: this.router.describe() }, 'carrier started');
    }
  }

  private carrierDeps() {
    // A submit must finish well within the lease, or the lease recovery would call it unknown.
    const bound = Math.max(1_000, Math.floor(this.config.leaseMs / 3));
    const base = this.config.publicUrl;
    return { log: this.log, queueTimeoutMs: bound, maxResponseTimeoutMs: bound, receiptUrl: (name: string) => (base ? `${base}/carriers/${encodeURIComponent(name)}/receipts` : '') };
  }

  /** Carriers that take messages: those running here as they are now, and those other nodes report ready. */
  private async refreshAvailability(): Promise<void> {
    const next = new Set([SANDBOX, ...(await availableCarriers(this.db))]);
    for (const [name, r] of this.running) {
      if (r.worker.takesMessages()) next.add(name);
      else if (!this.runsElsewhere(name)) next.delete(name);
    }
    const same = next.size === this.available.size && [...next].every((n) => this.available.has(n));
    if (!same) {
      const was = this.available;
      this.available = next;
      for (const n of new Set([...was, ...next])) if (was.has(n) !== next.has(n)) this.log.info({ carrier: n }, next.has(n) ? 'carrier takes messages' : 'carrier does not take messages: its routes fail over');
      this.notify();
    }
  }

  /** Whether another node may run this carrier too (it allows several binds). */
  private runsElsewhere(name: string): boolean {
    return (this.configs.find((c) => c.name === name)?.binds ?? 1) > 1;
  }

  /** Bind leases outlive a few reloads, so one slow reload does not lose them. */
  private bindLeaseMs(): number {
    return Math.max(10_000, 3 * this.config.carrierPollMs);
  }

  private async releaseSlot(r: Running): Promise<void> {
    if (r.slot !== undefined) await releaseBindSlot(this.db, r.carrier.name, r.slot, this.node);
  }

  /** `held`: how much the carrier's worker holds claimed and unrecorded (WorkerOptions). */
  private async startCarrier(
    carrier: Carrier,
    batchSize: number,
    held: { maxHeld: number; recordAfter?: number },
    version: number,
    slot?: number,
    config?: CarrierConfig,
  ): Promise<void> {
    const name = carrier.name;
    const inProcess = carrier.acceptsAll !== undefined;
    const db = inProcess ? this.sandboxDb : this.db;
    const sink = new ReceiptSink(
      db,
      name,
      this.log,
      (receipts) => {
        this.report(countBy(receipts.map((r) => r.code)));
        this.pushWork();
      },
      inProcess ? undefined : applyPartReceipts,
    );
    const worker = new DeliveryWorker(db, carrier, this.log, {
      batchSize,
      leaseMs: this.config.leaseMs,
      pollMs: this.config.pollMs,
      // The router keeps the filters it built, per carrier and carriers available.
      routeFilter: () => this.router.claimFilter(name, this.available),
      hasAlternative: (m: ClaimedMessage) => this.hasAlternative(name, m),
      onOutcomes: (outcomes: SubmitOutcome[]) => {
        this.report(countBy(outcomes.map((o) => o.result)));
        // Receipts that outran their submit response can match now.
        sink.retrySoon();
      },
      ...held,
    });
    // One commit for outcomes and receipts (receipts are matched per part first).
    if (!inProcess) worker.attachReceipts(sink, applyPartReceiptsIn);
    const inputOf = moInputFor(name, config?.sourceAddr ?? '', config?.moAccount ?? null, this.replyWords);
    const events: CarrierEvents = {
      receipts: (receipts) => sink.push(receipts),
      inbound: async (mo) => {
        if (await storeCarrierInbound(this.db, name, inputOf, mo, this.log)) this.pushWork();
      },
    };
    await carrier.start(events);
    worker.start();
    this.running.set(name, { carrier, sink, worker, version, slot, started: Date.now() });
  }

  private async maintain(): Promise<void> {
    // Once per node for every carrier: which expired leases may be requeued depends on the carrier's policy.
    const atLeastOnce = [SANDBOX, ...this.configs.filter((c) => c.policy === 'at-least-once').map((c) => c.name)];
    const leases = await recoverExpiredLeases(this.db, atLeastOnce);
    if (leases.requeued || leases.unknown) this.log.warn(leases, 'recovered messages from expired leases');
    const expired = await expireReceiptWaits(this.db, this.config.receiptTimeoutSeconds * 1000);
    if (expired) this.log.info({ count: expired }, 'messages without a receipt marked unknown');
    await this.storeStaleParts();
    if (this.config.retentionDays > 0 && Date.now() - this.lastRetention >= RETENTION_EVERY_MS) {
      this.lastRetention = Date.now();
      const pruned = await pruneBefore(this.db, Date.now() - this.config.retentionDays * 86_400_000);
      if (pruned.messages || pruned.sessions) this.log.info({ ...pruned, days: this.config.retentionDays }, 'pruned old messages and sessions');
    }
  }

  /**
   * Concatenated inbound messages still missing parts MO_PART_TIMEOUT_MS after their first part are
   * stored with what arrived, for every carrier (the DELETE ... RETURNING in store/inbound-parts.ts decides
   * between nodes). A carrier removed meanwhile has no settings left: its messages get no ExtendCode from
   * its source address and no fallback account.
   */
  private async storeStaleParts(): Promise<void> {
    const configs = new Map(this.configs.map((c) => [c.name, c]));
    const stored: StoredInbound[] = [];
    for (const carrier of await staleInboundPartCarriers(this.db, MO_PART_TIMEOUT_MS)) {
      const c = configs.get(carrier);
      stored.push(...(await storeStaleInboundParts(this.db, carrier, MO_PART_TIMEOUT_MS, moInputFor(carrier, c?.sourceAddr ?? '', c?.moAccount ?? null, this.replyWords))));
    }
    if (stored.length === 0) return;
    this.log.info({ count: stored.length, withoutAccount: stored.filter((m) => m.accountId === null).length }, 'stored inbound messages still missing parts');
    this.pushWork();
  }

  /** Whether a message this carrier refused may go to another carrier of its route now. */
  private hasAlternative(carrier: string, m: ClaimedMessage): boolean {
    const other = this.router.resolve({ id: Number(m.id), accountId: Number(m.account_id), e164: m.e164, avoidCarrier: carrier }, this.available);
    return other !== undefined && other !== carrier;
  }

  private async writeStatus(): Promise<void> {
    const rows = [];
    for (const r of this.running.values()) {
      if (r.carrier.name === SANDBOX) continue;
      rows.push({
        name: r.carrier.name, node: this.node, started_at: r.started, ...r.carrier.status(),
        ready: r.worker.takesMessages() ? 1 : 0, circuit: r.worker.circuit.state,
      });
    }
    await writeCarrierStatus(this.db, rows);
    await this.refreshAvailability();
  }
}

function countBy(keys: string[]): OutcomeCounts {
  const out: OutcomeCounts = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
