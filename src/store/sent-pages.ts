import { sql } from 'kysely';
import type { Db } from './db.ts';
import { recheck } from './dialect.ts';

/** Where a paged read of sent messages stopped: the last row's (next_attempt_at, id). */
export interface SentCursor {
  nextAttemptAt: number;
  id: number;
}

export interface SentRow {
  id: number;
  e164: string;
  carrierMsgId: string;
  sentAt: number;
}

/**
 * One page of `carrier`'s messages still waiting for their receipt (sent before `sentBefore`, when
 * given), after `after`. The pages walk the (status, next_attempt_at) index in its own order, so
 * reading every page costs one pass over the sent messages, however many there are; the carrier
 * condition only re-checks the rows found.
 */
export async function sentWithoutReceiptPage(db: Db, carrier: string, limit: number, after?: SentCursor, sentBefore?: number): Promise<{ rows: SentRow[]; next?: SentCursor }> {
  let q = db
    .selectFrom('messages')
    .select(['id', 'e164', 'carrier_msg_id', 'sent_at', 'next_attempt_at'])
    .where('status', '=', 'sent')
    .where(recheck(db, 'carrier'), '=', carrier);
  if (after) q = q.where(sql<boolean>`(next_attempt_at, id) > (${after.nextAttemptAt}, ${after.id})`);
  if (sentBefore !== undefined) q = q.where(recheck(db, 'sent_at'), '<', sentBefore);
  const found = await q.orderBy('next_attempt_at').orderBy('id').limit(limit).execute();
  const last = found[found.length - 1];
  const rows: SentRow[] = [];
  for (const r of found) if (r.carrier_msg_id) rows.push({ id: Number(r.id), e164: r.e164, carrierMsgId: r.carrier_msg_id, sentAt: Number(r.sent_at ?? 0) });
  return { rows, next: found.length === limit && last ? { nextAttemptAt: Number(last.next_attempt_at), id: Number(last.id) } : undefined };
}
