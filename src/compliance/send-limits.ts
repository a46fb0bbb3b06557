import { isSupportedCountry } from 'libphonenumber-js/max';

/**
 * Pumping protection: how many messages an account may send to one phone, and when a burst to one
 * number range is paused for the operator. Pure: the counts come from the caller.
 *
 * Limits are per template Purpose (1 verification code, 2 notification, 3 marketing):
 * - per phone, a list of rates "at most COUNT in WINDOW" over a sliding window (the last hour, not the
 *   clock hour). Codes default to 1 a minute, 5 an hour and 10 a day; the other purposes have none.
 * - a range burst: more than COUNT distinct phones of one number range within WINDOW opens an alarm
 *   and holds the messages beyond it. Codes default to more than 10 in 10 minutes; the others have none.
 *
 * A number range is the E.164 number without its last four digits ('+4479111234' for +447911123456):
 * the size of block a carrier assigns, and the unit premium-rate pumping walks through.
 *
 * An account's own limits are stored as JSON (accounts.send_limits), only for the purposes it changed:
 * `{"1":{"perPhone":["5/1h"],"rangeBurst":null}}`. A purpose left out, or a field left out of a
 * purpose, keeps the default; `perPhone: []` and `rangeBurst: null` turn that check off.
 */

export const PURPOSES = [1, 2, 3] as const;
export type Purpose = (typeof PURPOSES)[number];

export const PURPOSE_NAMES: Readonly<Record<Purpose, string>> = { 1: 'verification codes', 2: 'notifications', 3: 'marketing messages' };

/** At most `count` messages (or distinct phones) within `windowMs`. */
export interface Rate {
  count: number;
  windowMs: number;
}

export interface PurposeLimits {
  /** Rates per destination phone, shortest window first; empty: no limit. */
  perPhone: readonly Rate[];
  /** More than `count` distinct phones of one range within the window opens an alarm; null: off. */
  rangeBurst: Rate | null;
}

export type SendLimits = Readonly<Record<Purpose, PurposeLimits>>;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_SEND_LIMITS: SendLimits = Object.freeze({
  1: {
    perPhone: [
      { count: 1, windowMs: MINUTE },
      { count: 5, windowMs: HOUR },
      { count: 10, windowMs: DAY },
    ],
    rangeBurst: { count: 10, windowMs: 10 * MINUTE },
  },
  2: { perPhone: [], rangeBurst: null },
  3: { perPhone: [], rangeBurst: null },
});

/** Bounds: every limit costs an index range read on each send, longer windows read more. */
export const MAX_RATES_PER_PURPOSE = 4;
export const MAX_PHONE_COUNT = 100_000;
export const MAX_PHONE_WINDOW_MS = 31 * DAY;
export const MAX_BURST_COUNT = 1_000;
export const MAX_BURST_WINDOW_MS = DAY;
export const MAX_LIMITS_JSON_CHARS = 2_000;
/** Digits of an E.164 number dropped to name its range. */
export const RANGE_SUFFIX_DIGITS = 4;

export class SendLimitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendLimitsError';
  }
}

const UNITS: Record<string, number> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY };
const RATE = /^\s*(\d{1,7})\s*\/\s*(\d{0,4})\s*([smhd])\s*$/;

/** '5/1h', '10/1d', '1/30s' (the window's number may be left out: '5/h'). */
export function parseRate(text: string, bounds: { maxCount: number; maxWindowMs: number } = { maxCount: MAX_PHONE_COUNT, maxWindowMs: MAX_PHONE_WINDOW_MS }): Rate {
  const m = RATE.exec(text);
  if (!m) throw new SendLimitsError(`"${text}" is not a rate such as 5/1h (COUNT/WINDOW, the window in s, m, h or d)`);
  const count = Number(m[1]);
  const windowMs = Number(m[2] || '1') * UNITS[m[3]!]!;
  if (count < 1 || count > bounds.maxCount) throw new SendLimitsError(`"${text}": the count must be 1 to ${bounds.maxCount}`);
  if (windowMs < SECOND || windowMs > bounds.maxWindowMs) {
    throw new SendLimitsError(`"${text}": the window must be 1s to ${formatWindow(bounds.maxWindowMs)}`);
  }
  return { count, windowMs };
}

export const parseBurst = (text: string): Rate => parseRate(text, { maxCount: MAX_BURST_COUNT, maxWindowMs: MAX_BURST_WINDOW_MS });

/** The largest whole unit: 3600000 -> '1h', 90000 -> '90s'. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / SECOND)}s`;
}

export const formatRate = (r: Rate): string => `${r.count}/${formatWindow(r.windowMs)}`;

/** What an account changed, per purpose; absent fields keep the defaults. */
export interface PurposeOverride {
  perPhone?: readonly Rate[];
  rangeBurst?: Rate | null;
}
export type SendLimitOverrides = Partial<Record<Purpose, PurposeOverride>>;

export function isPurpose(n: unknown): n is Purpose {
  return n === 1 || n === 2 || n === 3;
}

/** Per-phone rates as stored: sorted by window, one per window, bounded. */
export function checkPerPhone(rates: readonly Rate[]): Rate[] {
  if (rates.length > MAX_RATES_PER_PURPOSE) throw new SendLimitsError(`at most ${MAX_RATES_PER_PURPOSE} per-phone limits per purpose`);
  const sorted = [...rates].sort((a, b) => a.windowMs - b.windowMs);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.windowMs === sorted[i - 1]!.windowMs) throw new SendLimitsError(`two limits for the same window ${formatWindow(sorted[i]!.windowMs)}`);
  }
  return sorted;
}

/** An account's stored JSON; '' is no override. Throws SendLimitsError on anything else than the format above. */
export function parseOverrides(json: string): SendLimitOverrides {
  if (json === '') return {};
  if (json.length > MAX_LIMITS_JSON_CHARS) throw new SendLimitsError(`send limits longer than ${MAX_LIMITS_JSON_CHARS} characters`);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new SendLimitsError('send limits are not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SendLimitsError('send limits must be a JSON object');
  const out: SendLimitOverrides = {};
  for (const [key, value] of Object.entries(raw)) {
    const purpose = Number(key);
    if (!isPurpose(purpose) || String(purpose) !== key) throw new SendLimitsError(`unknown purpose "${key}" (1, 2 or 3)`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SendLimitsError(`purpose ${key}: an object expected`);
    const o: PurposeOverride = {};
    for (const [field, v] of Object.entries(value)) {
      if (field === 'perPhone') {
        if (!Array.isArray(v) || !v.every((r) => typeof r === 'string')) throw new SendLimitsError(`purpose ${key}: perPhone must be a list of rates`);
        o.perPhone = checkPerPhone(v.map((r: string) => parseRate(r)));
      } else if (field === 'rangeBurst') {
        if (v !== null && typeof v !== 'string') throw new SendLimitsError(`purpose ${key}: rangeBurst must be a rate or null`);
        o.rangeBurst = v === null ? null : parseBurst(v);
      } else {
        throw new SendLimitsError(`purpose ${key}: unknown field "${field}"`);
      }
    }
    out[purpose] = o;
  }
  return out;
}

/** The stored JSON of overrides ('' when there are none). */
export function formatOverrides(o: SendLimitOverrides): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of PURPOSES) {
    const v = o[p];
    if (!v || (v.perPhone === undefined && v.rangeBurst === undefined)) continue;
    const entry: Record<string, unknown> = {};
    if (v.perPhone !== undefined) entry.perPhone = checkPerPhone(v.perPhone).map(formatRate);
    if (v.rangeBurst !== undefined) entry.rangeBurst = v.rangeBurst === null ? null : formatRate(v.rangeBurst);
    out[p] = entry;
  }
  return Object.keys(out).length ? JSON.stringify(out) : '';
}

/** The limits in force: the defaults with the account's overrides on top. */
export function effectiveLimits(o: SendLimitOverrides): SendLimits {
  const pick = (p: Purpose): PurposeLimits => ({
    perPhone: o[p]?.perPhone ?? DEFAULT_SEND_LIMITS[p].perPhone,
    rangeBurst: o[p]?.rangeBurst !== undefined ? o[p]!.rangeBurst! : DEFAULT_SEND_LIMITS[p].rangeBurst,
  });
  return { 1: pick(1), 2: pick(2), 3: pick(3) };
}

/**
 * A change to one purpose: a new list of per-phone rates (replacing the whole list), a new burst rate
 * (null: off), or 'default' to go back to the platform's. Fields left out are kept.
 */
export interface PurposeChange {
  perPhone?: readonly Rate[] | 'default';
  rangeBurst?: Rate | null | 'default';
}

export function applyChanges(current: SendLimitOverrides, changes: Partial<Record<Purpose, PurposeChange>>): SendLimitOverrides {
  const out: SendLimitOverrides = {};
  for (const p of PURPOSES) {
    const next: PurposeOverride = { ...current[p] };
    const c = changes[p];
    if (c?.perPhone === 'default') delete next.perPhone;
    else if (c?.perPhone !== undefined) next.perPhone = checkPerPhone(c.perPhone);
    if (c?.rangeBurst === 'default') delete next.rangeBurst;
    else if (c?.rangeBurst !== undefined) next.rangeBurst = c.rangeBurst;
    if (next.perPhone !== undefined || next.rangeBurst !== undefined) out[p] = next;
  }
  return out;
}

/**
 * The per-phone rate a new message would break, given how many messages the phone already has within
 * each rate's window (`counts[i]` for `rates[i]`, counting earlier messages of the same request); undefined: it may go.
 */
export function phoneLimitHit(rates: readonly Rate[], counts: readonly number[]): Rate | undefined {
  return rates.find((r, i) => (counts[i] ?? 0) >= r.count);
}

/** True when a range with `distinct` phones in the window (the new one included) is a burst. */
export function isBurst(rate: Rate, distinct: number): boolean {
  return distinct > rate.count;
}

/** The FailContent reason of a message refused by a per-phone rate. */
export function phoneLimitReason(purpose: Purpose, rate: Rate): string {
  return `send limit reached: at most ${rate.count} ${PURPOSE_NAMES[purpose]} to one phone in ${formatWindow(rate.windowMs)}`;
}

/** The range of an E.164 number: without its last RANGE_SUFFIX_DIGITS digits. */
export function rangeOf(e164: string): string {
  return e164.slice(0, Math.max(2, e164.length - RANGE_SUFFIX_DIGITS));
}

/**
 * The first string after every number in the range (prefix '+4479111239' -> '+447911124'), so that
 * `e164 >= prefix and e164 < upper` is an index range read; undefined when there is none ('+999').
 * Digits only, so the bound holds under any collation that orders digits.
 */
export function rangeUpperBound(prefix: string): string | undefined {
  let digits = prefix.replace(/^\+/, '');
  while (digits.endsWith('9')) digits = digits.slice(0, -1);
  if (digits === '') return undefined;
  return `+${digits.slice(0, -1)}${Number(digits.at(-1)) + 1}`;
}

/** The allow-list as stored: comma-separated upper-case codes, '' for every country. */
export function parseRegions(stored: string): ReadonlySet<string> | undefined {
  const list = stored.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  return list.length ? new Set(list) : undefined;
}

export const MAX_REGIONS = 300;

/**
 * An allow-list to store: ISO 3166 codes the phone metadata knows (or '001', non-geographic numbers),
 * upper-cased, sorted, without repeats. Empty means every country.
 */
export function checkRegions(codes: readonly string[]): string[] {
  if (codes.length > MAX_REGIONS) throw new SendLimitsError(`at most ${MAX_REGIONS} countries`);
  const out = new Set<string>();
  for (const raw of codes) {
    const code = raw.trim().toUpperCase();
    if (code === '') continue;
    if (code !== '001' && !(/^[A-Z]{2}$/.test(code) && isSupportedCountry(code))) {
      throw new SendLimitsError(`"${raw}" is not an ISO 3166 country code with phone numbers`);
    }
    out.add(code);
  }
  return [...out].sort();
}

export const regionRefusal = (region: string): string => `country ${region} is not enabled for this account`;
