import { formatMoney } from '../billing/money.ts';
import { countsByDayAndRegion, type DayRegionCounts } from '../store/overview.ts';
import { billingEnabled, platformCurrency } from '../store/prices.ts';
import { DAY_MS } from '../store/statistics.ts';
import { accountFilter } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { optionalInt } from './input.ts';

export interface Totals {
  /** every accepted message */
  Sent: number;
  Delivered: number;
  /** undelivered, expired or failed */
  Failed: number;
  Unknown: number;
  /** not final yet */
  Pending: number;
  /** Delivered / Sent, 0..1, four decimals (0 when nothing was sent) */
  SuccessRate: number;
  /** What the messages cost, refunds deducted, in `Currency` ("0.15"): only once billing is on. */
  Spend?: string;
}

export interface Overview {
  /** the current UTC day */
  Today: Totals;
  /** oldest first, one entry for every day, today last */
  Days: Array<{ Date: string } & Totals>;
  /** over all the days, most messages first */
  Regions: Array<{ Region: string } & Totals>;
  /** The platform currency of every `Spend`: only once billing is on. */
  Currency?: string;
}

export const MAX_OVERVIEW_DAYS = 366;

/** The console's first page: messages by outcome today, for each of the last `days` UTC days, and by region. */
export async function overview(ctx: OperatorContext, q: { accountId?: number | string; days?: number | string; now?: number } = {}): Promise<Overview> {
  const accountId = accountFilter(ctx.actor, optionalInt(q.accountId, 'account', { min: 1 }));
  const days = optionalInt(q.days, 'days', { min: 1, max: MAX_OVERVIEW_DAYS }) ?? 30;
  const now = q.now ?? Date.now();
  const today = Math.floor(now / DAY_MS);
  const first = today - days + 1;
  // Spend next to volume once messages cost money; before that the answer keeps its old shape.
  const billing = await billingEnabled(ctx.db);
  const groups = await countsByDayAndRegion(ctx.db, { accountId, firstDay: first, lastDay: today, now, spend: billing });

  const byDay = new Map<number, Sums>();
  const byRegion = new Map<string, Sums>();
  for (const g of groups) {
    add(byDay, g.day, g);
    add(byRegion, g.region, g);
  }
  const out = (c: Sums | undefined) => totals(c, billing);
  const Days = [];
  for (let d = first; d <= today; d++) Days.push({ Date: new Date(d * DAY_MS).toISOString().slice(0, 10), ...out(byDay.get(d)) });
  const Regions = [...byRegion]
    .map(([Region, c]) => ({ Region, ...out(c) }))
    .sort((a, b) => b.Sent - a.Sent || a.Region.localeCompare(b.Region));
  return { Today: out(byDay.get(today)), Days, Regions, ...(billing && { Currency: await platformCurrency(ctx.db) }) };
}

type Sums = Omit<DayRegionCounts, 'day' | 'region'> & { spend: number };

function add<K>(into: Map<K, Sums>, key: K, c: DayRegionCounts): void {
  const t = into.get(key) ?? { sent: 0, delivered: 0, failed: 0, unknown: 0, pending: 0, spend: 0 };
  t.sent += c.sent;
  t.delivered += c.delivered;
  t.failed += c.failed;
  t.unknown += c.unknown;
  t.pending += c.pending;
  t.spend += c.spend ?? 0;
  into.set(key, t);
}

function totals(c: Sums | undefined, withSpend: boolean): Totals {
  const sent = c?.sent ?? 0;
  const delivered = c?.delivered ?? 0;
  return {
    Sent: sent,
    Delivered: delivered,
    Failed: c?.failed ?? 0,
    Unknown: c?.unknown ?? 0,
    Pending: c?.pending ?? 0,
    SuccessRate: sent === 0 ? 0 : Math.round((delivered / sent) * 10_000) / 10_000,
    ...(withSpend && { Spend: formatMoney(c?.spend ?? 0) }),
  };
}
