import type { Db } from './db.ts';

/**
 * Blocks the number for the account. A number that had opted out by a reply becomes the account's or
 * operator's block: a later opt-in reply no longer lifts it.
 */
export async function addToBlacklist(db: Db, accountId: number, e164: string): Promise<void> {
  await db
    .insertInto('blacklist')
    .values({ account_id: accountId, phone: e164, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['account_id', 'phone']).doUpdateSet({ opted_out_at: null }))
    .execute();
}

/**
 * The phone replied with an opt-out word: blocked, marked with the time. A number already blocked keeps
 * its entry as it is (an operator's block stays one; a repeated opt-out keeps the first time).
 */
export async function recordOptOut(db: Db, accountId: number, e164: string, at: number): Promise<void> {
  await db
    .insertInto('blacklist')
    .values({ account_id: accountId, phone: e164, created_at: at, opted_out_at: at })
    .onConflict((oc) => oc.columns(['account_id', 'phone']).doNothing())
    .execute();
}

/** The phone replied with an opt-in word: its opt-out is lifted; a block by the account or operator stays. True when lifted. */
export async function recordOptIn(db: Db, accountId: number, e164: string): Promise<boolean> {
  const res = await db
    .deleteFrom('blacklist')
    .where('account_id', '=', accountId)
    .where('phone', '=', e164)
    .where('opted_out_at', 'is not', null)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function removeFromBlacklist(db: Db, accountId: number, e164: string): Promise<boolean> {
  const res = await db.deleteFrom('blacklist').where('account_id', '=', accountId).where('phone', '=', e164).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** The account's blocked numbers with when each opted out by a reply (null: blocked by the account or operator). */
export async function blacklistEntries(db: Db, accountId: number): Promise<Map<string, number | null>> {
  const rows = await db.selectFrom('blacklist').select(['phone', 'opted_out_at']).where('account_id', '=', accountId).execute();
  return new Map(rows.map((r) => [r.phone, r.opted_out_at === null ? null : Number(r.opted_out_at)]));
}
