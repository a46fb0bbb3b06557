import type { Kysely } from 'kysely';
import type { Db } from './db.ts';
import { isPostgres, recheck } from './dialect.ts';
import type { Database, SmppOutboxKind } from './schema.ts';

export type { SmppOutboxKind } from './schema.ts';

/*
 * deliver_sm items owed to SMPP users (receipts, inbound replies). An item is done only when the customer
 * answers it: a sender claims a user's due items with a lease, sends them on a receiving bind, then marks
 * them delivered or schedules a retry. A sender that dies leaves its items to be claimed again when the
 * lease ends. Items nobody took before `expires_at` become 'expired'.
 */

export interface NewSmppItem {
  userId: number;
  accountId: number;
  messageId: number | null;
  kind: SmppOutboxKind;
  /** JSON the deliver_sm is rendered from. */
  payload: string;
  expiresAt: number;
}

export interface SmppItem {
  id: number;
  userId: number;
  accountId: number;
  messageId: number | null;
  kind: SmppOutboxKind;
  payload: string;
  /** Attempts that ended with a retry before this claim. */
  attempts: number;
  createdAt: number;
  expiresAt: number;
}

/** Rows a statement inserts at most: 14 parameters a row stays far below every parameter limit. */
const INSERT_CHUNK = 200;
const MAX_ERROR_CHARS = 500;

/** Queues items, due at once; works inside a caller's transaction. */
export async function enqueueSmppItems(trx: Kysely<Database>, items: NewSmppItem[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < items.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('smpp_outbox')
      .values(
        items.slice(i, i + INSERT_CHUNK).map((it) => ({
          user_id: it.userId, account_id: it.accountId, message_id: it.messageId, kind: it.kind, payload: it.payload,
          status: 'pending' as const, attempts: 0, next_attempt_at: now, lease_owner: null, lease_until: 0,
          created_at: now, expires_at: it.expiresAt, delivered_at: null, last_error: null,
        })),
      )
      .execute();
  }
}

/**
 * Takes up to `limit` of the user's due items for `owner`, oldest first: pending, their next attempt due,
 * not leased (or the lease ended), not expired. They stay leased to `owner` for `leaseMs`.
 */
export async function claimSmppItems(db: Kysely<Database>, q: { userId: number; owner: string; limit: number; leaseMs: number }): Promise<SmppItem[]> {
  if (q.limit <= 0) return [];
  const now = Date.now();
  const rows = await db
    .with(
      // Picked once (a materialized CTE): PostgreSQL may run an IN-subquery with LIMIT again per row.
      (wb) => wb('picked').materialized(),
      (qb) =>
        qb
          .selectFrom('smpp_outbox')
          .select('id')
          .where('user_id', '=', q.userId)
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .where('lease_until', '<=', now)
          // Not through smpp_outbox_expiry: that index reads every user's pending items and sorts them.
          .where(recheck(db, 'expires_at'), '>', now)
          .orderBy('id')
          .limit(q.limit)
          .$if(isPostgres(db), (sq) => sq.forUpdate().skipLocked()),
    )
    .updateTable('smpp_outbox')
    .set({ lease_owner: q.owner, lease_until: now + q.leaseMs })
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    // Checked again on the row: a claimer that got there first wins.
    .where(recheck(db, 'status'), '=', 'pending')
    .where(recheck(db, 'lease_until'), '<=', now)
    .returning(['id', 'user_id', 'account_id', 'message_id', 'kind', 'payload', 'attempts', 'created_at', 'expires_at'])
    .execute();
  return rows
    .map((r) => ({
      id: Number(r.id),
      userId: Number(r.user_id),
      accountId: Number(r.account_id),
      messageId: r.message_id === null ? null : Number(r.message_id),
      kind: r.kind,
      payload: r.payload,
      attempts: Number(r.attempts),
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
    }))
    .sort((a, b) => a.id - b.id);
}

/** The customer answered these items (ids `owner` holds): they are done. Answers how many were marked. */
export async function markSmppDelivered(db: Kysely<Database>, owner: string, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const now = Date.now();
  const res = await db
    .updateTable('smpp_outbox')
    .set((eb) => ({ status: 'delivered', attempts: eb('attempts', '+', 1), delivered_at: now, lease_owner: null, lease_until: 0, last_error: null }))
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .where(recheck(db, 'status'), '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Failed attempts of items `owner` holds: each is due again at its `retryAt`, its error kept. */
export async function retrySmppItems(db: Db, owner: string, items: Array<{ id: number; error: string; retryAt: number }>): Promise<void> {
  if (items.length === 0) return;
  await db.transaction().execute((trx) => retrySmppItemsIn(trx, owner, items));
}

async function retrySmppItemsIn(trx: Kysely<Database>, owner: string, items: Array<{ id: number; error: string; retryAt: number }>): Promise<void> {
  // Items of one round share their error and time almost always: one statement per distinct pair.
  const groups = new Map<string, { error: string; retryAt: number; ids: number[] }>();
  for (const it of items) {
    const error = it.error.slice(0, MAX_ERROR_CHARS);
    const key = `${it.retryAt}\u0000${error}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { error, retryAt: it.retryAt, ids: [] }));
    g.ids.push(it.id);
  }
  for (const g of groups.values()) {
    await trx
      .updateTable('smpp_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: g.retryAt, lease_owner: null, lease_until: 0, last_error: g.error }))
      .where('id', 'in', g.ids)
      .where('lease_owner', '=', owner)
      .where(recheck(trx, 'status'), '=', 'pending')
      .execute();
  }
}

/**
 * One round of a sender in one transaction: what the last round settled (delivered, or to retry) is
 * written, and the user's next items are claimed (one commit a round instead of three).
 */
export async function settleAndClaimSmppItems(
  db: Db,
  q: { userId: number; owner: string; limit: number; leaseMs: number; delivered: number[]; retry: Array<{ id: number; error: string; retryAt: number }> },
): Promise<SmppItem[]> {
  return db.transaction().execute(async (trx) => {
    await markSmppDelivered(trx, q.owner, q.delivered);
    if (q.retry.length) await retrySmppItemsIn(trx, q.owner, q.retry);
    return claimSmppItems(trx, q);
  });
}

/**
 * Pending items whose `expires_at` has passed become 'expired'; answers how many. An item leased right
 * now is left to its sender (its answer may still come) and expires after the lease.
 */
export async function expireSmppItems(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const res = await db
    .updateTable('smpp_outbox')
    .set({ status: 'expired', lease_owner: null, lease_until: 0 })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .where('lease_until', '<=', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Deletes delivered and expired items whose expiry is before `olderThan`; answers how many. */
export async function pruneSmppOutbox(db: Kysely<Database>, olderThan: number): Promise<number> {
  const res = await db
    .deleteFrom('smpp_outbox')
    .where('status', 'in', ['delivered', 'expired'])
    .where('expires_at', '<', olderThan)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Items by status, of one user or of all. */
export async function smppOutboxCounts(db: Kysely<Database>, userId?: number): Promise<{ Pending: number; Delivered: number; Expired: number }> {
  const rows = await db
    .selectFrom('smpp_outbox')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .$if(userId !== undefined, (q) => q.where('user_id', '=', userId!))
    .groupBy('status')
    .execute();
  const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { Pending: n('pending'), Delivered: n('delivered'), Expired: n('expired') };
}

/** The users among `userIds` that have an item to claim now (one index probe each, stopping at the first). */
export async function usersWithDueSmppItems(db: Kysely<Database>, userIds: number[], now = Date.now()): Promise<number[]> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('smpp_users')
    .select('smpp_users.id')
    .where('smpp_users.id', 'in', ids)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('smpp_outbox')
          .select('smpp_outbox.id')
          .whereRef('smpp_outbox.user_id', '=', 'smpp_users.id')
          .where('smpp_outbox.status', '=', 'pending')
          .where('smpp_outbox.next_attempt_at', '<=', now)
          .where('smpp_outbox.lease_until', '<=', now)
          .where('smpp_outbox.expires_at', '>', now),
      ),
    )
    .orderBy('smpp_users.id')
    .execute();
  return rows.map((r) => Number(r.id));
}
