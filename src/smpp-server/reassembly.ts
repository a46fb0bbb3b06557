import type { Concat } from '../smpp/short-message-text.ts';

export interface PartAssemblerOptions {
  /** Incomplete messages held at once; a part that would open one more is refused (default 64). */
  maxOpen?: number;
  /** How long a message may take from its first part to its last (default 60 s). */
  timeoutMs?: number;
  /** Characters one message may hold across its parts (default 8192): bounds memory, far above what a message may have. */
  maxChars?: number;
  now?: () => number;
}

export type AddResult<T> = { done: false } | { done: true; text: string; tokens: T[] } | { done: false; refused: string };

interface Open<T> {
  total: number;
  texts: (string | undefined)[];
  /** Set where `texts` is (a token may itself be undefined). */
  tokens: (T | undefined)[];
  held: number;
  chars: number;
  firstAt: number;
}

export const DEFAULT_MAX_OPEN = 64;
export const DEFAULT_PART_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CHARS = 8192;

/**
 * Joins the parts of concatenated submits (UDH or SAR) before the message is validated as a whole.
 * `key` names one message: the bind, source, destination and reference. Parts may come in any order;
 * each keeps the caller's `token` (what it needs to answer that part) until the message completes,
 * when the tokens come back in part order. A new message beyond `maxOpen` is refused rather than
 * evicting an older one, so parts already accepted are never dropped silently; held parts of a message
 * not complete `timeoutMs` after its first part come back from `expire` for the caller to answer.
 */
export class PartAssembler<T> {
  private readonly open = new Map<string, Open<T>>();
  private readonly maxOpen: number;
  private readonly timeoutMs: number;
  private readonly maxChars: number;
  private readonly now: () => number;

  constructor(options: PartAssemblerOptions = {}) {
    this.maxOpen = options.maxOpen ?? DEFAULT_MAX_OPEN;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PART_TIMEOUT_MS;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    this.now = options.now ?? Date.now;
  }

  /** Incomplete messages held. */
  get size(): number {
    return this.open.size;
  }

  add(key: string, concat: Concat, text: string, token: T): AddResult<T> {
    const { total, seq } = concat;
    if (!Number.isInteger(total) || total < 2 || total > 255) return { done: false, refused: `total ${total} is not 2 to 255` };
    if (!Number.isInteger(seq) || seq < 1 || seq > total) return { done: false, refused: `part ${seq} is not 1 to ${total}` };
    let m = this.open.get(key);
    if (m && m.total !== total) return { done: false, refused: `part says ${total} parts, earlier parts said ${m.total}` };
    if (m?.texts[seq - 1] !== undefined) return { done: false, refused: `part ${seq} of ${total} was already received` };
    if ((m?.chars ?? 0) + text.length > this.maxChars) return { done: false, refused: `the parts are longer than ${this.maxChars} characters` };
    if (!m) {
      if (this.open.size >= this.maxOpen) return { done: false, refused: `${this.maxOpen} concatenated messages are already incomplete` };
      m = { total, texts: new Array(total), tokens: new Array(total), held: 0, chars: 0, firstAt: this.now() };
      this.open.set(key, m);
    }
    m.texts[seq - 1] = text;
    m.tokens[seq - 1] = token;
    m.held++;
    m.chars += text.length;
    if (m.held < total) return { done: false };
    this.open.delete(key);
    return { done: true, text: m.texts.join(''), tokens: m.tokens as T[] };
  }

  /** Drops every message whose first part came `timeoutMs` or more before `now`; returns their held tokens. */
  expire(now: number = this.now()): T[] {
    const out: T[] = [];
    for (const [key, m] of this.open) {
      if (now - m.firstAt < this.timeoutMs) continue;
      this.open.delete(key);
      m.texts.forEach((text, i) => {
        if (text !== undefined) out.push(m.tokens[i] as T);
      });
    }
    return out;
  }
}
