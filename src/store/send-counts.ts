import { sql } from 'kysely';
import { paddedChunks } from './batching.ts';
import type { Db } from './db.ts';
import { recheck } from './dialect.ts';
import { QueryShape, type Executor } from './query-shape.ts';

/**
 * What the send limits count: an account's messages to a phone or a number range since a time, by the
 * Purpose of their template. Every stored message counts, whatever its status ('held' and 'failed' too):
 * a limit is on what the account asked for.
 *
 * Both reads go through `messages_e164_created` (e164, created_at): the phones (or the range) and the
 * time bound are its range, so a read costs about the messages it counts. The account is re-checked on
 * the rows found (recheck keeps SQLite from reading the account's whole history through
 * messages_account_created instead).
 */

/** Per phone and purpose, how many messages were sent since each of `since` (same order). */
export type PhoneCounts = Map<string, Map<number, number[]>>;

const CHUNK = 128;

export async function phoneCounts(db: Db, accountId: number, phones: readonly string[], purposes: readonly number[], since: readonly number[]): Promise<PhoneCounts> {
  const out: PhoneCounts = new Map();
  if (phones.length === 0 || purposes.length === 0 || since.length === 0) return out;
  for (const chunk of paddedChunks([...new Set(phones)], CHUNK)) {
    const { rows } = await phoneCountsShape.execute<Record<string, unknown>>(db, { accountId, phones: chunk, purposes, since });
    for (const r of rows) {
      const e164 = String(r.e164);
      let byPurpose = out.get(e164);
      if (!byPurpose) out.set(e164, (byPurpose = new Map()));
      byPurpose.set(Number(r.purpose), since.map((_, i) => Number(r[`c${i}`] ?? 0)));
    }
  }
  return out;
}

/** The read behind phoneCounts for one chunk of phones (exported for its plan test). */
export function phoneCountsQuery(db: Executor, accountId: number, phones: readonly string[], purposes: readonly number[], since: readonly number[]) {
  return db
    .selectFrom('messages')
    .innerJoin('templates', (j) => j.onRef('templates.id', '=', 'messages.template_id').onRef('templates.account_id', '=', 'messages.account_id'))
    .select(['messages.e164 as e164', 'templates.purpose as purpose'])
    .select(since.map((t, i) => sql<number>`sum(case when messages.created_at >= ${t} then 1 else 0 end)`.as(`c${i}`)))
    .where('messages.e164', 'in', [...phones])
    .where('messages.created_at', '>=', Math.min(...since))
    .where(recheck(db, 'messages.account_id'), '=', accountId)
    .where('templates.purpose', 'in', [...purposes])
    .groupBy(['messages.e164', 'templates.purpose']);
}

// Built once per shape (store/query-shape.ts): Kysely's compile cost as much as the reads on every code sent.
const phoneCountsShape = new QueryShape<{ accountId: number; phones: readonly string[]; purposes: readonly number[]; since: readonly number[] }>(
  'phone counts',
  (db, a) => phoneCountsQuery(db, a.accountId, a.phones, a.purposes, a.since),
  (a) => [...a.since, ...a.phones, Math.min(...a.since), a.accountId, ...a.purposes],
  (a) => `${a.phones.length}/${a.purposes.length}/${a.since.length}`,
);

/** One number range (an E.164 prefix and the first string after it, see compliance/send-limits.ts). */
export interface RangeQuery {
  prefix: string;
  upper: string | undefined;
  purpose: number;
  since: number;
  /** Reads stop after this many phones: enough to tell a burst. */
  limit: number;
}

/** The distinct phones of a range an account sent to since a time, with templates of one purpose (at most `limit`). */
const rangePhonesShape = new QueryShape<{ accountId: number; q: RangeQuery }>(
  'range phones',
  (db, a) => rangePhonesQuery(db, a.accountId, a.q),
  ({ accountId, q }) => [q.prefix, `${q.prefix}%`, q.since, accountId, q.purpose, ...(q.upper === undefined ? [] : [q.upper]), q.limit],
  ({ q }) => (q.upper === undefined ? 'open' : 'bounded'),
);

export async function rangePhones(db: Db, accountId: number, q: RangeQuery): Promise<string[]> {
  const { rows } = await rangePhonesShape.execute<{ e164: string }>(db, { accountId, q });
  return rows.map((r) => String(r.e164));
}

/** The read behind rangePhones (exported for its plan test). */
export function rangePhonesQuery(db: Executor, accountId: number, q: RangeQuery) {
  const query = db
    .selectFrom('messages')
    .innerJoin('templates', (j) => j.onRef('templates.id', '=', 'messages.template_id').onRef('templates.account_id', '=', 'messages.account_id'))
    .select('messages.e164 as e164')
    .distinct()
    .where('messages.e164', '>=', q.prefix)
    .where('messages.e164', 'like', `${q.prefix}%`)
    .where('messages.created_at', '>=', q.since)
    .where(recheck(db, 'messages.account_id'), '=', accountId)
    .where('templates.purpose', '=', q.purpose);
  return (q.upper === undefined ? query : query.where('messages.e164', '<', q.upper)).limit(q.limit);
}
