/**
 * Token bucket for a messages-per-second cap. The burst is about 10 ms worth of tokens, so the
 * flow stays smooth while a 1 ms timer can still reach high rates. A rate of 0 means unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private burst = 1;

  constructor(
    private rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setRate(rate);
    this.tokens = this.burst;
    this.last = this.now();
  }

  get currentRate(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate > 0 && Number.isFinite(rate) ? rate : 0;
    this.burst = this.rate > 0 ? Math.max(1, Math.ceil(this.rate / 100)) : 1;
    this.tokens = Math.min(this.tokens ?? this.burst, this.burst);
  }

  private refill(): void {
    const now = this.now();
    if (this.last !== undefined && this.rate > 0) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    }
    this.last = now;
  }

  /** Takes a token and returns 0, or returns the milliseconds until one is available. */
  take(): number {
    if (this.rate === 0) return 0;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) * 1000) / this.rate;
  }
}
