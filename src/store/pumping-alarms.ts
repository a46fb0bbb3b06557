import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { rangeUpperBound } from '../compliance/send-limits.ts';
import type { Db } from './db.ts';
import { refundFailed } from './ledger.ts';
import { recordFinalReports, type FinalMessage } from './reports.ts';
import type { Database, MessageStatus, PumpingAlarmTable } from './schema.ts';

/**
 * Alarms for bursts to one number range (migration 015) and the messages they hold.
 *
 * A held message waits with status 'held', which delivery never claims. Releasing the alarm queues the
 * account's held messages of the range; dropping it fails them (receipt code HELD), gives their charge
 * back and leaves a final report, each in one transaction with the alarm's change.
 *
 * Held messages are found through the partial index messages_held (account_id, e164) where status =
 * 'held': the status is written as a literal, since SQLite uses a partial index only when the query
 * repeats its condition as written.
 */

export type AlarmStatus = PumpingAlarmTable['status'];

export interface PumpingAlarm {
  id: number;
  accountId: number;
  rangePrefix: string;
  status: AlarmStatus;
  detail: string;
  openedAt: number;
  closedAt: number | null;
  closedBy: string | null;
}

const toAlarm = (r: Record<string, unknown>): PumpingAlarm => ({
  id: Number(r.id),
  accountId: Number(r.account_id),
  rangePrefix: String(r.range_prefix),
  status: r.status as AlarmStatus,
  detail: String(r.detail),
  openedAt: Number(r.opened_at),
  closedAt: r.closed_at == null ? null : Number(r.closed_at),
  closedBy: r.closed_by == null ? null : String(r.closed_by),
});

/** What a send must know of an account's ranges: which have an open alarm, and when each was last released. */
export interface RangeAlarms {
  open: Set<string>;
  releasedAt: Map<string, number>;
}

/** Bounds the read; an account with more open alarms than this has far bigger problems than a late hold. */
const MAX_ALARMS_READ = 10_000;

/** The account's open alarms, and its releases since `releasedSince`. */
export async function alarmsOfAccount(db: Db, accountId: number, releasedSince: number): Promise<RangeAlarms> {
  const out: RangeAlarms = { open: new Set(), releasedAt: new Map() };
  const rows = await db
    .selectFrom('pumping_alarms')
    .select(['range_prefix', 'status', 'closed_at'])
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('status', '=', 'open'), eb.and([eb('status', '=', 'released'), eb('closed_at', '>=', releasedSince)])]))
    .orderBy('status')
    .limit(MAX_ALARMS_READ)
    .execute();
  for (const r of rows) {
    if (r.status === 'open') out.open.add(r.range_prefix);
    else out.releasedAt.set(r.range_prefix, Math.max(out.releasedAt.get(r.range_prefix) ?? 0, Number(r.closed_at)));
  }
  return out;
}

/**
 * Opens an alarm for the range unless one is open already; `created` says which. One statement, so
 * requests racing on one database open it once (on SQLite always; on PostgreSQL two transactions that
 * start together may both open one, and closing an alarm closes the range's other open ones).
 */
export async function openAlarm(db: Db, accountId: number, rangePrefix: string, detail: string, now = Date.now()): Promise<{ id: number; created: boolean }> {
  const inserted = await sql<{ id: number }>`
    insert into pumping_alarms (account_id, range_prefix, status, detail, opened_at)
    select ${accountId}, ${rangePrefix}, 'open', ${detail}, ${now}
     where not exists (select 1 from pumping_alarms where account_id = ${accountId} and status = 'open' and range_prefix = ${rangePrefix})
    returning id`.execute(db);
  if (inserted.rows[0]) return { id: Number(inserted.rows[0].id), created: true };
  const open = await db
    .selectFrom('pumping_alarms')
    .select('id')
    .where('account_id', '=', accountId)
    .where('status', '=', 'open')
    .where('range_prefix', '=', rangePrefix)
    .orderBy('id')
    .executeTakeFirst();
  return { id: Number(open?.id ?? 0), created: false };
}

export async function getAlarm(db: Kysely<Database>, id: number): Promise<PumpingAlarm | undefined> {
  const row = await db.selectFrom('pumping_alarms').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAlarm(row);
}

/** Newest first; `accountId` undefined: every account's. */
export async function listAlarms(db: Db, q: { accountId?: number; status?: AlarmStatus; before?: number; limit: number }): Promise<PumpingAlarm[]> {
  let query = db.selectFrom('pumping_alarms').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return (await query.execute()).map(toAlarm);
}

/** The account's messages of the range still held. */
function heldInRange(eb: ExpressionBuilder<Database, 'messages'>, accountId: number, rangePrefix: string) {
  const upper = rangeUpperBound(rangePrefix);
  return eb.and([
    eb('account_id', '=', accountId),
    eb('status', '=', sql.lit<MessageStatus>('held')),
    eb('e164', '>=', rangePrefix),
    upper === undefined ? eb('e164', 'like', `${rangePrefix}%`) : eb('e164', '<', upper),
  ]);
}

export async function heldCount(db: Kysely<Database>, accountId: number, rangePrefix: string): Promise<number> {
  const row = await heldCountQuery(db, accountId, rangePrefix).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The read behind heldCount (exported for its plan test). */
export function heldCountQuery(db: Kysely<Database>, accountId: number, rangePrefix: string) {
  return db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => heldInRange(eb, accountId, rangePrefix));
}

export type AlarmOutcome =
  | { ok: true; alarm: PumpingAlarm; messages: number }
  | { ok: false; why: 'not-found' | 'closed'; alarm?: PumpingAlarm };

/**
 * Closes the alarm as `outcome` and applies it to the account's held messages of the range. An alarm
 * already closed the same way applies it again (to messages a request that read the alarm as open
 * stored after it was closed); one closed the other way is refused.
 */
export async function closeAlarm(db: Db, id: number, outcome: 'released' | 'dropped', actor: string, now = Date.now()): Promise<AlarmOutcome> {
  return db.transaction().execute(async (trx) => {
    const alarm = await getAlarm(trx, id);
    if (!alarm) return { ok: false, why: 'not-found' };
    if (alarm.status !== 'open' && alarm.status !== outcome) return { ok: false, why: 'closed', alarm };
    await trx
      .updateTable('pumping_alarms')
      .set({ status: outcome, closed_at: now, closed_by: actor })
      .where('account_id', '=', alarm.accountId)
      .where('range_prefix', '=', alarm.rangePrefix)
      .where((eb) => eb.or([eb('status', '=', 'open'), eb('id', '=', id)]))
      .execute();
    const held = (eb: ExpressionBuilder<Database, 'messages'>) => heldInRange(eb, alarm.accountId, alarm.rangePrefix);
    let messages: number;
    if (outcome === 'released') {
      const res = await trx.updateTable('messages').set({ status: 'queued', next_attempt_at: now, updated_at: now }).where(held).executeTakeFirst();
      messages = Number(res.numUpdatedRows);
    } else {
      const rows = await trx
        .updateTable('messages')
        .set({ status: 'failed', receipt_code: 'HELD', receipt_desc: `dropped by the operator (pumping alarm ${id})`, receipt_at: now, updated_at: now })
        .where(held)
        .returning(['id', 'account_id', 'session_no', 'phone', 'region', 'segments', 'status', 'receipt_code', 'receipt_desc', 'receipt_at', 'updated_at', 'user_id', 'smpp_receipt'])
        .execute();
      const final: FinalMessage[] = rows.map((r) => ({ ...r, id: Number(r.id), smpp_receipt: Number(r.smpp_receipt ?? 0) }));
      // The charge of a message no carrier took comes back, and the customer gets its final receipt.
      await refundFailed(trx, final.map((r) => r.id), actor);
      await recordFinalReports(trx, final);
      messages = final.length;
    }
    return { ok: true, alarm: (await getAlarm(trx, id))!, messages };
  });
}
