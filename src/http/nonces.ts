/**
 * Nonces seen in the last `ttlMs` per access key; a nonce seen twice is a replay.
 * Held in this process's memory (one API node); sharing across nodes is issue 5.
 */
export class NonceCache {
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt = Date.now();

  constructor(private readonly ttlMs: number) {}

  /** Records the nonce; false if it was already seen within the window. */
  firstUse(keyId: string, nonce: string, now = Date.now()): boolean {
    // Two generations of ttlMs each: a nonce is remembered for at least ttlMs.
    if (now - this.rotatedAt >= this.ttlMs) {
      this.previous = this.current;
      this.current = new Set();
      this.rotatedAt = now;
    }
    const k = keyId + '\u0000' + nonce;
    if (this.current.has(k) || this.previous.has(k)) return false;
    this.current.add(k);
    return true;
  }
}
