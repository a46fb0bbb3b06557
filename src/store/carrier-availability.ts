import type { Db } from './db.ts';
import { STATUS_STALE_MS } from './carriers.ts';

/**
 * Carriers some node reports ready (bound, circuit not open) within the status staleness bound: what
 * every node's routing treats as taking messages, for carriers it does not run itself.
 */
export async function availableCarriers(db: Db, now = Date.now()): Promise<string[]> {
  const rows = await db
    .selectFrom('carrier_status')
    .select('name')
    .where('ready', '=', 1)
    .where('updated_at', '>=', now - STATUS_STALE_MS)
    .execute();
  return rows.map((r) => r.name);
}
