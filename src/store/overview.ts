import { sql, type Kysely } from 'kysely';
import type { Db } from './db.ts';
import type { Database, MessageStatus } from './schema.ts';
import { DAY_MS } from './statistics.ts';

/** Messages by outcome. */
export interface OutcomeCounts {
  /** every accepted message */
  sent: number;
  delivered: number;
  /** undelivered, expired or failed */
  failed: number;
  unknown: number;
  /** not final yet: queued, sending or sent */
  pending: number;
}

/** The counts of one UTC day (days since the epoch) and region. */
export interface DayRegionCounts extends OutcomeCounts {
  day: number;
  region: string;
  /** Micro-units the messages were charged, refunds deducted: only when asked for (`spend: true`). */
  spend?: number;
}

/**
 * A day is rolled up once it ended this long ago (the default receipt timeout: by then every message sent
 * that day has its receipt or is `unknown`) and none of its messages is pending any more.
 */
export const SETTLE_MS = 3 * DAY_MS;
/** Roll-ups older than this many days (the longest overview) are deleted when new days are rolled up. */
export const ROLLUP_KEEP_DAYS = 400;

const FAILED: MessageStatus[] = ['undelivered', 'expired', 'failed'];
const PENDING: MessageStatus[] = ['queued', 'held', 'sending', 'sent'];
const COUNTS = ['sent', 'delivered', 'failed', 'unknown', 'pending'] as const;

/**
 * Counts by UTC day and region of days `firstDay`..`lastDay` (days since the epoch), of one account or
 * (undefined) of all. Settled days come from the roll-up (rolled up here, on first use, for every account
 * at once); the days still changing are counted from the messages. The cost follows the unsettled days
 * (today and the three before, normally), not the length of the overview; a day that keeps a pending
 * message (one no carrier routes, say) is counted on every call until that message is final.
 *
 * A settled day is not counted again: a receipt that turns one of its `unknown` messages into another
 * outcome days later is not reflected, and messages that retention deletes stay counted.
 */
export async function countsByDayAndRegion(db: Db, q: { accountId?: number; firstDay: number; lastDay: number; now: number; spend?: boolean }): Promise<DayRegionCounts[]> {
  const spend = q.spend === true;
  const lastSettleable = Math.min(q.lastDay, Math.floor((q.now - SETTLE_MS) / DAY_MS) - 1);
  let settled = await settledDays(db, q.firstDay, lastSettleable);
  const toSettle = daysBetween(q.firstDay, lastSettleable).filter((d) => !settled.has(d));
  // Days that could not settle (a message still pending) were just counted: those counts serve this call.
  let counted: AccountDayRegionCounts[] = [];
  if (toSettle.length > 0) {
    counted = await settleDays(db, toSettle, q.now);
    settled = await settledDays(db, q.firstDay, lastSettleable);
  }
  const out: DayRegionCounts[] = settled.size === 0 ? [] : await rolledUp(db, q.firstDay, lastSettleable, q.accountId, spend);
  const fresh = new Map<string, DayRegionCounts>();
  for (const g of counted) {
    if (settled.has(g.day) || (q.accountId !== undefined && g.account_id !== q.accountId)) continue;
    const key = `${g.day}\u0000${g.region}`;
    const sum: DayRegionCounts = fresh.get(key) ?? { day: g.day, region: g.region, sent: 0, delivered: 0, failed: 0, unknown: 0, pending: 0, ...(spend && { spend: 0 }) };
    for (const c of COUNTS) sum[c] += g[c];
    if (spend) sum.spend! += g.spend ?? 0;
    fresh.set(key, sum);
  }
  out.push(...fresh.values());
  const attempted = new Set(toSettle);
  for (const [first, last] of runs(daysBetween(q.firstDay, q.lastDay).filter((d) => !settled.has(d) && !attempted.has(d)))) {
    out.push(...(await liveCountsByDayAndRegion(db, { accountId: q.accountId, from: first * DAY_MS, to: (last + 1) * DAY_MS, spend })));
  }
  return out;
}

/**
 * Counts by UTC day and region of the messages created in [from, to), of one account or (undefined) of
 * all, straight from the messages table: grouped in the database, only the groups come back.
 */
export async function liveCountsByDayAndRegion(db: Db, q: { accountId?: number; from: number; to: number; spend?: boolean }): Promise<DayRegionCounts[]> {
  const spend = q.spend === true;
  const rows = await countsQuery(db, q, false, spend).execute();
  return rows.map((r) => ({ day: Number(r.day), region: r.region, ...outcomes(r), ...spendOf(r, spend) }));
}

function countsQuery(db: Db, q: { accountId?: number; from: number; to: number }, byAccount: boolean, spend: boolean) {
  const day = sql<number>`${sql.ref('created_at')} / ${sql.lit(DAY_MS)}`;
  return db
    .selectFrom('messages')
    .$if(q.accountId !== undefined, (qb) => qb.where('account_id', '=', q.accountId!))
    .where('created_at', '>=', q.from)
    .where('created_at', '<', q.to)
    .select((eb) => {
      const countIf = (statuses: MessageStatus[]) => eb.fn.sum<number>(eb.case().when('status', 'in', statuses).then(eb.lit(1)).else(eb.lit(0)).end());
      return [
        day.as('day'),
        'region',
        // A constant when not grouping by account, so both shapes share one query.
        (byAccount ? sql<number>`${sql.ref('account_id')}` : sql<number>`0`).as('account_id'),
        eb.fn.countAll<number>().as('sent'),
        countIf(['delivered']).as('delivered'),
        countIf(FAILED).as('failed'),
        countIf(['unknown']).as('unknown'),
        countIf(PENDING).as('pending'),
      ];
    })
    // What was charged and not given back (a refund sets `refunded`, never changes `charge`).
    .$if(spend, (qb) => qb.select((eb) => eb.fn.sum<number>(eb.case().when('refunded', '=', 0).then(eb.ref('charge')).else(eb.lit(0)).end()).as('spend')))
    .groupBy(day)
    .groupBy('region')
    .$if(byAccount, (qb) => qb.groupBy('account_id'));
}

function outcomes(r: Record<(typeof COUNTS)[number], unknown>): OutcomeCounts {
  return { sent: Number(r.sent ?? 0), delivered: Number(r.delivered ?? 0), failed: Number(r.failed ?? 0), unknown: Number(r.unknown ?? 0), pending: Number(r.pending ?? 0) };
}

function spendOf(r: { spend?: unknown }, wanted: boolean): { spend?: number } {
  return wanted ? { spend: Number(r.spend ?? 0) } : {};
}

async function settledDays(db: Kysely<Database>, firstDay: number, lastDay: number): Promise<Set<number>> {
  if (lastDay < firstDay) return new Set();
  const rows = await db.selectFrom('message_days_settled').select('day').where('day', '>=', firstDay).where('day', '<=', lastDay).execute();
  return new Set(rows.map((r) => Number(r.day)));
}

async function rolledUp(db: Kysely<Database>, firstDay: number, lastDay: number, accountId: number | undefined, spend: boolean): Promise<DayRegionCounts[]> {
  const rows = await db
    .selectFrom('message_day_counts')
    .select((eb) => ['day', 'region', ...COUNTS.map((c) => eb.fn.sum<number>(c).as(c))])
    .$if(spend, (qb) => qb.select((eb) => eb.fn.sum<number>('spend').as('spend')))
    .where('day', '>=', firstDay)
    .where('day', '<=', lastDay)
    .$if(accountId !== undefined, (qb) => qb.where('account_id', '=', accountId!))
    .groupBy(['day', 'region'])
    .execute();
  return rows.map((r) => ({ day: Number(r.day), region: r.region, ...outcomes(r), ...spendOf(r, spend) }));
}

type AccountDayRegionCounts = DayRegionCounts & { account_id: number; spend: number };

/**
 * Rolls up `days` (ended at least SETTLE_MS ago) for every account: each day without pending messages gets
 * its counts and its settled mark in one transaction. Two nodes doing this at once write the same rows;
 * the second's are ignored. Returns the counts of all `days`, by account.
 */
async function settleDays(db: Db, days: number[], now: number): Promise<AccountDayRegionCounts[]> {
  const groups: AccountDayRegionCounts[] = [];
  for (const [first, last] of runs(days)) {
    // The roll-up keeps the spend whether or not this call shows it: a settled day is never counted again.
    const rows = await countsQuery(db, { from: first * DAY_MS, to: (last + 1) * DAY_MS }, true, true).execute();
    for (const r of rows) groups.push({ day: Number(r.day), account_id: Number(r.account_id), region: r.region, ...outcomes(r), spend: Number(r.spend ?? 0) });
  }
  const unsettled = new Set(groups.filter((g) => g.pending > 0).map((g) => g.day));
  const settle = days.filter((d) => !unsettled.has(d));
  if (settle.length === 0) return groups;
  const keep = new Set(settle);
  const rows = groups.filter((g) => keep.has(g.day));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('message_day_counts').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['day', 'account_id', 'region']).doNothing()).execute();
    }
    for (let i = 0; i < settle.length; i += 500) {
      await trx.insertInto('message_days_settled').values(settle.slice(i, i + 500).map((day) => ({ day, settled_at: now }))).onConflict((oc) => oc.column('day').doNothing()).execute();
    }
    const expired = Math.floor(now / DAY_MS) - ROLLUP_KEEP_DAYS;
    await trx.deleteFrom('message_day_counts').where('day', '<', expired).execute();
    await trx.deleteFrom('message_days_settled').where('day', '<', expired).execute();
  });
  return groups;
}

function daysBetween(first: number, last: number): number[] {
  const days: number[] = [];
  for (let d = first; d <= last; d++) days.push(d);
  return days;
}

/** Ascending days as runs of consecutive days: [[first, last], ...]. */
function runs(days: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}
