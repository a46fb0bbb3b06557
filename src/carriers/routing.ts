import { sql, type RawBuilder } from 'kysely';

/** What routing needs to know about one configured carrier. */
export interface RouteSpec {
  name: string;
  /** Country calling-code prefixes (digits, no '+'): '86', '44', '1415'. Empty: any destination. */
  prefixes: string[];
  /** Account ids. Empty: any account. */
  accounts: number[];
  /** Takes what no route matches. */
  isDefault: boolean;
}

interface Route {
  carrier: string;
  prefix: string | undefined;
  accounts: number[];
}

export const SANDBOX = 'sandbox';

/** Which messages a carrier's worker claims: everything, nothing, or rows matching a SQL condition. */
export type ClaimFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'where'; where: RawBuilder<unknown> };

/**
 * Message -> carrier. A carrier with prefixes and/or accounts contributes one route per prefix (or
 * one route for its accounts); the most specific matching route wins: account-restricted routes
 * before open ones, then the longest prefix, then the carrier name. A carrier with neither takes
 * nothing unless it is the default. What no route matches goes to the default carrier, or to the
 * sandbox while no carrier is marked default.
 *
 * Routing happens when a worker claims (see DeliveryWorker): `claimFilter` is the same rule as
 * `resolve`, as SQL over messages.e164 / messages.account_id.
 */
export class Router {
  private readonly routes: Route[];
  readonly defaultCarrier: string;

  constructor(specs: RouteSpec[]) {
    const routes: Route[] = [];
    for (const s of specs) {
      if (s.prefixes.length) for (const p of s.prefixes) routes.push({ carrier: s.name, prefix: p, accounts: s.accounts });
      else if (s.accounts.length) routes.push({ carrier: s.name, prefix: undefined, accounts: s.accounts });
    }
    routes.sort(
      (a, b) =>
        Number(b.accounts.length > 0) - Number(a.accounts.length > 0) ||
        (b.prefix?.length ?? 0) - (a.prefix?.length ?? 0) ||
        (a.carrier < b.carrier ? -1 : a.carrier > b.carrier ? 1 : 0),
    );
    this.routes = routes;
    this.defaultCarrier = specs.filter((s) => s.isDefault).map((s) => s.name).sort()[0] ?? SANDBOX;
  }

  resolve(accountId: number, e164: string): string {
    for (const r of this.routes) if (matches(r, accountId, e164)) return r.carrier;
    return this.defaultCarrier;
  }

  claimFilter(carrier: string): ClaimFilter {
    const isDefault = carrier === this.defaultCarrier;
    if (this.routes.length === 0) return isDefault ? { kind: 'all' } : { kind: 'none' };
    const terms: RawBuilder<unknown>[] = [];
    this.routes.forEach((r, i) => {
      if (r.carrier !== carrier) return;
      // First match wins: this route, unless an earlier route of another carrier matches too.
      const earlier = this.routes.slice(0, i).filter((e) => e.carrier !== carrier);
      terms.push(earlier.length ? sql`(${condition(r)} and not (${anyOf(earlier)}))` : condition(r));
    });
    if (isDefault) terms.push(sql`not (${anyOf(this.routes)})`);
    if (terms.length === 0) return { kind: 'none' };
    return { kind: 'where', where: sql`(${sql.join(terms, sql` or `)})` };
  }

  describe(): Array<{ Carrier: string; Prefix: string; Accounts: number[] }> {
    return [
      ...this.routes.map((r) => ({ Carrier: r.carrier, Prefix: r.prefix ? `+${r.prefix}` : '*', Accounts: r.accounts })),
      { Carrier: this.defaultCarrier, Prefix: '* (default)', Accounts: [] },
    ];
  }
}

function matches(r: Route, accountId: number, e164: string): boolean {
  return (r.prefix === undefined || e164.startsWith(`+${r.prefix}`)) && (r.accounts.length === 0 || r.accounts.includes(accountId));
}

function condition(r: Route): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  // Prefixes are digits only (checked when the carrier is added), so LIKE needs no escaping.
  if (r.prefix !== undefined) parts.push(sql`e164 like ${`+${r.prefix}%`}`);
  if (r.accounts.length) parts.push(sql`account_id in (${sql.join(r.accounts)})`);
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql` and `)})`;
}

function anyOf(routes: Route[]): RawBuilder<unknown> {
  return sql.join(routes.map(condition), sql` or `);
}

/** '86, +44,1415' -> ['86', '44', '1415']; throws on anything but digits. */
export function parsePrefixes(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split(',').map((p) => p.trim().replace(/^\+/, '')).filter(Boolean).map((p) => {
    if (!/^\d{1,15}$/.test(p)) throw new Error(`route prefix "${p}" must be 1 to 15 digits (a country calling code, or a longer number range)`);
    return p;
  });
}

export function parseAccounts(raw: string | undefined): number[] {
  if (!raw) return [];
  return raw.split(',').map((a) => a.trim()).filter(Boolean).map((a) => {
    const n = Number(a);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`route account "${a}" must be a numeric AccountId`);
    return n;
  });
}
