import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../auth/secrets.ts';
import type { Db } from './db.ts';
import { padPow2, pow2Chunks } from './batching.ts';
import { BulkInsert } from './bulk-insert.ts';
import { QueryShape } from './query-shape.ts';
import { isPostgres, recheck } from './dialect.ts';
import type { CallbackItemTable, Database, MessageStatus } from './schema.ts';

/** `MsgType` of a push: what its `Data` items are. */
export const MsgType = { Reply: 0, Receipt: 2, LowBalance: 3 } as const;
export type MsgTypeValue = (typeof MsgType)[keyof typeof MsgType];

/*
 * What an outbox item holds: a record in the store's own terms (times in unix ms, money in micro-units), one
 * kind per MsgType. The customer's item is made from it when it is pushed or shown (notify/payloads.ts), so
 * the store knows nothing of the push format. Items queued by older versions hold the customer's item itself.
 */

/** MsgType 2: a message became final. */
export interface ReceiptRecord {
  session_no: string;
  phone: string;
  segments: number;
  receipt_at: number;
  status: MessageStatus;
  receipt_code: string;
  receipt_desc: string;
  user_id: string;
}

/** MsgType 0: a reply (MO) from a handset. */
export interface ReplyRecord {
  /** As the caller of the message replied to wrote it, else E.164. */
  phone: string;
  content: string;
  extend_code: string;
  user_id: string;
  received_at: number;
}

/** MsgType 3: a charge took the balance under the account's threshold. */
export interface LowBalanceRecord {
  account_id: number;
  balance: number;
  threshold: number;
  currency: string;
  at: number;
}

// ---- callback URLs -------------------------------------------------------------------------------

export async function getCallbackUrl(db: Kysely<Database>, accountId: number): Promise<string | undefined> {
  const row = await db.selectFrom('account_callbacks').select('url').where('account_id', '=', accountId).executeTakeFirst();
  return row?.url || undefined;
}

/** Sets (or with `undefined`, clears) an account's callback URL. */
export async function setCallbackUrl(db: Db, accountId: number, url: string | undefined): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('account_callbacks').where('account_id', '=', accountId).execute();
    if (url) await trx.insertInto('account_callbacks').values({ account_id: accountId, url, updated_at: Date.now() }).execute();
  });
}

/** The accounts among `accountIds` that have a callback URL. */
export async function accountsWithCallback(db: Kysely<Database>, accountIds: number[]): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const { rows } = await withCallbackQuery.execute<{ account_id: number }>(db, padPow2(accountIds));
  return new Set(rows.map((r) => Number(r.account_id)));
}

const withCallbackQuery = new QueryShape<number[]>(
  'accountsWithCallback',
  (db, ids) => db.selectFrom('account_callbacks').select('account_id').where('account_id', 'in', ids),
  (ids) => ids,
  (ids) => ids.length,
);

/** The secret pushes are signed with: the account's oldest active API key. */
export async function signingKey(db: Db, box: SecretBox, accountId: number): Promise<{ publicKey: string; secret: string } | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['public_key', 'secret_sealed'])
    .where('account_id', '=', accountId)
    .where('status', '=', 'active')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row && { publicKey: row.public_key, secret: box.open(row.secret_sealed) };
}

// ---- the outbox ----------------------------------------------------------------------------------

/** Queues items (each a record above as JSON text); works inside a caller's transaction. */
export async function enqueueItems(db: Kysely<Database>, items: Array<{ accountId: number; msgType: MsgTypeValue; payload: string }>): Promise<void> {
  const now = Date.now();
  for (const chunk of pow2Chunks(items, 128)) {
    await insertItems.execute(
      db,
      chunk.map((it) => ({
        account_id: it.accountId,
        msg_type: it.msgType,
        payload: it.payload,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        lease_owner: null,
        last_error: null,
        queued_at: now,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      })),
    );
  }
}

type ItemRow = Omit<CallbackItemTable, 'id'> & Record<string, unknown>;
const insertItems = new BulkInsert<ItemRow>(
  ['account_id', 'msg_type', 'payload', 'status', 'attempts', 'next_attempt_at', 'lease_owner', 'last_error', 'queued_at', 'created_at', 'updated_at', 'delivered_at'],
  (db, rows) => db.insertInto('callback_items').values(rows),
);

/** A group of pushes: one account's items of one MsgType, pushed in order by one sender at a time. */
export interface PushGroup {
  accountId: number;
  msgType: MsgTypeValue;
}

/**
 * Up to `limit` groups with due items, in (account, MsgType) order from just after `after`, wrapping
 * around once; `next` is where the following call should go on from, so that groups further along get
 * their turn when more than `limit` are due. One index seek a group with pending items (at most
 * `maxSeeks`), each reading the group's earliest next attempt: the cost follows the number of groups, not
 * of items (a GROUP BY over the due items took about 200 ms a call with 500k due).
 */
export async function dueGroups(
  db: Db,
  limit: number,
  opts: { after?: PushGroup; maxSeeks?: number; now?: number } = {},
): Promise<{ groups: PushGroup[]; next?: PushGroup }> {
  const now = opts.now ?? Date.now();
  const maxSeeks = opts.maxSeeks ?? limit * 4;
  const groups: PushGroup[] = [];
  const start = opts.after;
  let cursor = start ?? BEFORE_ALL;
  let wrapped = start === undefined;
  for (let seeks = 0; groups.length < limit && seeks < maxSeeks; seeks++) {
    const { rows } = await nextGroupQuery.execute<{ account_id: number; msg_type: number; next_attempt_at: number }>(
      db, { accountId: cursor.accountId, msgType: cursor.msgType },
    );
    // Of the account's next MsgType and the next account's first, the former comes first.
    const row = rows.find((r) => Number(r.account_id) === cursor.accountId) ?? rows[0];
    if (!row) {
      if (wrapped) return { groups };
      wrapped = true;
      cursor = BEFORE_ALL;
      continue;
    }
    const group = { accountId: Number(row.account_id), msgType: Number(row.msg_type) as MsgTypeValue };
    if (wrapped && start && after(group, start)) return { groups }; // back where this call began
    if (Number(row.next_attempt_at) <= now) groups.push(group);
    cursor = group;
  }
  return { groups, next: cursor };
}

const BEFORE_ALL: PushGroup = { accountId: -1, msgType: -1 as MsgTypeValue };
const after = (a: PushGroup, b: PushGroup) => a.accountId > b.accountId || (a.accountId === b.accountId && a.msgType > b.msgType);

/**
 * The first pending item of the next group after (accountId, msgType), in the order of
 * callback_items_pending_groups: the account's next MsgType, or else the next account's first. Two
 * seeks, each with an equality or a range on one column; a row-value `(account_id, msg_type) > (?, ?)`
 * would make SQLite seek on account_id only and read every item of the current account's MsgType.
 */
const nextGroupQuery = new QueryShape<{ accountId: number; msgType: number }>(
  'nextGroup',
  (_db, a) => sql`select * from (select account_id, msg_type, next_attempt_at from callback_items
      where status = ${'pending'} and account_id = ${a.accountId} and msg_type > ${a.msgType}
      order by msg_type, next_attempt_at limit 1) same_account
    union all
    select * from (select account_id, msg_type, next_attempt_at from callback_items
      where status = ${'pending'} and account_id > ${a.accountId}
      order by account_id, msg_type, next_attempt_at limit 1) later_account`,
  (a) => ['pending', a.accountId, a.msgType, 'pending', a.accountId],
  () => 0,
);

export interface ClaimedItem {
  id: number;
  payload: string;
  attempts: number;
  queuedAt: number;
}

/**
 * Takes up to `limit` due items of one account and type, oldest first, for `owner`: their next
 * attempt moves to the end of the lease, so nobody else sends them meanwhile, and a crashed sender's
 * items come due again when the lease ends.
 */
export async function claimItems(db: Kysely<Database>, owner: string, accountId: number, msgType: number, limit: number, leaseMs: number): Promise<ClaimedItem[]> {
  const { rows } = await claimQuery.execute<{ id: number; payload: string; attempts: number; queued_at: number }>(
    db, { owner, accountId, msgType, limit, now: Date.now(), leaseMs },
  );
  return rows
    .map((r) => ({ id: Number(r.id), payload: r.payload, attempts: Number(r.attempts), queuedAt: Number(r.queued_at) }))
    .sort((a, b) => a.id - b.id);
}

type ClaimArgs = { owner: string; accountId: number; msgType: number; limit: number; now: number; leaseMs: number };
const claimQuery = new QueryShape<ClaimArgs>(
  'claimItems',
  (db, a) => {
    // Picked once in a materialized CTE (see pullReports: PostgreSQL may re-run an IN-subquery with LIMIT).
    return db
      .with(
        (wb) => wb('picked').materialized(),
        (qb) =>
          qb
            .selectFrom('callback_items')
            .select('id')
            .where('account_id', '=', a.accountId)
            .where('msg_type', '=', a.msgType)
            .where('status', '=', 'pending')
            // Through callback_items_account, in id order; the due index would sort every due item.
            .where(recheck(db, 'next_attempt_at'), '<=', a.now)
            .orderBy('id')
            .limit(a.limit)
            .$if(isPostgres(db), (q) => q.forUpdate().skipLocked()),
      )
      .updateTable('callback_items')
      .set({ lease_owner: a.owner, next_attempt_at: a.now + a.leaseMs, updated_at: a.now })
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
      // Checked again on the row itself: a concurrent claimer that got there first wins.
      .where(recheck(db, 'status'), '=', 'pending')
      .where('next_attempt_at', '<=', a.now)
      .returning(['id', 'payload', 'attempts', 'queued_at']);
  },
  (a) => [a.accountId, a.msgType, 'pending', a.now, a.limit, a.owner, a.now + a.leaseMs, a.now, 'pending', a.now],
  () => 0,
);

/** Gives claimed items back without an attempt (they did not fit in the request). */
export async function releaseItems(db: Db, owner: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const now = Date.now();
  await db
    .updateTable('callback_items')
    .set({ lease_owner: null, next_attempt_at: now, updated_at: now })
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .where(recheck(db, 'status'), '=', 'pending')
    .execute();
}

export async function markDelivered(db: Kysely<Database>, owner: string, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await markDeliveredQuery.execute(db, { owner, ids: padPow2(ids), now: Date.now() });
  return Number(res.numAffectedRows);
}

const markDeliveredQuery = new QueryShape<{ owner: string; ids: number[]; now: number }>(
  'markDelivered',
  (db, a) =>
    db
      .updateTable('callback_items')
      .set((eb) => ({ status: 'delivered', attempts: eb('attempts', '+', 1), lease_owner: null, last_error: null, delivered_at: a.now, updated_at: a.now }))
      .where('id', 'in', a.ids)
      .where('lease_owner', '=', a.owner)
      .where(recheck(db, 'status'), '=', 'pending'),
  (a) => ['delivered', 1, null, null, a.now, a.now, ...a.ids, a.owner, 'pending'],
  (a) => a.ids.length,
);

/** Records a failed attempt per item: due again at `retryAt`, or failed for good when `retryAt` is undefined. */
export async function markAttemptFailed(db: Db, owner: string, error: string, items: Array<{ id: number; attempts: number; retryAt?: number }>): Promise<void> {
  if (items.length === 0) return;
  const now = Date.now();
  const lastError = error.slice(0, 500);
  // Items of one request share their attempt count almost always: one update per distinct outcome.
  const groups = new Map<string, { attempts: number; retryAt?: number; ids: number[] }>();
  for (const it of items) {
    const key = `${it.attempts}:${it.retryAt ?? 'failed'}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { attempts: it.attempts, retryAt: it.retryAt, ids: [] }));
    g.ids.push(it.id);
  }
  await db.transaction().execute(async (trx) => {
    for (const g of groups.values()) {
      await trx
        .updateTable('callback_items')
        .set({
          status: g.retryAt === undefined ? 'failed' : 'pending',
          attempts: g.attempts,
          next_attempt_at: g.retryAt ?? now,
          lease_owner: null,
          last_error: lastError,
          updated_at: now,
        })
        .where('id', 'in', g.ids)
        .where('lease_owner', '=', owner)
        .where(recheck(db, 'status'), '=', 'pending')
        .execute();
    }
  });
}

/** Fails every pending item of an account at once (it has no callback URL any more). */
export async function failPending(db: Db, accountId: number, msgType: number, error: string): Promise<number> {
  const now = Date.now();
  const res = await db
    .updateTable('callback_items')
    .set({ status: 'failed', lease_owner: null, last_error: error, updated_at: now })
    .where('account_id', '=', accountId)
    .where('msg_type', '=', msgType)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Items that failed for good, oldest first; `Payload` is the stored record, to be rendered for people (notify/payloads.ts). */
export async function failedItems(db: Db, accountId: number, limit: number) {
  const rows = await db
    .selectFrom('callback_items')
    .select(['id', 'msg_type', 'payload', 'attempts', 'last_error', 'created_at', 'updated_at'])
    .where('account_id', '=', accountId)
    .where('status', '=', 'failed')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    Id: Number(r.id),
    MsgType: Number(r.msg_type),
    Attempts: Number(r.attempts),
    LastError: r.last_error ?? '',
    CreateTime: Math.floor(Number(r.created_at) / 1000),
    FailedTime: Math.floor(Number(r.updated_at) / 1000),
    Payload: r.payload,
  }));
}

/** Queues failed items again (all of the account's, or the given ids) with a fresh attempt budget. */
export async function retryFailed(db: Db, accountId: number, ids?: number[]): Promise<number> {
  if (ids && ids.length === 0) return 0;
  const now = Date.now();
  const res = await db
    .updateTable('callback_items')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, queued_at: now, lease_owner: null, updated_at: now })
    .where('account_id', '=', accountId)
    .where('status', '=', 'failed')
    .$if(ids !== undefined, (qb) => qb.where('id', 'in', ids!))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Items by status; `Retrying` = pending items that have already failed at least once. */
export async function callbackCounts(db: Db, accountId: number): Promise<{ Pending: number; Retrying: number; Delivered: number; Failed: number }> {
  const rows = await db
    .selectFrom('callback_items')
    .select((eb) => [
      'status',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when('attempts', '>', 0).then(eb.lit(1)).else(eb.lit(0)).end()).as('tried'),
    ])
    .where('account_id', '=', accountId)
    .groupBy('status')
    .execute();
  const row = (s: string) => rows.find((r) => r.status === s);
  const n = (s: string) => Number(row(s)?.n ?? 0);
  return { Pending: n('pending'), Retrying: Number(row('pending')?.tried ?? 0), Delivered: n('delivered'), Failed: n('failed') };
}

/** Forgets delivered items older than `olderThan` (failed ones stay until retried). */
export async function pruneDelivered(db: Db, olderThan: number): Promise<number> {
  const res = await db.deleteFrom('callback_items').where('status', '=', 'delivered').where('delivered_at', '<', olderThan).executeTakeFirst();
  return Number(res.numDeletedRows);
}
