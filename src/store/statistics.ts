import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { MessageStatus } from './schema.ts';

export const DAY_MS = 86_400_000;

export interface StatsQuery {
  accountId: number;
  /** Unix ms, inclusive / exclusive (UTC day boundaries). */
  from: number;
  to: number;
  /** true: region CN only; false: everything but CN; undefined: both. */
  domestic?: boolean;
  brevityCode?: string;
  /** Only messages of templates with this purpose (1 verification, 2 notification, 3 marketing). */
  purpose?: number;
  templateIds?: string[];
  /** Also group by template. */
  byTemplate: boolean;
}

export interface StatsGroup {
  /** Days since the epoch (UTC). */
  day: number;
  region: string;
  templateId: string;
  count: number;
  cost: number;
  success: number;
  successCost: number;
  failed: number;
  failedCost: number;
  submitFailed: number;
  submitFailedCost: number;
  /** What the messages cost net of refunds, in micro-units. */
  spend: number;
}

const SUCCESS: MessageStatus[] = ['delivered'];
const FAILED: MessageStatus[] = ['undelivered', 'expired'];
const SUBMIT_FAILED: MessageStatus[] = ['failed'];

/**
 * Message counts and billed segments per UTC day and region (and template), by outcome, computed
 * from the messages table. The day is `created_at / 86400000`: integer division of an integer column
 * by an integer literal, which truncates on SQLite and PostgreSQL alike (times are positive), so the
 * grouping happens in the database and only the groups come back.
 */
export async function sendStatistics(db: Db, q: StatsQuery): Promise<StatsGroup[]> {
  const day = sql<number>`${sql.ref('m.created_at')} / ${sql.lit(DAY_MS)}`;
  const rows = await db
    .selectFrom('messages as m')
    .$if(q.purpose !== undefined, (qb) =>
      qb
        .innerJoin('templates as t', (join) => join.onRef('t.id', '=', 'm.template_id').onRef('t.account_id', '=', 'm.account_id'))
        .where('t.purpose', '=', q.purpose!),
    )
    .where('m.account_id', '=', q.accountId)
    .where('m.created_at', '>=', q.from)
    .where('m.created_at', '<', q.to)
    .$if(q.domestic === true, (qb) => qb.where('m.region', '=', 'CN'))
    .$if(q.domestic === false, (qb) => qb.where('m.region', '<>', 'CN'))
    .$if(q.brevityCode !== undefined, (qb) => qb.where('m.region', '=', q.brevityCode!))
    .$if(q.templateIds !== undefined, (qb) => qb.where('m.template_id', 'in', q.templateIds!))
    .select((eb) => {
      const countIf = (statuses: MessageStatus[]) => eb.fn.sum<number>(eb.case().when('m.status', 'in', statuses).then(eb.lit(1)).else(eb.lit(0)).end());
      const costIf = (statuses: MessageStatus[]) => eb.fn.sum<number>(eb.case().when('m.status', 'in', statuses).then(eb.ref('m.segments')).else(eb.lit(0)).end());
      return [
        day.as('day'),
        'm.region',
        // A constant when not grouping by template, so both shapes share one query.
        (q.byTemplate ? sql<string>`${sql.ref('m.template_id')}` : sql<string>`''`).as('template_id'),
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number>('m.segments').as('cost'),
        countIf(SUCCESS).as('success'),
        costIf(SUCCESS).as('success_cost'),
        countIf(FAILED).as('failed'),
        costIf(FAILED).as('failed_cost'),
        countIf(SUBMIT_FAILED).as('submit_failed'),
        costIf(SUBMIT_FAILED).as('submit_failed_cost'),
        eb.fn.sum<number>(eb.case().when('m.refunded', '=', 0).then(eb.ref('m.charge')).else(eb.lit(0)).end()).as('spend'),
      ];
    })
    .groupBy(day)
    .groupBy('m.region')
    .$if(q.byTemplate, (qb) => qb.groupBy('m.template_id'))
    .execute();
  return rows.map((r) => ({
    day: Number(r.day),
    region: r.region,
    templateId: r.template_id,
    count: Number(r.count),
    cost: Number(r.cost ?? 0),
    success: Number(r.success ?? 0),
    successCost: Number(r.success_cost ?? 0),
    failed: Number(r.failed ?? 0),
    failedCost: Number(r.failed_cost ?? 0),
    submitFailed: Number(r.submit_failed ?? 0),
    submitFailedCost: Number(r.submit_failed_cost ?? 0),
    spend: Number(r.spend ?? 0),
  }));
}
