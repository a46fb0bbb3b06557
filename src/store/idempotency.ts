import type { Db } from './db.ts';

/** How long a keyed request's first answer is kept and replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/** One row of `idempotency_keys` (migration 004). */
export interface IdempotencyRecord {
  publicKey: string;
  /** 'k:' + Idempotency-Key header, or 'n:' + uSpeedo X-Nonce. */
  key: string;
  accountId: number;
  requestHash: string;
  /** The answer as JSON text; PENDING_ANSWER while a claimed request runs. */
  answer: string;
  createdAt: number;
}

/** The answer of a claimed key whose request is still running (claimIdempotencyKey). */
export const PENDING_ANSWER = '';

/** Thrown by the writer when another request already recorded this key: nothing of the loser was written. */
export class IdempotencyConflict extends Error {
  constructor(readonly record: IdempotencyRecord) {
    super(`idempotency key ${record.key} is already recorded`);
    this.name = 'IdempotencyConflict';
  }
}

export interface FoundRecord {
  requestHash: string;
  /** PENDING_ANSWER: claimed, its request still running (or abandoned by a crash). */
  answer: string;
  createdAt: number;
}

/** The stored first answer for a key (one primary-key lookup). */
export async function findIdempotencyRecord(db: Db, publicKey: string, key: string): Promise<FoundRecord | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'answer', 'created_at'])
    .where('public_key', '=', publicKey)
    .where('idem_key', '=', key)
    .executeTakeFirst();
  return row ? { requestHash: row.request_hash, answer: row.answer, createdAt: Number(row.created_at) } : undefined;
}

/**
 * Claims a key before its request runs (a record with PENDING_ANSWER), for actions whose writes cannot
 * wait to commit with the record. true: this caller holds the key; false: it was already recorded or claimed.
 */
export async function claimIdempotencyKey(db: Db, record: Omit<IdempotencyRecord, 'answer'>): Promise<boolean> {
  const res = await db.insertInto('idempotency_keys').values(toRow({ ...record, answer: PENDING_ANSWER }))
    .onConflict((oc) => oc.columns(['public_key', 'idem_key']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Records the answer of the request that holds the claim. */
export async function answerIdempotencyClaim(db: Db, publicKey: string, key: string, answer: string): Promise<void> {
  await db.updateTable('idempotency_keys').set({ answer })
    .where('public_key', '=', publicKey).where('idem_key', '=', key).where('answer', '=', PENDING_ANSWER)
    .execute();
}

/** Gives a claim up (its request did nothing): a retry runs again. */
export async function releaseIdempotencyClaim(db: Db, publicKey: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys')
    .where('public_key', '=', publicKey).where('idem_key', '=', key).where('answer', '=', PENDING_ANSWER)
    .execute();
}

/** Takes over a claim still pending since `claimedAt` (its holder presumably died); true if this caller now holds it. */
export async function takeOverIdempotencyClaim(db: Db, publicKey: string, key: string, claimedAt: number, now = Date.now()): Promise<boolean> {
  const res = await db.updateTable('idempotency_keys').set({ created_at: now })
    .where('public_key', '=', publicKey).where('idem_key', '=', key)
    .where('answer', '=', PENDING_ANSWER).where('created_at', '=', claimedAt)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export function toRow(r: IdempotencyRecord) {
  return {
    public_key: r.publicKey,
    idem_key: r.key,
    account_id: r.accountId,
    request_hash: r.requestHash,
    answer: r.answer,
    created_at: r.createdAt,
  };
}

/** Deletes records older than the TTL; returns how many. */
export async function pruneIdempotencyRecords(db: Db, now = Date.now()): Promise<number> {
  const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', now - IDEMPOTENCY_TTL_MS).executeTakeFirst();
  return Number(res.numDeletedRows);
}
