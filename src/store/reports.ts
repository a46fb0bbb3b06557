import type { Kysely } from 'kysely';
import { pow2Chunks } from './batching.ts';
import { BulkInsert } from './bulk-insert.ts';
import { accountsWithCallback, enqueueItems, MsgType, type ReceiptRecord } from './callbacks.ts';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import type { Database, MessageTable, ReportTable } from './schema.ts';

/** What a report and receipt push need of a message that just became final. */
export type FinalMessage = Pick<
  MessageTable,
  'account_id' | 'session_no' | 'phone' | 'region' | 'segments' | 'status' | 'receipt_code' | 'receipt_desc' | 'receipt_at' | 'updated_at' | 'user_id'
> & { id: number };

/**
 * Records what messages that just became final leave behind, in the caller's transaction: one report
 * per message for PullUSMSReport and, for accounts with a callback URL, one receipt push (MsgType 2,
 * a ReceiptRecord).
 * Both commit or roll back with the receipt itself. In id order.
 */
type ReportRow = Omit<ReportTable, 'id'> & Record<string, unknown>;
const insertReports = new BulkInsert<ReportRow>(
  ['account_id', 'message_id', 'session_no', 'phone', 'region', 'segments', 'status', 'receipt_code', 'receipt_desc', 'receipt_at', 'user_id', 'created_at'],
  (db, rows) => db.insertInto('reports').values(rows),
);

export async function recordFinalReports(trx: Kysely<Database>, messages: FinalMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const now = Date.now();
  const sorted = [...messages].sort((a, b) => a.id - b.id);
  for (const chunk of pow2Chunks(sorted, 128)) {
    const reports = chunk.map((r) => ({
      account_id: Number(r.account_id),
      message_id: Number(r.id),
      session_no: r.session_no,
      phone: r.phone,
      region: r.region,
      segments: Number(r.segments),
      status: r.status,
      receipt_code: r.receipt_code ?? '',
      receipt_desc: r.receipt_desc ?? '',
      receipt_at: Number(r.receipt_at ?? r.updated_at),
      user_id: r.user_id,
      created_at: now,
    }));
    await insertReports.execute(trx, reports);
    const pushTo = await accountsWithCallback(trx, [...new Set(reports.map((r) => r.account_id))]);
    if (pushTo.size === 0) continue;
    await enqueueItems(
      trx,
      reports
        .filter((r) => pushTo.has(r.account_id))
        .map((r) => ({ accountId: r.account_id, msgType: MsgType.Receipt, payload: JSON.stringify(receiptRecord(r)) })),
    );
  }
}

/** What a receipt push holds (store/callbacks.ts); notify/payloads.ts makes the customer's item of it. */
function receiptRecord(r: Omit<ReportTable, 'id'>): ReceiptRecord {
  return {
    session_no: r.session_no,
    phone: r.phone,
    segments: r.segments,
    receipt_at: r.receipt_at,
    status: r.status,
    receipt_code: r.receipt_code,
    receipt_desc: r.receipt_desc,
    user_id: r.user_id,
  };
}

export type PulledReport = Omit<ReportTable, 'id'> & { id: number };

/**
 * Takes (and deletes) up to `limit` of the account's oldest reports younger than the retention.
 * One DELETE ... RETURNING: a report goes to exactly one caller, also when pulls run concurrently
 * (SQLite runs it under the write lock; on PostgreSQL concurrent pulls skip each other's locked rows,
 * and a row deleted meanwhile is not returned).
 */
export async function pullReports(db: Db, accountId: number, limit: number, retentionMs: number): Promise<PulledReport[]> {
  const since = Date.now() - retentionMs;
  // The ids are picked once in a materialized CTE: PostgreSQL may re-run an `IN (subquery ... LIMIT)`
  // per outer row (nested loop), and with SKIP LOCKED each re-run picks further rows, ignoring the limit.
  const rows = await db
    .with(
      (wb) => wb('picked').materialized(),
      (qb) =>
        qb
          .selectFrom('reports')
          .select('id')
          .where('account_id', '=', accountId)
          .where('created_at', '>=', since)
          .orderBy('id')
          .limit(limit)
          .$if(isPostgres(db), (q) => q.forUpdate().skipLocked()),
    )
    .deleteFrom('reports')
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .where('account_id', '=', accountId)
    .returningAll()
    .execute();
  return rows
    .map((r) => ({
      ...r,
      id: Number(r.id),
      account_id: Number(r.account_id),
      message_id: Number(r.message_id),
      segments: Number(r.segments),
      receipt_at: Number(r.receipt_at),
      created_at: Number(r.created_at),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Deletes reports nobody pulled within the retention. */
export async function pruneReports(db: Db, retentionMs: number): Promise<number> {
  const res = await db.deleteFrom('reports').where('created_at', '<', Date.now() - retentionMs).executeTakeFirst();
  return Number(res.numDeletedRows);
}
