import type { Logger } from 'pino';
import {
  DEFAULT_SEND_LIMITS,
  MAX_BURST_WINDOW_MS,
  SendLimitsError,
  effectiveLimits,
  formatWindow,
  isBurst,
  isPurpose,
  parseOverrides,
  parseRegions,
  phoneLimitHit,
  phoneLimitReason,
  rangeOf,
  rangeUpperBound,
  regionRefusal,
  PURPOSE_NAMES,
  type Purpose,
  type SendLimits,
} from '../compliance/send-limits.ts';
import { accountLimits } from '../store/account-limits.ts';
import type { Db } from '../store/db.ts';
import { alarmsOfAccount, openAlarm } from '../store/pumping-alarms.ts';
import { phoneCounts, rangePhones } from '../store/send-counts.ts';

/** One accepted target as the send policy sees it. */
export interface PolicyItem {
  e164: string;
  /** ISO 3166 code of the destination */
  region: string;
  /** the template's Purpose: 1 verification code, 2 notification, 3 marketing */
  purpose: number;
}

export type PolicyVerdict =
  | { ok: true; held?: false }
  /** accepted, but paused by a pumping alarm until the operator releases or drops it */
  | { ok: true; held: true }
  | { ok: false; reason: string };

/** How long an account's settings and alarms are trusted: a change by the operator bites within it. */
const SETTINGS_TTL_MS = 1_000;

interface AccountPolicy {
  regions: ReadonlySet<string> | undefined;
  limits: SendLimits;
  /** Ranges with an open alarm; this process adds the ones it opens. */
  openRanges: Set<string>;
  /** When each range's last alarm was released. */
  releasedAt: Map<string, number>;
}

const OK: PolicyVerdict = Object.freeze({ ok: true });
const HELD: PolicyVerdict = Object.freeze({ ok: true, held: true });

/**
 * Pumping protection and country allow-lists for one request's targets, in request order:
 * 1. a destination country the account has not enabled is refused;
 * 2. a phone that already had its share of messages of the purpose within a window is refused
 *    (compliance/send-limits.ts), counting the stored messages and the earlier targets of the request;
 * 3. a target to a number range that has more distinct phones within the burst window than the
 *    purpose allows is held, and the range gets an alarm for the operator (opened once); every later
 *    target to a range with an open alarm is held too, whatever its purpose. After a release the range
 *    counts afresh from the release.
 *
 * Counts are read before the request is written. Within one process, requests to the same limited
 * phone take turns from their check to their commit (`reserve`); requests on other HTTP threads or
 * nodes do not see each other: together they can exceed a limit by as many messages as they overlap.
 * Settings and alarms are cached for up to SETTINGS_TTL_MS: a request that still saw an alarm as open
 * after the operator closed it stores its messages as held; releasing (or dropping) the alarm again
 * takes them (operator/alarms.ts, which shows them as Held on the closed alarm).
 */
export class SendPolicy {
  private policies = new Map<number, { value: Promise<AccountPolicy>; until: number }>();
  /** Per account and phone, the last request of this process holding it (see `reserve`). */
  private holders = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  async check(accountId: number, items: readonly PolicyItem[]): Promise<PolicyVerdict[]> {
    const verdicts: PolicyVerdict[] = items.map(() => OK);
    if (items.length === 0) return verdicts;
    const policy = await this.policy(accountId);
    const now = Date.now();
    const purposeOf = (i: number): Purpose => (isPurpose(items[i]!.purpose) ? (items[i]!.purpose as Purpose) : 2);

    let live: number[] = [];
    for (let i = 0; i < items.length; i++) {
      if (policy.regions && !policy.regions.has(items[i]!.region)) verdicts[i] = { ok: false, reason: regionRefusal(items[i]!.region) };
      else live.push(i);
    }

    live = await this.perPhone(accountId, items, live, purposeOf, policy.limits, verdicts, now);
    await this.bursts(accountId, items, live, purposeOf, policy, verdicts, now);
    return verdicts;
  }

  /**
   * Makes requests of this process to the same limited phones take turns from their check until their
   * write: a second "send code" a click after the first then counts the first, which a check alone
   * would not see before it is stored. Resolves once earlier holders are done; call the returned
   * function after the write (or its failure). Other processes and nodes still race (see above).
   */
  async reserve(accountId: number, items: readonly PolicyItem[]): Promise<() => void> {
    const { limits } = await this.policy(accountId);
    const keys = [...new Set(items.filter((it) => limits[isPurpose(it.purpose) ? (it.purpose as Purpose) : 2].perPhone.length > 0).map((it) => `${accountId}\u0000${it.e164}`))];
    if (keys.length === 0) return () => {};
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const earlier = keys.flatMap((k) => {
      const held = this.holders.get(k);
      this.holders.set(k, done);
      return held ? [held] : [];
    });
    await Promise.all(earlier);
    return () => {
      release();
      for (const k of keys) if (this.holders.get(k) === done) this.holders.delete(k);
    };
  }

  /** Refuses the targets over a per-phone rate; returns the ones still going. */
  private async perPhone(
    accountId: number, items: readonly PolicyItem[], live: number[], purposeOf: (i: number) => Purpose,
    limits: SendLimits, verdicts: PolicyVerdict[], now: number,
  ): Promise<number[]> {
    const limited = live.filter((i) => limits[purposeOf(i)].perPhone.length > 0);
    if (limited.length === 0) return live;
    const purposes = [...new Set(limited.map(purposeOf))];
    const windows = [...new Set(purposes.flatMap((p) => limits[p].perPhone.map((r) => r.windowMs)))];
    const stored = await phoneCounts(this.db, accountId, limited.map((i) => items[i]!.e164), purposes, windows.map((w) => now - w));
    const added = new Map<string, number>();
    const refused = new Set<number>();
    for (const i of limited) {
      const { e164 } = items[i]!;
      const purpose = purposeOf(i);
      const rates = limits[purpose].perPhone;
      const key = `${purpose}${e164}`;
      const inRequest = added.get(key) ?? 0;
      const counts = stored.get(e164)?.get(purpose);
      const hit = phoneLimitHit(rates, rates.map((r) => (counts?.[windows.indexOf(r.windowMs)] ?? 0) + inRequest));
      if (hit) {
        verdicts[i] = { ok: false, reason: phoneLimitReason(purpose, hit) };
        refused.add(i);
      } else {
        added.set(key, inRequest + 1);
      }
    }
    return refused.size ? live.filter((i) => !refused.has(i)) : live;
  }

  /** Holds the targets of a burst to one range, and those to a range with an open alarm. */
  private async bursts(
    accountId: number, items: readonly PolicyItem[], live: number[], purposeOf: (i: number) => Purpose,
    policy: AccountPolicy, verdicts: PolicyVerdict[], now: number,
  ): Promise<void> {
    const watched = live.filter((i) => policy.limits[purposeOf(i)].rangeBurst !== null);
    if (watched.length === 0 && policy.openRanges.size === 0) return;

    // The distinct phones each (range, purpose) already had within its window, read once per request.
    const seen = new Map<string, Set<string>>();
    for (const i of watched) {
      const purpose = purposeOf(i);
      const range = rangeOf(items[i]!.e164);
      const key = `${purpose}${range}`;
      if (seen.has(key) || policy.openRanges.has(range)) continue;
      const rate = policy.limits[purpose].rangeBurst!;
      const since = Math.max(now - rate.windowMs, (policy.releasedAt.get(range) ?? 0) + 1);
      const phones = await rangePhones(this.db, accountId, { prefix: range, upper: rangeUpperBound(range), purpose, since, limit: rate.count + 1 });
      seen.set(key, new Set(phones));
    }

    for (const i of live) {
      const { e164 } = items[i]!;
      const range = rangeOf(e164);
      if (policy.openRanges.has(range)) {
        verdicts[i] = HELD;
        continue;
      }
      const purpose = purposeOf(i);
      const rate = policy.limits[purpose].rangeBurst;
      const phones = rate && seen.get(`${purpose}${range}`);
      if (!rate || !phones || phones.has(e164)) continue;
      if (!isBurst(rate, phones.size + 1)) {
        phones.add(e164);
        continue;
      }
      verdicts[i] = HELD;
      policy.openRanges.add(range);
      const detail = `more than ${rate.count} distinct numbers of ${range} in ${formatWindow(rate.windowMs)} for ${PURPOSE_NAMES[purpose]}`;
      const alarm = await openAlarm(this.db, accountId, range, detail, now);
      if (alarm.created) {
        this.log?.warn({ accountId, range, alarmId: alarm.id, detail }, 'pumping alarm: messages to this number range are held until an operator releases or drops them (usms alarm list)');
      }
    }
  }

  /** The account's allow-list, limits and alarms, read at most once a second. */
  private policy(accountId: number): Promise<AccountPolicy> {
    const hit = this.policies.get(accountId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = this.load(accountId);
    this.policies.set(accountId, { value, until: Date.now() + SETTINGS_TTL_MS });
    value.catch(() => this.policies.delete(accountId));
    return value;
  }

  private async load(accountId: number): Promise<AccountPolicy> {
    const stored = await accountLimits(this.db, accountId);
    let limits = DEFAULT_SEND_LIMITS;
    try {
      limits = effectiveLimits(parseOverrides(stored?.sendLimits ?? ''));
    } catch (err) {
      // Only the operator layer writes them, checked; should they be damaged, the defaults are the safe side.
      if (!(err instanceof SendLimitsError)) throw err;
      this.log?.warn({ accountId, err: err.message }, 'unreadable send limits: the defaults apply');
    }
    // Releases older than the longest burst window no longer shorten any window.
    const alarms = await alarmsOfAccount(this.db, accountId, Date.now() - MAX_BURST_WINDOW_MS);
    return { regions: parseRegions(stored?.allowedRegions ?? ''), limits, openRanges: alarms.open, releasedAt: alarms.releasedAt };
  }
}
