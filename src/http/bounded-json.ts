/**
 * Limits on the shape of what a request carries, checked before anything walks it. Signing, the
 * idempotency hash and the reply serializer all recurse over a request's values, so a structure nested
 * thousands deep would overflow the stack, and a body of 100k keys costs every one of them a sort.
 * A JSON text is scanned (linear, no recursion, no allocation) before JSON.parse ever sees it.
 *
 * The limits sit far above any real request. The deepest one (a batch: body > TaskContent > group >
 * Target > target > TemplateParams) nests 6 levels. The largest one, a batch of 1000 targets each in a
 * group of its own with 40 template params, holds 1000 x (1 + 3 + 1 + 4 + 40) = 49,000 entries. The
 * largest form, UCloud SendUSMSMessage with 1000 `PhoneNumbers.N` and 99 `TemplateParams.N`, about 1,110.
 */

/** Nesting levels of arrays and objects in one JSON text. */
export const MAX_JSON_DEPTH = 32;
/** Object members plus array items, counted over a whole JSON text. */
export const MAX_JSON_ENTRIES = 50_000;
/** Params of a form body or a query string (`a=1&b=2` is 2). */
export const MAX_PARAMS = 10_000;

export type BoundedJson =
  | { ok: true; value: unknown }
  /** 'limit': over the depth or entry limit (not parsed); 'syntax': not JSON; 'nul': a string holds U+0000. */
  | { ok: false; reason: 'limit' | 'syntax' | 'nul'; problem: string };

export const NUL_PROBLEM = 'holds the NUL character (U+0000)';

/**
 * JSON.parse, refusing a text over the depth or entry limit without parsing it, and a text whose
 * strings hold U+0000: no real text has one, and PostgreSQL cannot store it.
 */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH, maxEntries = MAX_JSON_ENTRIES): BoundedJson {
  const problem = jsonShapeProblem(text, maxDepth, maxEntries);
  if (problem) return { ok: false, reason: 'limit', problem };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'syntax', problem: 'is not valid JSON' };
  }
  // Raw control characters are not JSON, so a NUL can only come from the escape.
  if (/\\u0000/.test(text) && holdsNul(value)) return { ok: false, reason: 'nul', problem: NUL_PROBLEM };
  return { ok: true, value };
}

/** Whether a string, key or item anywhere in `value` holds U+0000. Iterative: `value` may be deep. */
export function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        if (key.includes('\0')) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Why a JSON text is over the limits, or undefined. Brackets and commas inside strings do not count.
 * Entries are counted as commas plus opened containers (a container's first entry comes with it): an
 * upper bound that is exact but for empty containers. Invalid JSON is left to JSON.parse.
 */
export function jsonShapeProblem(text: string, maxDepth = MAX_JSON_DEPTH, maxEntries = MAX_JSON_ENTRIES): string | undefined {
  let depth = 0;
  let entries = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return undefined; // an unterminated string: JSON.parse refuses it
        let slashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return `nests deeper than ${maxDepth} levels`;
      if (++entries > maxEntries) return tooMany(maxEntries);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA) {
      if (++entries > maxEntries) return tooMany(maxEntries);
    }
  }
  return undefined;
}

const tooMany = (max: number) => `holds more than ${max} keys and array items`;

/** The params of a form body or query string, counted without decoding it: an upper bound (empty ones count). */
export function formParamCount(body: string): number {
  if (body.length === 0) return 0;
  let count = 1;
  for (let i = body.indexOf('&'); i >= 0; i = body.indexOf('&', i + 1)) count++;
  return count;
}

/** The params of a parsed query string: one per key, one per value of a repeated key. */
export function queryParamCount(query: unknown): number {
  if (typeof query !== 'object' || query === null) return 0;
  let count = 0;
  for (const v of Object.values(query)) count += Array.isArray(v) ? v.length : 1;
  return count;
}
