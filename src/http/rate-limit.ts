/**
 * A token bucket per key: `perSecond` sustained, bursts of twice that; 0 disables. With several API
 * nodes each enforces its share (`setShare(nodes)`), so the configured limit holds for the cluster.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private perSecond: number;

  constructor(private readonly configured: number) {
    this.perSecond = configured;
  }

  setShare(nodes: number): void {
    this.perSecond = this.configured / Math.max(1, nodes);
  }

  allow(key: string, now = Date.now()): boolean {
    if (this.perSecond <= 0) return true;
    const burst = this.perSecond * 2;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 100_000) this.buckets.clear();
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * this.perSecond) / 1000);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
