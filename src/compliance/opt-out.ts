/**
 * Opt-out and opt-in by inbound reply: a reply whose WHOLE text is an opt-out word takes the phone off an
 * account's list, one that is an opt-in word puts it back. "please stop calling" is not an opt-out.
 *
 * Matching: the text and the words are compared after NFKC (full-width letters and punctuation become
 * half-width), upper-casing, removing invisible format characters (zero-width spaces, BOM), trimming
 * white space, and dropping trailing punctuation ("STOP.", "stop!", "ＳＴＯＰ！", "退订。" all match).
 * Nothing else is dropped: leading punctuation, quotes inside, or two words ("STOP STOP") do not match.
 */

export type ReplyIntent = 'stop' | 'start';

/**
 * The CTIA keywords US carriers require to be honoured (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT),
 * and the Chinese conventions ("回T退订", "回TD退订"). CANCEL and END also read as answers to a customer's
 * own question ("reply CANCEL to cancel your booking"): an account that asks such questions should
 * replace the list (USMS_OPT_OUT_WORDS).
 */
export const DEFAULT_OPT_OUT_WORDS: readonly string[] = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'TD', 'T', '退订'];
/** YES is left out on purpose: it is the commonest answer to a customer's own question. */
export const DEFAULT_OPT_IN_WORDS: readonly string[] = ['START', 'UNSTOP', '订阅'];

/** Bounds on a configured list (each list, each word), so a reply is matched in constant time. */
export const MAX_REPLY_WORDS = 50;
export const MAX_REPLY_WORD_LENGTH = 32;

/** Both lists, normalised for matching. Build once with `replyWords`. */
export interface ReplyWords {
  readonly optOut: ReadonlySet<string>;
  readonly optIn: ReadonlySet<string>;
}

/** The form a reply and a word are compared in (see the top of this file). */
export function normalizeReply(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .trim()
    .replace(/[\p{P}\s]+$/u, '')
    .toUpperCase();
}

/**
 * Normalises and checks the lists: every word non-empty after normalising, at most MAX_REPLY_WORDS a
 * list and MAX_REPLY_WORD_LENGTH characters a word, and no word in both lists. Throws a message naming
 * the word otherwise.
 */
export function replyWords(optOut: readonly string[] = DEFAULT_OPT_OUT_WORDS, optIn: readonly string[] = DEFAULT_OPT_IN_WORDS): ReplyWords {
  const set = (words: readonly string[], what: string) => {
    if (words.length > MAX_REPLY_WORDS) throw new Error(`${what}: at most ${MAX_REPLY_WORDS} words, got ${words.length}`);
    const out = new Set<string>();
    for (const w of words) {
      const n = normalizeReply(w);
      if (n === '') throw new Error(`${what}: "${w}" is empty once trimmed of spaces and punctuation`);
      if ([...n].length > MAX_REPLY_WORD_LENGTH) throw new Error(`${what}: "${w}" is longer than ${MAX_REPLY_WORD_LENGTH} characters`);
      out.add(n);
    }
    return out;
  };
  const out = set(optOut, 'opt-out words');
  const inn = set(optIn, 'opt-in words');
  for (const w of inn) if (out.has(w)) throw new Error(`"${w}" is both an opt-out and an opt-in word`);
  return { optOut: out, optIn: inn };
}

export const DEFAULT_REPLY_WORDS: ReplyWords = replyWords();

/** 'stop' when the whole reply is an opt-out word, 'start' when it is an opt-in word, else undefined. */
export function replyIntent(text: string, words: ReplyWords = DEFAULT_REPLY_WORDS): ReplyIntent | undefined {
  // Longer than any word plus generous padding: not a keyword reply, and no need to normalise it.
  if (text.length > 4 * MAX_REPLY_WORD_LENGTH + 64) return undefined;
  const n = normalizeReply(text);
  if (words.optOut.has(n)) return 'stop';
  if (words.optIn.has(n)) return 'start';
  return undefined;
}
