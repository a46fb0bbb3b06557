import type { Db } from './db.ts';

export async function addToBlacklist(db: Db, accountId: number, e164: string): Promise<void> {
  await db
    .insertInto('blacklist')
    .values({ account_id: accountId, phone: e164, created_at: Date.now() })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeFromBlacklist(db: Db, accountId: number, e164: string): Promise<boolean> {
  const res = await db.deleteFrom('blacklist').where('account_id', '=', accountId).where('phone', '=', e164).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function listBlacklist(db: Db, accountId: number): Promise<string[]> {
  const rows = await db.selectFrom('blacklist').select('phone').where('account_id', '=', accountId).orderBy('phone').execute();
  return rows.map((r) => r.phone);
}
