import { sql } from 'kysely';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import { FINAL_STATUSES } from './schema.ts';

const BATCH = 1000;

/**
 * Deletes messages in a final state created before `cutoff` (unix ms), then sessions older than the
 * cutoff that no longer have messages. Small batches, each its own short transaction, so neither
 * the API nor the workers wait on a long lock; on PostgreSQL rows another node is pruning are skipped.
 * We prune instead of partitioning: it works the same on both databases and keeps one primary key.
 */
export async function pruneBefore(db: Db, cutoff: number, maxBatches = 1000): Promise<{ messages: number; sessions: number }> {
  let messages = 0;
  let sessions = 0;
  const lock = isPostgres(db) ? sql`for update skip locked` : sql``;
  const finals = sql.join(FINAL_STATUSES.map((s) => sql`${s}`));
  for (let i = 0; i < maxBatches; i++) {
    const res = await sql`
      with old(old_id) as materialized (
        select id from messages where created_at < ${cutoff} and status in (${finals}) order by created_at limit ${BATCH} ${lock})
      delete from messages where id in (select old_id from old)`.execute(db);
    const n = Number(res.numAffectedRows ?? 0);
    messages += n;
    if (n < BATCH) break;
  }
  for (let i = 0; i < maxBatches; i++) {
    const res = await sql`
      with old(old_no) as materialized (
        select session_no from sessions s where s.created_at < ${cutoff}
           and not exists (select 1 from messages m where m.session_no = s.session_no)
         order by s.created_at limit ${BATCH} ${lock})
      delete from sessions where session_no in (select old_no from old)`.execute(db);
    const n = Number(res.numAffectedRows ?? 0);
    sessions += n;
    if (n < BATCH) break;
  }
  return { messages, sessions };
}
