/**
 * Blocked words and patterns. Texts and rules are compared after NFKC normalisation and lower-casing,
 * so full-width and half-width forms (ＦＲＥＥ, free) and any mix of cases match alike.
 *
 * Plain words match as substrings of the normalised text. Regular expressions run with flags 'iu' on
 * the normalised text; their pattern is NFKC-normalised but not lower-cased (that would turn `\D` into
 * `\d`): the 'i' flag covers case. A regex costs time on every message, and a careless one can stall a
 * sending thread, so only operators add them (see operator/content.ts); on top of that a pattern is
 * short, quantified groups that contain a quantifier (the `(a+)+` shape behind catastrophic
 * backtracking) are refused, and message texts are bounded.
 */

/** A blocked word or pattern: platform-wide (accountId 0) or one account's. */
export interface ContentRule {
  id: number;
  accountId: number;
  pattern: string;
  isRegex: boolean;
}

export const PLATFORM = 0;
/** The longest pattern, in characters. */
export const MAX_PATTERN_CHARS = 100;
/** Rules per scope (the platform, or one account). */
export const MAX_RULES_PER_SCOPE = 500;
/** Rules one matcher applies: the platform's and one account's. */
export const MAX_RULES_CONSIDERED = 2 * MAX_RULES_PER_SCOPE;

/** The form texts and plain words are compared in. */
export function normalizeContent(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** `reason` completes a sentence that starts with the pattern's name: "Pattern is empty". */
export type PatternCheck = { ok: true; pattern: string } | { ok: false; reason: string };

/**
 * A pattern as it is stored, or why it cannot be a rule. Plain words are stored normalised and trimmed,
 * so "FREE", "free" and "ｆｒｅｅ" are one rule; a regex is stored as given once it compiles.
 */
export function checkPattern(raw: string, isRegex: boolean): PatternCheck {
  const pattern = isRegex ? raw : normalizeContent(raw).trim();
  if (!pattern.trim()) return { ok: false, reason: 'is empty' };
  const chars = [...pattern].length;
  if (chars > MAX_PATTERN_CHARS) return { ok: false, reason: `is ${chars} characters, more than ${MAX_PATTERN_CHARS}` };
  if (!isRegex) return { ok: true, pattern };
  let re: RegExp;
  try {
    re = compileRegex(pattern);
  } catch (err) {
    return { ok: false, reason: `is not a valid regular expression: ${(err as Error).message}` };
  }
  if (nestedQuantifier(pattern)) {
    return { ok: false, reason: 'repeats a group that itself repeats (such as (a+)+), which can take exponential time; write it without the nesting' };
  }
  // An empty match (a*, x?, |y) is found in every text: it would block every message.
  if (re.exec('\u0000')?.[0] === '') return { ok: false, reason: 'matches an empty text, so it would block every message' };
  return { ok: true, pattern };
}

/** `word "free"` or `pattern "fr[e3]{2}"`, as refusals name a rule. */
export function describeRule(rule: Pick<ContentRule, 'pattern' | 'isRegex'>): string {
  return `${rule.isRegex ? 'pattern' : 'word'} "${rule.pattern}"`;
}

const compileRegex = (pattern: string) => new RegExp(pattern.normalize('NFKC'), 'iu');

/**
 * Whether a quantified group contains an unbounded quantifier (`(a+)+`, `(\w*x)*`, `((ab)+c){2,}`).
 * A scan, not a parser: escapes and character classes are skipped, lookaround and named-group openers
 * are not mistaken for quantifiers. `?` is bounded and ignored.
 */
export function nestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: whether it holds a quantifier
  let closedWithQuantifier = false; // the atom just before is a group that holds one
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      closedWithQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    const quantifier = c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)));
    if (quantifier) {
      if (closedWithQuantifier) return true;
      if (groups.length) groups[groups.length - 1] = true;
      if (c === '{') i = pattern.indexOf('}', i);
      continue;
    }
    closedWithQuantifier = false;
    if (c === '[') inClass = true;
    else if (c === '(') {
      groups.push(false);
      if (pattern[i + 1] === '?') {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>
        i += 2;
        if (pattern[i] === '<' && pattern[i + 1] !== '=' && pattern[i + 1] !== '!') i = Math.max(i, pattern.indexOf('>', i));
        else if (pattern[i] === '<') i++;
      }
    } else if (c === ')') {
      const held = groups.pop() ?? false;
      if (held && groups.length) groups[groups.length - 1] = true;
      closedWithQuantifier = held;
    }
  }
  return false;
}

interface Compiled {
  rule: ContentRule;
  word?: string;
  re?: RegExp;
}

/** Finds the first rule a text breaks, in the order the rules were given. */
export class ContentMatcher {
  static readonly EMPTY = new ContentMatcher([]);

  private constructor(private readonly compiled: readonly Compiled[]) {}

  /**
   * The rules that can be applied, at most MAX_RULES_CONSIDERED. A rule that no longer passes
   * checkPattern (written to the database by hand, or by an older version) is skipped rather than
   * breaking every send of the account.
   */
  static compile(rules: readonly ContentRule[]): ContentMatcher {
    const compiled: Compiled[] = [];
    for (const rule of rules.slice(0, MAX_RULES_CONSIDERED)) {
      const checked = checkPattern(rule.pattern, rule.isRegex);
      if (!checked.ok) continue;
      compiled.push(rule.isRegex ? { rule, re: compileRegex(checked.pattern) } : { rule, word: checked.pattern });
    }
    return compiled.length ? new ContentMatcher(compiled) : ContentMatcher.EMPTY;
  }

  /** The rules applied, in order. */
  get rules(): ContentRule[] {
    return this.compiled.map((c) => c.rule);
  }

  find(text: string): ContentRule | undefined {
    if (this.compiled.length === 0) return undefined;
    const normalized = normalizeContent(text);
    for (const c of this.compiled) {
      if (c.word !== undefined ? normalized.includes(c.word) : c.re!.test(normalized)) return c.rule;
    }
    return undefined;
  }
}
