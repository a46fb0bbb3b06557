import type { Kysely } from 'kysely';
import type { PriceEntry } from '../billing/price-list.ts';
import type { Db } from './db.ts';
import type { BillingMode, Database } from './schema.ts';

/** The platform list's account id in `prices`. */
export const PLATFORM = 0;
export const DEFAULT_CURRENCY = 'USD';

async function setting(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('platform_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Billing is on from the first price the operator sets, and stays on. */
export async function billingEnabled(db: Kysely<Database>): Promise<boolean> {
  return (await setting(db, 'billing_enabled_at')) !== undefined;
}

export async function platformCurrency(db: Kysely<Database>): Promise<string> {
  return (await setting(db, 'currency')) ?? DEFAULT_CURRENCY;
}

/**
 * Sets one price (micro-units a segment) on the platform's list or an account's. The first price ever
 * turns billing on: the currency is fixed, and every account still free becomes postpaid without a
 * limit, so it keeps sending as before until the operator changes it. Returns whether it did.
 */
export async function setPrices(db: Db, accountId: number, entries: PriceEntry[], currency?: string): Promise<{ billingTurnedOn: boolean; currency: string }> {
  return db.transaction().execute(async (trx) => {
    const on = await billingEnabled(trx);
    const current = await platformCurrency(trx);
    if (on && currency && currency !== current) throw new Error(`the platform currency is ${current} and cannot change once prices are set`);
    const now = Date.now();
    for (const e of entries) {
      await trx
        .insertInto('prices')
        .values({ account_id: accountId, prefix: e.prefix, price: e.price, updated_at: now })
        .onConflict((oc) => oc.columns(['account_id', 'prefix']).doUpdateSet({ price: e.price, updated_at: now }))
        .execute();
    }
    if (on) return { billingTurnedOn: false, currency: current };
    const chosen = currency ?? current;
    await trx.insertInto('platform_settings').values([{ key: 'billing_enabled_at', value: String(now) }, { key: 'currency', value: chosen }])
      .onConflict((oc) => oc.column('key').doNothing()).execute();
    await trx.updateTable('accounts').set({ billing_mode: 'postpaid', credit_limit: null }).where('billing_mode', '=', 'free').execute();
    return { billingTurnedOn: true, currency: chosen };
  });
}

export async function removePrice(db: Db, accountId: number, prefix: string): Promise<boolean> {
  const res = await db.deleteFrom('prices').where('account_id', '=', accountId).where('prefix', '=', prefix).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** A list's entries, by prefix. */
export async function listPrices(db: Kysely<Database>, accountId: number): Promise<Array<PriceEntry & { updatedAt: number }>> {
  const rows = await db.selectFrom('prices').select(['prefix', 'price', 'updated_at']).where('account_id', '=', accountId).orderBy('prefix').execute();
  return rows.map((r) => ({ prefix: r.prefix, price: Number(r.price), updatedAt: Number(r.updated_at) }));
}

/** What pricing a send needs: is billing on, the account's mode, the platform's and the account's lists. */
export async function pricingOf(db: Kysely<Database>, accountId: number): Promise<{ enabled: boolean; currency: string; mode: BillingMode; platform: PriceEntry[]; account: PriceEntry[] }> {
  const [enabled, currency, account, platform, own] = await Promise.all([
    billingEnabled(db),
    platformCurrency(db),
    db.selectFrom('accounts').select('billing_mode').where('id', '=', accountId).executeTakeFirst(),
    listPrices(db, PLATFORM),
    listPrices(db, accountId),
  ]);
  return { enabled, currency, mode: account?.billing_mode ?? 'free', platform, account: own };
}
