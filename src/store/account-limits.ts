import type { Db } from './db.ts';

/**
 * An account's send limits and country allow-list as stored (migration 015): `allowedRegions` is
 * comma-separated ISO 3166 codes ('' for every country), `sendLimits` the JSON of its own limits
 * ('' for the defaults); compliance/send-limits.ts reads and writes both forms.
 */
export interface StoredAccountLimits {
  allowedRegions: string;
  sendLimits: string;
}

export async function accountLimits(db: Db, accountId: number): Promise<StoredAccountLimits | undefined> {
  const row = await db.selectFrom('accounts').select(['allowed_regions', 'send_limits']).where('id', '=', accountId).executeTakeFirst();
  return row && { allowedRegions: row.allowed_regions, sendLimits: row.send_limits };
}

/** Changes the fields given; false when there is no such account. */
export async function setAccountLimits(db: Db, accountId: number, changes: Partial<StoredAccountLimits>): Promise<boolean> {
  const set = {
    ...(changes.allowedRegions !== undefined && { allowed_regions: changes.allowedRegions }),
    ...(changes.sendLimits !== undefined && { send_limits: changes.sendLimits }),
  };
  if (Object.keys(set).length === 0) return (await accountLimits(db, accountId)) !== undefined;
  const res = await db.updateTable('accounts').set(set).where('id', '=', accountId).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
