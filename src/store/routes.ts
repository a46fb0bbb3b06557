import type { ExpressionBuilder, Kysely } from 'kysely';
import { checkRoutePrefix, checkRouteTerms } from '../sms/route-rules.ts';
import { SANDBOX, type RouteEntry } from '../sms/route-rules.ts';
import type { Db } from './db.ts';
import type { Database } from './schema.ts';

/*
 * The `routes` table (migration 016): one row per carrier of a route; the rows sharing (prefix,
 * account_id) are the route. Read by every delivery thread at each poll (delivery/router.ts), so a
 * change applies to queued messages at their next claim.
 */

/** One carrier on one route, named without its row id. */
export interface RouteKey {
  prefix: string;
  accountId: number | null;
  carrier: string;
}

/** Every row, oldest first (the router keeps that order between equally specific routes). */
export async function listRoutes(db: Kysely<Database>): Promise<RouteEntry[]> {
  const rows = await db.selectFrom('routes').select(['id', 'prefix', 'account_id', 'carrier', 'priority', 'weight', 'cost']).orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    prefix: r.prefix,
    accountId: r.account_id === null ? null : Number(r.account_id),
    carrier: r.carrier,
    priority: Number(r.priority),
    weight: Number(r.weight),
    cost: r.cost === null ? null : Number(r.cost),
  }));
}

function check(e: Omit<RouteEntry, 'id'>): void {
  checkRoutePrefix(e.prefix);
  if (e.accountId !== null && (!Number.isSafeInteger(e.accountId) || e.accountId <= 0)) throw new Error('route account must be a numeric AccountId');
  checkRouteTerms(e);
}

/** The row of one carrier on one route (account NULL compares with IS). */
const byKey = (k: RouteKey) => (eb: ExpressionBuilder<Database, 'routes'>) =>
  eb.and([eb('prefix', '=', k.prefix), eb('carrier', '=', k.carrier), k.accountId === null ? eb('account_id', 'is', null) : eb('account_id', '=', k.accountId)]);

/**
 * Puts a carrier on a route, or changes its priority, weight and cost when it is already there.
 * The carrier must exist (or be the sandbox). Returns the row's id and whether it is new.
 */
export async function addRoute(db: Db, e: Omit<RouteEntry, 'id'>): Promise<{ id: number; added: boolean }> {
  check(e);
  return db.transaction().execute(async (trx) => {
    if (e.carrier !== SANDBOX) {
      const carrier = await trx.selectFrom('carriers').select('name').where('name', '=', e.carrier).executeTakeFirst();
      if (!carrier) throw new Error(`unknown carrier ${e.carrier}`);
    }
    const existing = await trx.selectFrom('routes').select('id').where(byKey(e)).executeTakeFirst();
    if (existing) {
      await trx.updateTable('routes').set({ priority: e.priority, weight: e.weight, cost: e.cost }).where('id', '=', existing.id).execute();
      return { id: Number(existing.id), added: false };
    }
    const row = await trx
      .insertInto('routes')
      .values({ prefix: e.prefix, account_id: e.accountId, carrier: e.carrier, priority: e.priority, weight: e.weight, cost: e.cost, created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), added: true };
  });
}

/** Takes a carrier off a route, by row id or by (prefix, account, carrier); returns the rows removed (0 or 1). */
export async function removeRoute(db: Kysely<Database>, which: { id: number } | RouteKey): Promise<number> {
  const res =
    'id' in which
      ? await db.deleteFrom('routes').where('id', '=', which.id).executeTakeFirst()
      : await db.deleteFrom('routes').where(byKey(which)).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Sets every route row of a carrier to `entries` (carrier add / update with routes). Runs in the caller's
 * transaction when given one, so the carrier and its routes change together.
 */
export async function replaceCarrierRoutes(db: Kysely<Database>, carrier: string, entries: Array<Omit<RouteEntry, 'id' | 'carrier'>>): Promise<void> {
  for (const e of entries) check({ ...e, carrier });
  await db.deleteFrom('routes').where('carrier', '=', carrier).execute();
  const now = Date.now();
  const seen = new Set<string>();
  for (const e of entries) {
    // The unique index is on (prefix, account, carrier): a repeated pair is written once.
    const key = `${e.accountId ?? ''}/${e.prefix}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await db
      .insertInto('routes')
      .values({ prefix: e.prefix, account_id: e.accountId, carrier, priority: e.priority, weight: e.weight, cost: e.cost, created_at: now })
      .execute();
  }
}

/** Removes a carrier from every route; returns the rows removed. */
export async function removeRoutesOf(db: Kysely<Database>, carrier: string): Promise<number> {
  const res = await db.deleteFrom('routes').where('carrier', '=', carrier).executeTakeFirst();
  return Number(res.numDeletedRows);
}
