import { sql, type SelectQueryBuilder } from 'kysely';
import { MsgType } from './callbacks.ts';
import type { Db } from './db.ts';
import { recheck } from './dialect.ts';
import type { Database, MessageStatus, MessageTable } from './schema.ts';

/** Where a page starts: just after (older than) this message, in the log's order. */
export interface LogPosition {
  createdAt: number;
  id: number;
}

export interface MessageQuery {
  /** undefined: every account (operators only; the caller decides). */
  accountId?: number;
  e164?: string;
  sessionNo?: string;
  userId?: string;
  templateId?: string;
  status?: MessageStatus;
  /** Unix ms on created_at: `from` inclusive, `to` exclusive. */
  from?: number;
  to?: number;
  after?: LogPosition;
  limit: number;
}

export type MessageRow = Omit<MessageTable, 'id'> & { id: number };

const LOG_COLUMNS = [
  'id', 'account_id', 'session_no', 'phone', 'e164', 'region', 'template_id', 'sender', 'content', 'encoding', 'segments',
  'user_id', 'extend_code', 'status', 'attempts', 'next_attempt_at', 'lease_owner', 'lease_until', 'carrier', 'carrier_msg_id',
  'receipt_code', 'receipt_desc', 'receipt_at', 'sent_at', 'created_at', 'updated_at',
] as const;

/**
 * One page of the message log, newest first: ordered by (created_at, id) descending, so that every
 * filter is a range of an index in that very order and a page reads about `limit` index entries, however
 * many messages match: a session through messages_session, a phone through messages_e164_created
 * (migration 014), otherwise one account's (messages_account_created) or every account's (messages_created)
 * messages by time. The other filters only re-check the rows found: without statistics SQLite would
 * otherwise take whichever index it meets first (an account's, say, and then read all of its messages to
 * find one phone's); PostgreSQL plans from its statistics.
 */
export async function searchMessages(db: Db, q: MessageQuery): Promise<MessageRow[]> {
  const rows = await messageLogQuery(db, q).execute();
  return rows.map(toMessageRow);
}

/** The query searchMessages runs (tests read its plan). */
export function messageLogQuery(db: Db, q: MessageQuery) {
  const driver: 'session' | 'phone' | 'account' | 'time' =
    q.sessionNo !== undefined ? 'session' : q.e164 !== undefined ? 'phone' : q.accountId !== undefined ? 'account' : 'time';
  // A column used to find the rows stays as it is; one that only re-checks them is kept out of index selection.
  const col = (name: 'account_id' | 'created_at', drives: boolean) => (drives ? sql.ref(name) : recheck(db, name));
  const createdAt = col('created_at', driver !== 'session');
  let query = db.selectFrom('messages').select(LOG_COLUMNS);
  if (q.sessionNo !== undefined) query = query.where('session_no', '=', q.sessionNo);
  if (q.e164 !== undefined) query = query.where(driver === 'phone' ? sql.ref('e164') : recheck(db, 'e164'), '=', q.e164);
  if (q.accountId !== undefined) query = query.where(col('account_id', driver === 'account'), '=', q.accountId);
  if (q.userId !== undefined) query = query.where(recheck(db, 'user_id'), '=', q.userId);
  if (q.templateId !== undefined) query = query.where(recheck(db, 'template_id'), '=', q.templateId);
  if (q.status !== undefined) query = query.where(recheck(db, 'status'), '=', q.status);
  if (q.from !== undefined) query = query.where(createdAt, '>=', q.from);
  if (q.to !== undefined) query = query.where(createdAt, '<', q.to);
  if (q.after) query = afterPosition(query, createdAt, q.after);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit);
}

/**
 * Rows older than `p` in the log's order: `created_at <= t and (created_at < t or id < i)`. The first term
 * is a plain range that every index ending in created_at seeks to, on both databases; the second only
 * re-checks the rows of that one millisecond.
 */
function afterPosition<O>(query: SelectQueryBuilder<Database, 'messages', O>, createdAt: ReturnType<typeof sql.ref>, p: LogPosition) {
  return query
    .where(createdAt, '<=', p.createdAt)
    .where((eb) => eb.or([eb(sql.ref('created_at'), '<', p.createdAt), eb('id', '<', p.id)]));
}

/** One message by id, within `accountId` when given (undefined: any account). */
export async function messageById(db: Db, id: number, accountId?: number): Promise<MessageRow | undefined> {
  const row = await db
    .selectFrom('messages')
    .select(LOG_COLUMNS)
    .where('id', '=', id)
    .$if(accountId !== undefined, (qb) => qb.where('account_id', '=', accountId!))
    .executeTakeFirst();
  return row && toMessageRow(row);
}

function toMessageRow(r: Record<(typeof LOG_COLUMNS)[number], unknown>): MessageRow {
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    ...(r as unknown as MessageRow),
    id: Number(r.id),
    account_id: Number(r.account_id),
    segments: Number(r.segments),
    attempts: Number(r.attempts),
    next_attempt_at: Number(r.next_attempt_at),
    lease_until: n(r.lease_until),
    receipt_at: n(r.receipt_at),
    sent_at: n(r.sent_at),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

export interface PartRow {
  partNo: number;
  total: number;
  carrier: string;
  carrierMsgId: string;
  status: string;
  receiptCode: string | null;
  receiptDesc: string | null;
  receiptAt: number | null;
  /** when the carrier accepted the part */
  createdAt: number;
}

/** An attempt that did not send the message (store/messages.ts: refusals, unknown outcomes, failures), oldest first. */
export interface AttemptRow {
  carrier: string;
  result: string;
  code: string;
  detail: string;
  at: number;
}

export async function attemptsOfMessage(db: Db, messageId: number): Promise<AttemptRow[]> {
  const rows = await db
    .selectFrom('message_attempts')
    .select(['carrier', 'result', 'code', 'detail', 'at'])
    .where('message_id', '=', messageId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, at: Number(r.at) }));
}

/** A message's parts (only messages sent as two or more SMPP parts have any; store/message-parts.ts). */
export async function partsOfMessage(db: Db, messageId: number): Promise<PartRow[]> {
  const rows = await db
    .selectFrom('message_parts')
    .select(['part_no', 'total', 'carrier', 'carrier_msg_id', 'status', 'receipt_code', 'receipt_desc', 'receipt_at', 'created_at'])
    .where('message_id', '=', messageId)
    .orderBy('part_no')
    .execute();
  return rows.map((r) => ({
    partNo: Number(r.part_no),
    total: Number(r.total),
    carrier: r.carrier,
    carrierMsgId: r.carrier_msg_id,
    status: r.status,
    receiptCode: r.receipt_code,
    receiptDesc: r.receipt_desc,
    receiptAt: r.receipt_at === null ? null : Number(r.receipt_at),
    createdAt: Number(r.created_at),
  }));
}

export interface PushRow {
  id: number;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  /** The stored item (a ReceiptRecord, or the customer's item when queued by an older version); notify/payloads.ts renders it. */
  payload: string;
}

/**
 * How much the order of callback_items ids may differ from the order of their created_at: on PostgreSQL
 * an id is drawn when the row is inserted, a little after its time was taken, and nodes' clocks differ
 * slightly. Generous, as it only widens a scan of one account's items.
 */
const PUSH_ID_ORDER_SLACK_MS = 5_000;

/**
 * The receipt pushes (MsgType 2) queued for a message. A push item holds no message id, only the
 * message's session number, phone and UserId, and callback_items has no index on them or on time: one would
 * cost every receipt an index write. Instead, items are queued in the transaction that makes the message
 * final (store/reports.ts), so they lie in the id range of items created between its submission and its
 * last change (`updated_at`). That range is found by binary search over the primary key (ids grow with
 * created_at), and only the account's items inside it are read (index callback_items_account), their
 * payload matched exactly. The cost is a few dozen primary-key seeks plus the account's pushes during
 * the message's life; nothing is added to the send or receipt path.
 */
export async function receiptPushesOf(db: Db, m: MessageRow): Promise<PushRow[]> {
  const since = (m.sent_at ?? m.created_at) - PUSH_ID_ORDER_SLACK_MS;
  const until = m.updated_at + PUSH_ID_ORDER_SLACK_MS;
  const [lo, hi] = [await firstPushIdFrom(db, since), await firstPushIdFrom(db, until + 1)];
  if (lo >= hi) return [];
  // The item's JSON as store/reports.ts writes it, or as older versions did (the customer's item). LIKE's
  // wildcards in it (the key's `_`; never in our session numbers) only widen the match, and both patterns
  // only filter the rows the range reads: the cost above is unchanged.
  const needle = (key: string) => `%${JSON.stringify({ [key]: m.session_no }).slice(1, -1).replace(/[\\%_]/g, '_')}%`;
  const rows = await db
    .selectFrom('callback_items')
    .select(['id', 'status', 'attempts', 'last_error', 'payload', 'created_at', 'updated_at', 'delivered_at'])
    .where('account_id', '=', m.account_id)
    .where('status', 'in', ['pending', 'delivered', 'failed'])
    .where('id', '>=', lo)
    .where('id', '<', hi)
    .where(recheck(db, 'msg_type'), '=', MsgType.Receipt)
    .where((eb) => eb.or([eb('payload', 'like', needle('session_no')), eb('payload', 'like', needle('SessionNo'))]))
    .orderBy('id')
    .execute();
  const pushes: PushRow[] = [];
  for (const r of rows) {
    const [sessionNo, phone, userId] = receiptOf(r.payload);
    if (sessionNo !== m.session_no || phone !== m.phone || userId !== m.user_id) continue;
    pushes.push({
      id: Number(r.id),
      status: r.status,
      attempts: Number(r.attempts),
      lastError: r.last_error,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
      deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
      payload: r.payload,
    });
  }
  return pushes;
}

/** Which message a stored receipt item is about: [session number, phone, UserId], from a ReceiptRecord or an older item. */
function receiptOf(payload: string): unknown[] {
  const r = JSON.parse(payload) as Record<string, unknown>;
  return 'session_no' in r ? [r.session_no, r.phone, r.user_id] : [r.SessionNo, r.Phone, r.UserId];
}

/** The first callback item id created at or after `time` (one past the last id when none): a binary search on the primary key. */
async function firstPushIdFrom(db: Db, time: number): Promise<number> {
  const bounds = await db
    .selectFrom('callback_items')
    .select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')])
    .executeTakeFirst();
  if (bounds?.lo == null || bounds.hi == null) return 0;
  let lo = Number(bounds.lo);
  let hi = Number(bounds.hi) + 1;
  let found = hi;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const row = await db.selectFrom('callback_items').select(['id', 'created_at']).where('id', '>=', mid).orderBy('id').limit(1).executeTakeFirst();
    if (!row || Number(row.id) >= hi) {
      hi = mid;
    } else if (Number(row.created_at) >= time) {
      found = Number(row.id);
      hi = mid;
    } else {
      lo = Number(row.id) + 1;
    }
  }
  return found;
}
