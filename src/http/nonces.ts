/**
 * Nonces seen in the last `ttlMs` per access key; a nonce seen twice is a replay. Held in this process's
 * memory. The window is long (twice the timestamp skew on each side) and the rate high, so nonces are kept
 * as 52-bit hashes in flat typed arrays, 16 bytes each at most, rather than as strings in a Set (about
 * 100 bytes each and one object per nonce for the GC to trace): at 10,000 requests a second, two
 * generations of 10 minutes are 12 million nonces. A different nonce is taken for a replay only on a hash
 * collision, about once in 2^52 / (nonces held) tries: at 12 million, once in 375 million requests.
 */
export class NonceCache {
  private current = new HashSet52();
  private previous = new HashSet52();
  private rotatedAt = Date.now();

  constructor(private readonly ttlMs: number) {}

  /** Records the nonce; false if it was already seen within the window. */
  firstUse(keyId: string, nonce: string, now = Date.now()): boolean {
    // Two generations of ttlMs each: a nonce is remembered for at least ttlMs.
    if (now - this.rotatedAt >= this.ttlMs) {
      this.previous = this.current;
      this.current = new HashSet52();
      this.rotatedAt = now;
    }
    const h = hash52(keyId, nonce);
    if (this.current.has(h) || this.previous.has(h)) return false;
    this.current.add(h);
    return true;
  }
}

/** Two 32-bit FNV-1a style passes, differently seeded and mixed, over key, a separator and nonce; never 0. */
export function hash52(keyId: string, nonce: string): number {
  // One loop over both strings, no closure: this runs on every signed request, and under tsx a closure
  // made per call also costs a defineProperty for its name.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const total = keyId.length + 1 + nonce.length;
  for (let i = 0; i < total; i++) {
    // The separator (0xffff, no UTF-16 unit a key or nonce uses here) makes ("ab", "c") and ("a", "bc") differ.
    const c = i < keyId.length ? keyId.charCodeAt(i) : i === keyId.length ? 0xffff : nonce.charCodeAt(i - keyId.length - 1);
    a = Math.imul(a ^ c, 0x01000193);
    b = i === keyId.length ? Math.imul(b ^ c, 0x01000193) : Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  // 32 bits of one and 20 of the other, plus 1: 1 .. 2^52, exact in a double.
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff) + 1;
}

/** An open-addressing set of positive integers below 2^53 in a Float64Array (0 marks a free slot). */
export class HashSet52 {
  private slots = new Float64Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(h: number): boolean {
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === h) return true;
      if (s === 0) return false;
    }
  }

  add(h: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    if (this.place(this.slots, h)) this.count++;
  }

  private place(slots: Float64Array, h: number): boolean {
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === h) return false;
      if (s === 0) {
        slots[i] = h;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    for (const s of old) if (s !== 0) this.place(this.slots, s);
  }
}
