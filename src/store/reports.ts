import type { Kysely } from 'kysely';
import { padPow2, pow2Chunks } from './batching.ts';
import { BulkInsert } from './bulk-insert.ts';
import { accountsWithCallback, enqueueItems, MsgType, type ReceiptRecord } from './callbacks.ts';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import { QueryShape } from './query-shape.ts';
import type { Database, MessageTable, ReportTable } from './schema.ts';
import { enqueueSmppItems } from './smpp-outbox.ts';

/** What a report and receipt push need of a message that just became final. */
export type FinalMessage = Pick<
  MessageTable,
  'account_id' | 'session_no' | 'phone' | 'region' | 'segments' | 'status' | 'receipt_code' | 'receipt_desc' | 'receipt_at' | 'updated_at' | 'user_id'
> & { id: number; /** 1: an SMPP customer asked for a receipt (every path that makes a message final returns it). */ smpp_receipt: number };

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
    // Only messages an SMPP customer asked a receipt for cost a lookup: API traffic adds no statement.
    const wanted = chunk.filter((m) => Number(m.smpp_receipt) === 1).map((m) => Number(m.id));
    if (wanted.length) await queueSmppReceipts(trx, wanted, now);
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

/** How long a receipt or reply waits for an SMPP customer to bind and take it (72 hours, an SMSC's usual validity). */
export const SMPP_DELIVERY_TTL_MS = 72 * 3600_000;

/** What an SMPP customer's receipt is made of (smpp-server/receipt-pdu.ts renders it as deliver_sm). */
export interface SmppReceiptRecord {
  session_no: string;
  phone: string;
  sender: string;
  status: string;
  receipt_code: string;
  submitted_at: number;
  done_at: number;
  /** The text's start (the receipt's `text:` field shows 20 characters). */
  text: string;
  segments: number;
}

const smppReceiptsQuery = new QueryShape<{ ids: number[] }>(
  'SMPP receipts wanted',
  (db, a) => db
    .selectFrom('messages')
    .select(['id', 'account_id', 'smpp_user_id', 'session_no', 'phone', 'sender', 'status', 'receipt_code', 'created_at', 'receipt_at', 'updated_at', 'content', 'segments'])
    .where('id', 'in', a.ids)
    .where('smpp_receipt', '=', 1),
  (a) => [...a.ids, 1],
  (a) => a.ids.length,
);

/**
 * Final messages that an SMPP customer submitted asking for a receipt: one deliver_sm item each, in the
 * same transaction, for whichever node holds one of that user's receiving binds (what the item shows is read
 * by primary key).
 */
async function queueSmppReceipts(trx: Kysely<Database>, ids: number[], now: number): Promise<void> {
  const { rows } = await smppReceiptsQuery.execute<Pick<MessageTable, 'account_id' | 'smpp_user_id' | 'session_no' | 'phone' | 'sender' | 'status' | 'receipt_code' | 'created_at' | 'receipt_at' | 'updated_at' | 'content' | 'segments'> & { id: number }>(
    trx, { ids: padPow2(ids) },
  );
  const seen = new Set<number>();
  const items = [];
  for (const r of rows) {
    if (r.smpp_user_id === null || seen.has(Number(r.id))) continue;
    seen.add(Number(r.id));
    const record: SmppReceiptRecord = {
      session_no: r.session_no, phone: r.phone, sender: r.sender, status: r.status, receipt_code: r.receipt_code ?? '',
      submitted_at: Number(r.created_at), done_at: Number(r.receipt_at ?? r.updated_at), text: [...r.content].slice(0, 20).join(''), segments: Number(r.segments),
    };
    items.push({ userId: Number(r.smpp_user_id), accountId: Number(r.account_id), messageId: Number(r.id), kind: 'receipt' as const, payload: JSON.stringify(record), expiresAt: now + SMPP_DELIVERY_TTL_MS });
  }
  if (items.length) await enqueueSmppItems(trx, items);
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
