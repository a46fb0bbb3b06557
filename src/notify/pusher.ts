import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SecretBox } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import {
  claimItems,
  dueGroups,
  failPending,
  getCallbackUrl,
  markAttemptFailed,
  markDelivered,
  pruneDelivered,
  releaseItems,
  signingKey,
  type ClaimedItem,
  type MsgTypeValue,
  type PushGroup,
} from '../store/callbacks.ts';
import type { Db } from '../store/db.ts';
import { pruneReports } from '../store/reports.ts';
import { nextAttemptAt } from './backoff.ts';
import { postPush, type PushResult } from './http.ts';
import { renderItem } from './payloads.ts';
import { signPush } from './sign.ts';

export type PusherConfig = Pick<Config, 'callbacks' | 'reportRetentionHours' | 'dataDir' | 'masterKey'>;

const MAX_CONCURRENT = 8;
/** Requests in a row for one account and MsgType before the others get their turn. */
const MAX_ROUNDS = 20;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAINTENANCE_MS = 60_000;
/** A claim outlives the request's timeout by this much before someone else may take the items. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Sends the callback outbox (table callback_items) to the accounts' callback URLs: per account and
 * MsgType, up to `batchSize` items per signed request, one request in flight per account and type.
 * An item is marked delivered only when the receiver answers JSON `{"code":0}`; anything else is an
 * attempt that failed, retried with exponential backoff until `maxAttempts` / `maxAgeSeconds`, then
 * kept as `failed` (see `usms callbacks failed|retry`). Also prunes old reports and delivered items.
 */
export class CallbackPusher {
  readonly owner = `pusher-${randomUUID()}`;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private woken = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Where the next look for due groups goes on from (store/callbacks.ts dueGroups). */
  private groupCursor: PushGroup | undefined;
  private lastMaintenance = 0;
  private box?: SecretBox;

  constructor(
    private readonly db: Db,
    private readonly config: PusherConfig,
    private readonly log: Logger,
    private readonly post: (url: string, body: string, headers: Record<string, string>) => Promise<PushResult> = (url, body, headers) =>
      postPush(url, body, headers, { timeoutMs: config.callbacks.timeoutMs, maxResponseBytes: MAX_RESPONSE_BYTES }),
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** New items were queued: look now instead of at the next poll. */
  notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** Stops taking work and waits for the requests in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight.values());
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.maintain();
        if (this.inFlight.size < MAX_CONCURRENT) {
          const due = await dueGroups(this.db, 64, { after: this.groupCursor });
          this.groupCursor = due.next;
          for (const g of due.groups) {
            const key = `${g.accountId}:${g.msgType}`;
            if (this.inFlight.has(key) || this.inFlight.size >= MAX_CONCURRENT) continue;
            const task = this.pushGroup(g.accountId, g.msgType)
              .catch((err) => this.log.error({ err, accountId: g.accountId }, 'callback push failed; will retry'))
              .finally(() => {
                this.inFlight.delete(key);
                // A finished group may have more due items, and frees a slot.
                this.notify();
              });
            this.inFlight.set(key, task);
          }
        }
      } catch (err) {
        this.log.error({ err }, 'callback loop error; retrying');
      }
      await this.idle();
    }
  }

  /**
   * Requests for one account and MsgType, one at a time, while it has due items (at most
   * MAX_ROUNDS, then the group goes back in line). After a delivered request, marking its items and
   * claiming the next batch is one commit.
   */
  private async pushGroup(accountId: number, msgType: MsgTypeValue): Promise<void> {
    const cfg = this.config.callbacks;
    const url = await getCallbackUrl(this.db, accountId);
    if (!url) {
      const n = await failPending(this.db, accountId, msgType, 'no callback URL configured');
      if (n) this.log.warn({ accountId, count: n }, 'callback URL removed: pending pushes kept as failed');
      return;
    }
    const leaseMs = cfg.timeoutMs + LEASE_MARGIN_MS;
    let claimed = await claimItems(this.db, this.owner, accountId, msgType, cfg.batchSize, leaseMs);
    let key: { publicKey: string; secret: string } | undefined | null = null;
    for (let round = 1; claimed.length > 0; round++) {
      const { body, items, rest } = buildBody(msgType, claimed, cfg.maxBodyBytes);
      await releaseItems(this.db, this.owner, rest.map((i) => i.id));
      if (key === null) key = await signingKey(this.db, this.secretBox(), accountId);
      const result: PushResult = key ? await this.post(url, body, signPush(key, body)) : { ok: false, error: 'the account has no active API key to sign with' };
      if (!result.ok) {
        await this.failed(accountId, url, msgType, items, result);
        return;
      }
      const more = this.running && round < MAX_ROUNDS;
      claimed = await this.db.transaction().execute(async (trx) => {
        await markDelivered(trx, this.owner, items.map((i) => i.id));
        return more ? claimItems(trx, this.owner, accountId, msgType, cfg.batchSize, leaseMs) : [];
      });
    }
  }

  private async failed(accountId: number, url: string, msgType: MsgTypeValue, items: ClaimedItem[], result: PushResult): Promise<void> {
    const cfg = this.config.callbacks;
    const now = Date.now();
    // One retry time for the whole batch (the jitter would otherwise split it into several requests);
    // an item past its attempt or age limit still fails on its own.
    let shared: number | undefined;
    const outcomes = items.map((i) => {
      const retryAt = nextAttemptAt(i.attempts + 1, i.queuedAt, now, cfg);
      if (retryAt !== undefined) shared ??= retryAt;
      return { id: i.id, attempts: i.attempts + 1, retryAt: retryAt === undefined ? undefined : shared };
    });
    await markAttemptFailed(this.db, this.owner, result.error ?? 'failed', outcomes);
    const failed = outcomes.filter((o) => o.retryAt === undefined).length;
    const log = { accountId, url, msgType, items: items.length, attempt: outcomes[0]!.attempts, error: result.error };
    if (failed) this.log.warn({ ...log, failed }, 'callback push failed for good; see `usms callbacks failed`');
    else this.log.info(log, 'callback push failed; will retry');
  }

  private secretBox(): SecretBox {
    return (this.box ??= SecretBox.open(this.config.dataDir, this.config.masterKey));
  }

  private async maintain(): Promise<void> {
    const now = Date.now();
    if (now - this.lastMaintenance < MAINTENANCE_MS) return;
    this.lastMaintenance = now;
    const retentionMs = this.config.reportRetentionHours * 3600_000;
    const reports = await pruneReports(this.db, retentionMs);
    const delivered = await pruneDelivered(this.db, now - retentionMs);
    if (reports || delivered) this.log.info({ reports, delivered }, 'pruned old reports and delivered pushes');
  }

  private idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.config.callbacks.pollMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * The request body `{"MsgType":n,"Data":[...]}` with each stored item rendered as the customer's item
 * (payloads.ts), cut so it stays within `maxBytes` (always at least one item); `rest` did not fit and
 * goes back to the queue.
 */
export function buildBody(msgType: number, claimed: ClaimedItem[], maxBytes: number): { body: string; items: ClaimedItem[]; rest: ClaimedItem[] } {
  const head = `{"MsgType":${msgType},"Data":[`;
  const tail = ']}';
  let size = Buffer.byteLength(head) + Buffer.byteLength(tail);
  const parts: string[] = [];
  let n = 0;
  for (const item of claimed) {
    const rendered = renderItem(msgType, item.payload);
    const add = Buffer.byteLength(rendered) + (n > 0 ? 1 : 0);
    if (n > 0 && size + add > maxBytes) break;
    size += add;
    parts.push(rendered);
    n++;
  }
  return { body: head + parts.join(',') + tail, items: claimed.slice(0, n), rest: claimed.slice(n) };
}
