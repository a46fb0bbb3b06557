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
  /** The answer as JSON text. */
  answer: string;
  createdAt: number;
}

/** Thrown by the writer when another request already recorded this key: nothing of the loser was written. */
export class IdempotencyConflict extends Error {
  constructor(readonly record: IdempotencyRecord) {
    super(`idempotency key ${record.key} is already recorded`);
    this.name = 'IdempotencyConflict';
  }
}

/** The stored first answer for a key (one primary-key lookup). */
export async function findIdempotencyRecord(db: Db, publicKey: string, key: string): Promise<{ requestHash: string; answer: string } | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'answer'])
    .where('public_key', '=', publicKey)
    .where('idem_key', '=', key)
    .executeTakeFirst();
  return row ? { requestHash: row.request_hash, answer: row.answer } : undefined;
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
