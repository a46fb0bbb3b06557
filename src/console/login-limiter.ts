/**
 * Login tries per client address on this node: at most `limit` a minute. A sliding window of counts per
 * second would be finer; a fixed minute is enough against guessing, with the per-user lockout behind it.
 */
export class LoginLimiter {
  private readonly tries = new Map<string, { windowStart: number; count: number }>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly maxAddresses = 100_000,
  ) {}

  /** Counts a try; answers the ms to wait when over the limit, else 0. */
  take(address: string, now = Date.now()): number {
    let entry = this.tries.get(address);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      if (this.tries.size >= this.maxAddresses) this.prune(now);
      entry = { windowStart: now, count: 0 };
      this.tries.set(address, entry);
    }
    entry.count++;
    return entry.count > this.limit ? entry.windowStart + this.windowMs - now : 0;
  }

  private prune(now: number): void {
    for (const [address, e] of this.tries) if (now - e.windowStart >= this.windowMs) this.tries.delete(address);
    // Still full (a flood from many addresses): start over rather than grow without bound.
    if (this.tries.size >= this.maxAddresses) this.tries.clear();
  }
}
