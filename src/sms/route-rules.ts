/*
 * Routes (pure): what a route entry is, and the rules of its settings as operators type them: prefixes, accounts, and the order
 * terms of a carrier on a route. The store checks entries with them before writing; the operator layer
 * turns their errors into bad input.
 */

export const PRIORITY_MAX = 1000;
export const WEIGHT_MAX = 1000;

/** '86, +44,1415' -> ['86', '44', '1415']; throws on anything but digits. */
export function parsePrefixes(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((p) => p.trim().replace(/^\+/, ''))
    .filter(Boolean)
    .map((p) => {
      if (!/^\d{1,15}$/.test(p)) throw new Error(`route prefix "${p}" must be 1 to 15 digits (a country calling code, or a longer number range)`);
      return p;
    });
}

/** '60000001, 60000002' -> [60000001, 60000002]; throws on anything but positive whole numbers. */
export function parseAccounts(raw: string | undefined): number[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((a) => {
      const n = Number(a);
      if (!/^\d+$/.test(a) || !Number.isSafeInteger(n) || n <= 0) throw new Error(`route account "${a}" must be a numeric AccountId`);
      return n;
    });
}

/** How a carrier ranks on a route: lower priority first, then lower cost (micro-units, null = unknown), then weight shares. */
export interface RouteTerms {
  priority: number;
  weight: number;
  cost: number | null;
}

export const ROUTE_TERM_DEFAULTS: RouteTerms = { priority: 0, weight: 1, cost: null };

/** Throws with the first term out of range. */
export function checkRouteTerms(t: RouteTerms): void {
  if (!Number.isInteger(t.priority) || t.priority < 0 || t.priority > PRIORITY_MAX) throw new Error(`priority must be a whole number 0..${PRIORITY_MAX}`);
  if (!Number.isInteger(t.weight) || t.weight < 1 || t.weight > WEIGHT_MAX) throw new Error(`weight must be a whole number 1..${WEIGHT_MAX}`);
  if (t.cost !== null && (!Number.isSafeInteger(t.cost) || t.cost < 0)) throw new Error('cost must be a non-negative amount');
}

/** A stored prefix: digits, '' for every destination. */
export function checkRoutePrefix(prefix: string): void {
  if (!/^\d{0,15}$/.test(prefix)) throw new Error(`route prefix "${prefix}" must be up to 15 digits ('' for every destination)`);
}

/** One carrier of one route: a `routes` row. The rows sharing (prefix, accountId) are the route. */
export interface RouteEntry {
  id?: number;
  /** leading digits of the E.164 number, without '+'; '' = every destination */
  prefix: string;
  /** null = every account */
  accountId: number | null;
  carrier: string;
  /** lower first */
  priority: number;
  /** share of traffic among the carriers of equal priority and cost */
  weight: number;
  /** micro-units a segment; null = not known, after every known cost */
  cost: number | null;
}

/** The built-in carrier: takes what no route matches, and is always available. */
export const SANDBOX = 'sandbox';
