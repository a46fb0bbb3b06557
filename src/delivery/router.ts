import { sql, type RawBuilder } from 'kysely';

import { SANDBOX, type RouteEntry } from '../sms/route-rules.ts';

export { parseAccounts, parsePrefixes, SANDBOX, type RouteEntry } from '../sms/route-rules.ts';

/** Which messages a carrier's worker claims: everything, nothing, or rows matching a SQL condition. */
export type ClaimFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'where'; where: RawBuilder<unknown> };

interface Member {
  carrier: string;
  priority: number;
  weight: number;
  cost: number | null;
}

interface Route {
  prefix: string;
  accountId: number | null;
  /** in order: priority, cost (null last), carrier name */
  members: Member[];
  /** position of its first entry, so equally specific routes keep the order they were given in */
  first: number;
}

/** What a message matches on: its id (for weights), account, number and the carrier it should avoid. */
export interface RoutedMessage {
  id: number;
  accountId: number;
  e164: string;
  avoidCarrier: string | null;
}

/** Claim filters kept per (carrier, carriers available): enough for every change of a day's outages. */
const FILTER_CACHE = 256;

/** A carrier's share of `id % total`: ids with a remainder in [from, to) go to it. */
interface Slice {
  total: number;
  from: number;
  to: number;
}

/** true / false, or a SQL condition. */
type Cond = boolean | RawBuilder<unknown>;

/**
 * Message -> carrier, decided when a worker claims. A message's route is the most specific one that
 * matches it: account-restricted routes before open ones, then the longest prefix. It never falls
 * through to a less specific route: while none of its route's carriers is available, it waits. No route
 * matching: the sandbox.
 *
 * On its route, the available carriers are taken in order (priority, then cost); the first group of
 * equals shares the traffic by weight, `id % totalWeight` picking one, so the split is exact over
 * consecutive ids and every node picks the same carrier for a message. The carrier the message last
 * failed on (`avoid_carrier`) is left out while another carrier of the route is available.
 *
 * `claimFilter` is the same rule as SQL: every branch is built from the same choices `resolve` makes.
 */
export class Router {
  private readonly routes: Route[];
  /** every carrier named in a route, by name */
  private readonly named: string[];
  private readonly filters = new Map<string, ClaimFilter>();

  constructor(entries: RouteEntry[]) {
    const byKey = new Map<string, Route>();
    entries.forEach((e, i) => {
      const key = `${e.accountId ?? ''}/${e.prefix}`;
      let route = byKey.get(key);
      if (!route) byKey.set(key, (route = { prefix: e.prefix, accountId: e.accountId, members: [], first: i }));
      if (route.members.some((m) => m.carrier === e.carrier)) return;
      // A weight below 1 would take nothing and divide by zero: the store never writes one.
      route.members.push({ carrier: e.carrier, priority: e.priority, weight: Math.max(1, Math.trunc(e.weight)), cost: e.cost });
    });
    this.routes = [...byKey.values()];
    for (const r of this.routes) r.members.sort(byOrder);
    this.routes.sort(
      (a, b) =>
        Number(b.accountId !== null) - Number(a.accountId !== null) || b.prefix.length - a.prefix.length || a.first - b.first,
    );
    this.named = [...new Set(this.routes.flatMap((r) => r.members.map((m) => m.carrier)))].sort();
  }

  /** The carrier that should take this message now, or undefined: it waits. */
  resolve(m: RoutedMessage, available: ReadonlySet<string>): string | undefined {
    const route = this.routes.find((r) => matches(r, m.accountId, m.e164));
    if (!route) return SANDBOX;
    const up = availableMembers(route, available);
    if (up.length === 0) return undefined;
    const pool = m.avoidCarrier !== null && up.some((c) => c.carrier !== m.avoidCarrier) ? up.filter((c) => c.carrier !== m.avoidCarrier) : up;
    const group = firstGroup(pool);
    let rest = m.id % totalWeight(group);
    for (const c of group) {
      if (rest < c.weight) return c.carrier;
      rest -= c.weight;
    }
    return group[group.length - 1]!.carrier;
  }

  /** The rule of `resolve` as SQL over messages.e164, account_id, id and avoid_carrier. */
  claimFilter(carrier: string, available: ReadonlySet<string>): ClaimFilter {
    // Workers ask before every claim; the answer changes only with the carriers available.
    const key = `${carrier}\n${this.named.filter((c) => available.has(c)).join('\n')}`;
    let filter = this.filters.get(key);
    if (!filter) {
      if (this.filters.size >= FILTER_CACHE) this.filters.clear();
      this.filters.set(key, (filter = this.buildFilter(carrier, available)));
    }
    return filter;
  }

  private buildFilter(carrier: string, available: ReadonlySet<string>): ClaimFilter {
    if (!isAvailable(carrier, available)) return { kind: 'none' };
    // What no route matches goes to the sandbox; with a route for every destination and account, nothing does.
    const fallback = carrier === SANDBOX && !this.routes.some((r) => r.prefix === '' && r.accountId === null);
    if (this.routes.length === 0) return fallback ? { kind: 'all' } : { kind: 'none' };
    const takes = this.routes.map((r) => takesOnRoute(r, carrier, available));
    const taking = takes.flatMap((t, i) => (t === false ? [] : [i]));
    if (taking.length === 0 && !fallback) return { kind: 'none' };

    // First match wins, as in `resolve`: a CASE over the routes in rank order (a flat list: no
    // expression depth limit however many routes). A route where this carrier takes nothing still has to
    // stop a message that would otherwise reach a later branch or the fallback; one that no message of
    // those later branches can match (another country, another account) is left out, and so is
    // everything after the carrier's last route.
    // Every route, and what none matches, is this carrier's whole: no condition (the common one-carrier set-up).
    if (takes.every((t) => t === true) && (fallback || this.routes.some((r) => r.prefix === '' && r.accountId === null))) return { kind: 'all' };
    const branches: RawBuilder<unknown>[] = [];
    this.routes.forEach((r, i) => {
      const cond = takes[i]!;
      if (cond === false && !fallback && !taking.some((j) => j > i && overlap(r, this.routes[j]!))) return;
      branches.push(sql`when ${matchSql(r)} then ${condSql(cond)}`);
    });
    return { kind: 'where', where: sql`(case ${sql.join(branches, sql` `)} else ${condSql(fallback)} end)` };
  }

  /** The carriers of the route a message would take, in order (the sandbox when no route matches). */
  candidates(accountId: number, e164: string): string[] {
    const route = this.routes.find((r) => matches(r, accountId, e164));
    return route ? route.members.map((m) => m.carrier) : [SANDBOX];
  }

  /** The routing table, most specific route first; '*' is every destination. */
  describe(): Array<{ Prefix: string; Account: number | null; Carriers: Array<{ Carrier: string; Priority: number; Weight: number; Cost: number | null }> }> {
    return this.routes.map((r) => ({
      Prefix: r.prefix ? `+${r.prefix}` : '*',
      Account: r.accountId,
      Carriers: r.members.map((m) => ({ Carrier: m.carrier, Priority: m.priority, Weight: m.weight, Cost: m.cost })),
    }));
  }

  /** Every carrier named in a route, by name. */
  carriers(): string[] {
    return [...this.named];
  }
}

function byOrder(a: Member, b: Member): number {
  return a.priority - b.priority || costOrder(a.cost, b.cost) || (a.carrier < b.carrier ? -1 : a.carrier > b.carrier ? 1 : 0);
}

function costOrder(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function isAvailable(carrier: string, available: ReadonlySet<string>): boolean {
  return carrier === SANDBOX || available.has(carrier);
}

function availableMembers(r: Route, available: ReadonlySet<string>): Member[] {
  return r.members.filter((m) => isAvailable(m.carrier, available));
}

/** The leading members equal in priority and cost (members are in order). */
function firstGroup(members: Member[]): Member[] {
  const head = members[0]!;
  return members.filter((m) => m.priority === head.priority && m.cost === head.cost);
}

function totalWeight(group: Member[]): number {
  return group.reduce((sum, m) => sum + m.weight, 0);
}

function sliceOf(group: Member[], carrier: string): Slice | undefined {
  let from = 0;
  for (const m of group) {
    if (m.carrier === carrier) return { total: totalWeight(group), from, to: from + m.weight };
    from += m.weight;
  }
  return undefined;
}

function matches(r: Route, accountId: number, e164: string): boolean {
  return (r.accountId === null || r.accountId === accountId) && (r.prefix === '' || e164.startsWith(`+${r.prefix}`));
}

/** Can one message match both routes? */
function overlap(a: Route, b: Route): boolean {
  const accounts = a.accountId === null || b.accountId === null || a.accountId === b.accountId;
  return accounts && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix));
}

/**
 * When `carrier` takes a message whose route is `r`: never, always, or on the message's id and
 * avoid_carrier. Only carriers of the first group can change the choice by being avoided (or the
 * carrier itself, which then takes nothing while another is available).
 */
function takesOnRoute(r: Route, carrier: string, available: ReadonlySet<string>): Cond {
  const up = availableMembers(r, available);
  if (!up.some((m) => m.carrier === carrier)) return false;
  if (up.length === 1) return true;
  const group = firstGroup(up);
  const base = sliceOf(group, carrier);
  const avoided: Array<[string, Slice | undefined]> = [];
  for (const m of up) {
    if (m.carrier === carrier) avoided.push([m.carrier, undefined]);
    else if (group.includes(m)) avoided.push([m.carrier, sliceOf(firstGroup(up.filter((o) => o !== m)), carrier)]);
  }
  const differing = avoided.filter(([, s]) => !sameSlice(s, base));
  if (differing.length === 0) return sliceCond(base);
  const whens = differing.map(([name, s]) => sql`when avoid_carrier = ${name} then ${condSql(sliceCond(s))}`);
  return sql`(case ${sql.join(whens, sql` `)} else ${condSql(sliceCond(base))} end)`;
}

function sameSlice(a: Slice | undefined, b: Slice | undefined): boolean {
  if (!a || !b) return a === b;
  // A slice covering every id is the same whatever the total.
  const all = (s: Slice) => s.from === 0 && s.to === s.total;
  return (all(a) && all(b)) || (a.total === b.total && a.from === b.from && a.to === b.to);
}

function sliceCond(s: Slice | undefined): Cond {
  if (!s) return false;
  if (s.from === 0 && s.to === s.total) return true;
  // Whole numbers we computed: inlined, so PostgreSQL needs no parameter types for them.
  const rest = sql`(id % ${sql.lit(s.total)})`;
  if (s.from === 0) return sql`${rest} < ${sql.lit(s.to)}`;
  if (s.to === s.total) return sql`${rest} >= ${sql.lit(s.from)}`;
  return sql`(${rest} >= ${sql.lit(s.from)} and ${rest} < ${sql.lit(s.to)})`;
}

function condSql(c: Cond): RawBuilder<unknown> {
  if (c === true) return sql`(1 = 1)`;
  if (c === false) return sql`(1 = 0)`;
  return c;
}

function matchSql(r: Route): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  // Prefixes are digits only (sms/route-rules.ts), so LIKE needs no escaping.
  if (r.prefix) parts.push(sql`e164 like ${`+${r.prefix}%`}`);
  if (r.accountId !== null) parts.push(sql`account_id = ${r.accountId}`);
  if (parts.length === 0) return sql`(1 = 1)`;
  return sql`(${sql.join(parts, sql` and `)})`;
}
