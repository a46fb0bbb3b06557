// Mainland China: a customer's free text (SMPP) is sent only if it is one of its approved templates with parameters filled in.
import type { TemplateRef } from './validate.ts';

const MARKETING = 3;
const PLACEHOLDER = /\{(\d{1,2})\}/g;
const SIGNATURE = /^【([^【】\r\n]{1,20})】/u;
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

/**
 * Work allowed per template, in search states and candidate positions. Ordinary templates match (or fail)
 * in a few hundred; only a template built to be hostile (many repeated or adjacent placeholders against a
 * body that almost fits) reaches it, and then counts as not matching.
 */
export const MATCH_STEP_BUDGET = 100_000;

/** Stored templates have at most 500 characters, so at most 166 placeholders; a deeper one is not searched. */
const MAX_OCCURRENCES = 250;

/** A leading 【signature】 of 1 to 20 characters (no brackets or line breaks inside) and the rest of the text. */
export function splitSignature(text: string): { sender?: string; body: string } {
  const m = SIGNATURE.exec(text);
  return m ? { sender: m[1]!, body: text.slice(m[0].length) } : { body: text };
}

interface Compiled<T> {
  template: T;
  /** lits[0] var[0] lits[1] var[1] ... var[m-1] lits[m]; literals may be empty. */
  lits: string[];
  /** Parameter index (0-based) of each placeholder occurrence. */
  vars: number[];
  literalChars: number;
  note?: string;
}

/**
 * The approved template `body` is an instance of, and its parameters, so that renderBody(template, params)
 * gives the same text (a marketing note the body lacks is added by renderBody; one separated by other white
 * space than a single space comes back with a space). The rules:
 * - the whole body must match, from its first character to its last;
 * - each placeholder takes at least one character, and no line break: a parameter stands for a value (a
 *   code, a name, an amount), and a line break in it would let free text add lines the template never had;
 * - a placeholder used twice takes the same value both times;
 * - a marketing template's (purpose 3) unsubscribe note may end the body, and is then not part of a parameter;
 * - {k} beyond the template's paramCount is literal text, as renderTemplate leaves it; a template whose
 *   paramCount names a placeholder its text lacks matches nothing;
 * - where a body splits several ways, earlier placeholders take the shortest values (as `(.+?)` would);
 * - where several templates match, the one with the most literal characters wins, then the one with the
 *   fewest parameters, then the lowest id (string order; generated ids start with their creation date).
 * The search is bounded (MATCH_STEP_BUDGET per template), not a regular expression: placeholders are found
 * between literal segments with indexOf, and a failed search state is never searched twice.
 */
export function matchTemplate<T extends TemplateRef>(body: string, templates: readonly T[]): { template: T; params: string[] } | undefined {
  const ranked = templates.map(compile).filter((c): c is Compiled<T> => c !== undefined).sort(byPreference);
  for (const c of ranked) {
    const tries = [body];
    if (c.note && body.endsWith(c.note)) tries.unshift(body.slice(0, body.length - c.note.length).trimEnd());
    for (const text of tries) {
      const params = matchOne(c, text);
      if (params) return { template: c.template, params };
    }
  }
  return undefined;
}

function compile<T extends TemplateRef>(template: T): Compiled<T> | undefined {
  const lits: string[] = [];
  const vars: number[] = [];
  const seen = new Set<number>();
  let literal = '';
  let last = 0;
  for (const m of template.content.matchAll(PLACEHOLDER)) {
    const k = Number(m[1]);
    if (k < 1 || k > template.paramCount) continue;
    literal += template.content.slice(last, m.index!);
    lits.push(literal);
    literal = '';
    vars.push(k - 1);
    seen.add(k);
    last = m.index! + m[0].length;
  }
  lits.push(literal + template.content.slice(last));
  if (seen.size !== template.paramCount || vars.length > MAX_OCCURRENCES) return undefined;
  const note = template.purpose === MARKETING ? template.unsubscribeInfo?.trim() : undefined;
  const literalChars = lits.reduce((n, s) => n + [...s].length, 0);
  return note ? { template, lits, vars, literalChars, note } : { template, lits, vars, literalChars };
}

function byPreference<T extends TemplateRef>(a: Compiled<T>, b: Compiled<T>): number {
  if (a.literalChars !== b.literalChars) return b.literalChars - a.literalChars;
  if (a.template.paramCount !== b.template.paramCount) return a.template.paramCount - b.template.paramCount;
  return a.template.id < b.template.id ? -1 : a.template.id > b.template.id ? 1 : 0;
}

/** The parameters when `body` is an instance of the template, else undefined (also when the budget ran out). */
function matchOne(c: Compiled<TemplateRef>, body: string): string[] | undefined {
  const { lits, vars } = c;
  const m = vars.length;
  const n = body.length;
  if (m === 0) return body === lits[0] ? [] : undefined;
  if (!body.startsWith(lits[0]!) || !body.endsWith(lits[m]!) || !literalsInOrder(lits, body)) return undefined;

  // need[j]: the fewest characters occurrences j.. and their following literals take.
  const need = new Array<number>(m + 1).fill(0);
  for (let j = m - 1; j >= 0; j--) need[j] = need[j + 1]! + 1 + lits[j + 1]!.length;
  if (lits[0]!.length + need[0]! > n) return undefined;

  // nextBreak[i]: the first line break at or after i (n if none): a parameter starting at i ends by then.
  const nextBreak = new Int32Array(n + 1).fill(n);
  for (let i = n - 1; i >= 0; i--) nextBreak[i] = LINE_BREAK.test(body[i]!) ? i : nextBreak[i + 1]!;

  // first[j]: occurrence j binds its parameter; live[j]: parameters bound before j and used again from j on.
  const first: boolean[] = [];
  const lastUse = new Map<number, number>();
  vars.forEach((p, j) => lastUse.set(p, j));
  const bound = new Set<number>();
  const live: number[][] = [];
  for (let j = 0; j < m; j++) {
    live.push([...bound].filter((p) => lastUse.get(p)! >= j));
    first.push(!bound.has(vars[j]!));
    bound.add(vars[j]!);
  }

  const start = new Int32Array(c.template.paramCount);
  const end = new Int32Array(c.template.paramCount);
  const failed = new Set<number>();
  const failedLive = new Set<string>();
  let steps = MATCH_STEP_BUDGET;

  // Occurrence j starts at pos; true when the rest of the body matches (start/end then hold every parameter).
  const search = (j: number, pos: number): boolean => {
    const bindings = live[j]!;
    // A state's cost grows with the bindings its memo key spells out.
    steps -= 1 + bindings.length;
    if (steps < 0) return false;
    let liveKey: string | undefined;
    if (bindings.length) {
      liveKey = `${j}:${pos}`;
      for (const b of bindings) liveKey += `:${start[b]}-${end[b]}`;
    }
    if (liveKey === undefined ? failed.has(j * (n + 1) + pos) : failedLive.has(liveKey)) return false;
    const p = vars[j]!;
    const lit = lits[j + 1]!;
    const maxStart = n - need[j + 1]! - lit.length; // where lit may start at the latest
    let ok = false;
    if (!first[j]) {
      const len = end[p]! - start[p]!;
      const s = pos + len;
      steps -= len >> 3;
      ok = (j === m - 1 ? s === maxStart : s <= maxStart) && sameText(body, start[p]!, pos, len) && body.startsWith(lit, s)
        && (j === m - 1 || search(j + 1, s + lit.length));
    } else {
      start[p] = pos;
      const latest = Math.min(maxStart, nextBreak[pos]!);
      if (j === m - 1) {
        // The last literal ends the body: one place only.
        ok = maxStart >= pos + 1 && maxStart <= latest && body.startsWith(lit, maxStart);
        end[p] = maxStart;
      } else {
        for (let s = lit ? body.indexOf(lit, pos + 1) : pos + 1; s !== -1 && s <= latest; s = lit ? body.indexOf(lit, s + 1) : s + 1) {
          if (--steps < 0) return false;
          // Adjacent placeholders split between characters, not inside a surrogate pair.
          if (!lit && splitsPair(body, s)) continue;
          end[p] = s;
          if (search(j + 1, s + lit.length)) {
            ok = true;
            break;
          }
        }
      }
    }
    if (!ok && steps >= 0) {
      if (liveKey === undefined) failed.add(j * (n + 1) + pos);
      else failedLive.add(liveKey);
    }
    return ok;
  };

  if (!search(0, lits[0]!.length)) return undefined;
  return Array.from(start, (s, i) => body.slice(s, end[i]));
}

function sameText(text: string, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false;
  return true;
}

function splitsPair(text: string, i: number): boolean {
  const lo = text.charCodeAt(i);
  const hi = text.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff;
}

/** A quick necessary condition: the literals occur in order, with room for one character per placeholder. */
function literalsInOrder(lits: readonly string[], body: string): boolean {
  let pos = lits[0]!.length;
  for (let j = 1; j < lits.length - 1; j++) {
    const at = body.indexOf(lits[j]!, pos + 1);
    if (at === -1) return false;
    pos = at + lits[j]!.length;
  }
  return pos + 1 + lits.at(-1)!.length <= body.length;
}
