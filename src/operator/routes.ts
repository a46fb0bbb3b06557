import { formatMoney } from '../billing/money.ts';
import { parseAccounts, parsePrefixes, PRIORITY_MAX, WEIGHT_MAX } from '../sms/route-rules.ts';
import { Router, SANDBOX, type RouteEntry } from '../delivery/router.ts';
import type { Db } from '../store/db.ts';
import { addRoute as storeAddRoute, listRoutes as storeListRoutes, removeRoute as storeRemoveRoute, type RouteKey } from '../store/routes.ts';
import { badInput, notFound, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import { amountInput } from './billing.ts';
import type { OperatorContext } from './context.ts';
import { asInput, optionalBool, optionalInt, optionalList, requiredString } from './input.ts';

/*
 * Routes (operators only): which carriers take a destination, in which order. A route is a prefix
 * ('' every destination) and an account (none: every account); each of its carriers has a priority
 * (lower first), a cost (cheaper first, unknown last) and a weight (share among equals). Every node's
 * delivery thread reads the table at its next poll; queued messages follow the routes at their claim.
 */

/** One carrier on one route, as answered. `Prefix`: '+86', or '*' for every destination. */
export interface RouteView {
  Id: number;
  Prefix: string;
  AccountId: number | null;
  Carrier: string;
  Priority: number;
  Weight: number;
  /** a decimal amount a segment, as prices are written; null: not known */
  Cost: string | null;
}

/** What `route add` / `route remove` take: the console's JSON or the CLI's flags (strings). */
export interface RouteInput {
  Carrier?: unknown;
  /** digits (a leading '+' allowed), a list or comma-separated */
  Prefixes?: unknown;
  /** true: the route of every destination (prefix '') */
  Default?: unknown;
  /** a list or comma-separated; none: every account */
  AccountIds?: unknown;
  Priority?: unknown;
  Weight?: unknown;
  /** a decimal amount such as 0.012; 'none' or null: not known */
  Cost?: unknown;
}

export const shownPrefix = (prefix: string) => (prefix ? `+${prefix}` : '*');

function view(e: RouteEntry): RouteView {
  return {
    Id: e.id!, Prefix: shownPrefix(e.prefix), AccountId: e.accountId, Carrier: e.carrier,
    Priority: e.priority, Weight: e.weight, Cost: e.cost === null ? null : formatMoney(e.cost),
  };
}

/** Every route row, most specific route first and each route's carriers in the order they are tried. */
export async function routeTable(db: Db): Promise<RouteView[]> {
  const entries = await storeListRoutes(db);
  const byKey = new Map(entries.map((e) => [`${shownPrefix(e.prefix)}/${e.accountId}/${e.carrier}`, e]));
  return new Router(entries)
    .describe()
    .flatMap((r) => r.Carriers.map((c) => view(byKey.get(`${r.Prefix}/${r.Account}/${c.Carrier}`)!)));
}

export async function listRoutes(ctx: OperatorContext): Promise<{ Routes: RouteView[] }> {
  requireOperator(ctx.actor);
  return { Routes: await routeTable(ctx.db) };
}

/**
 * The (prefix, account) pairs a request names: Prefixes or Default, times AccountIds (or every account).
 * Accounts are checked to exist when adding (a typo would route nothing); removing takes any id.
 */
async function targets(ctx: OperatorContext, input: RouteInput, existing: boolean): Promise<Array<{ prefix: string; accountId: number | null }>> {
  const prefixes = asInput(() => parsePrefixes(optionalList(input.Prefixes, 'Prefixes')));
  const every = optionalBool(input.Default, 'Default') ?? false;
  if (every && prefixes.length) throw badInput('give Prefixes or Default (every destination), not both');
  if (!every && !prefixes.length) throw badInput('give Prefixes (digits, such as 86,44) or Default for every destination');
  const accounts = asInput(() => parseAccounts(optionalList(input.AccountIds, 'AccountIds')));
  if (existing && accounts.length) {
    const known = new Set((await ctx.db.selectFrom('accounts').select('id').where('id', 'in', accounts).execute()).map((a) => Number(a.id)));
    const missing = accounts.filter((a) => !known.has(a));
    if (missing.length) throw badInput(`AccountIds: no account ${missing.join(', ')}`);
  }
  return (every ? [''] : prefixes).flatMap((prefix) => (accounts.length ? accounts : [null]).map((accountId) => ({ prefix, accountId })));
}

async function carrierInput(ctx: OperatorContext, raw: unknown): Promise<string> {
  const name = requiredString(raw, 'Carrier', 64).trim();
  if (name === SANDBOX) return name;
  const row = await ctx.db.selectFrom('carriers').select('name').where('name', '=', name).executeTakeFirst();
  if (!row) throw badInput(`unknown carrier "${name}" (usms carrier list shows them; "${SANDBOX}" is the built-in one)`);
  return name;
}

function costInput(raw: unknown): number | null | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === null || raw === 'none') return null;
  return amountInput(raw, 'Cost', 'non-negative');
}

/**
 * Puts a carrier on the routes named (each prefix, or every destination, for each account or every
 * account). A carrier already on one of them keeps its place and gets the terms given; the terms not
 * given keep their value (a new row: priority 0, weight 1, cost unknown).
 */
export async function addRoute(ctx: OperatorContext, input: RouteInput) {
  requireOperator(ctx.actor);
  const carrier = await carrierInput(ctx, input.Carrier);
  const pairs = await targets(ctx, input, true);
  const priority = optionalInt(input.Priority, 'Priority', { min: 0, max: PRIORITY_MAX });
  const weight = optionalInt(input.Weight, 'Weight', { min: 1, max: WEIGHT_MAX });
  const cost = costInput(input.Cost);
  const current = await storeListRoutes(ctx.db);
  let added = 0;
  let updated = 0;
  for (const { prefix, accountId } of pairs) {
    const was = current.find((e) => e.prefix === prefix && e.accountId === accountId && e.carrier === carrier);
    const result = await asInputAsync(() =>
      storeAddRoute(ctx.db, {
        prefix, accountId, carrier,
        priority: priority ?? was?.priority ?? 0,
        weight: weight ?? was?.weight ?? 1,
        cost: cost === undefined ? (was?.cost ?? null) : cost,
      }),
    );
    if (result.added) added++;
    else updated++;
  }
  await audit(ctx.db, ctx.actor, 'route.add', carrier, null, {
    Routes: pairs.map((p) => ({ Prefix: shownPrefix(p.prefix), AccountId: p.accountId })),
    ...(priority !== undefined && { Priority: priority }),
    ...(weight !== undefined && { Weight: weight }),
    ...(cost !== undefined && { Cost: cost === null ? null : formatMoney(cost) }),
  });
  return { Carrier: carrier, Added: added, Updated: updated, Routes: await routeTable(ctx.db) };
}

/** Takes a carrier off routes: by row `Id`, or by Carrier with Prefixes or Default (and AccountIds). */
export async function removeRoute(ctx: OperatorContext, input: RouteInput & { Id?: unknown }) {
  requireOperator(ctx.actor);
  const id = optionalInt(input.Id, 'Id', { min: 1 });
  let removed = 0;
  let target: string;
  if (id !== undefined) {
    if (input.Carrier !== undefined || input.Prefixes !== undefined || input.Default !== undefined || input.AccountIds !== undefined) {
      throw badInput('give Id alone, or Carrier with Prefixes or Default');
    }
    removed = await storeRemoveRoute(ctx.db, { id });
    target = `#${id}`;
  } else {
    if (input.Carrier === undefined) throw badInput('give Id, or Carrier with Prefixes or Default');
    const carrier = requiredString(input.Carrier, 'Carrier', 64).trim();
    const keys: RouteKey[] = (await targets(ctx, input, false)).map((p) => ({ ...p, carrier }));
    for (const k of keys) removed += await storeRemoveRoute(ctx.db, k);
    target = carrier;
  }
  if (removed === 0) throw notFound(id !== undefined ? `no route row ${id}` : `${target} is on none of these routes`);
  await audit(ctx.db, ctx.actor, 'route.remove', target, null, { Removed: removed });
  return { Removed: removed, Routes: await routeTable(ctx.db) };
}

/** Everything was checked above; a carrier removed meanwhile is still the caller's mistake, not a failure. */
async function asInputAsync<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as Error).message.startsWith('unknown carrier')) throw badInput((err as Error).message);
    throw err;
  }
}
