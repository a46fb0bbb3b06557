/**
 * A messages-per-second cap: a token bucket, and never more than `rate` sends in any trailing second.
 *
 * The bucket holds up to 100 ms worth of tokens, so an event loop that was busy for a while (a
 * synchronous database commit on a slow machine, a GC pause) sends what it missed when it is back. With
 * 10 ms worth, as before, every longer pause was lost for good: on a loaded 2-core machine a 2,000/s cap
 * sent 1,850/s. The trailing-second count keeps that catching up inside the cap: a burst only spends
 * what a pause left unused in the last second, so no second, from any starting point, carries more than
 * `rate` sends (SMSCs count per second). A rate of 0 means unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private burst = 1;
  /** The times of the last `rate` sends, oldest at `head` (a ring; empty slots are -Infinity). */
  private sends = new Float64Array(0);
  private head = 0;

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
    this.burst = this.rate > 0 ? Math.max(1, Math.ceil(this.rate / 10)) : 1;
    this.tokens = Math.min(this.tokens ?? this.burst, this.burst);
    this.resizeSends(Math.ceil(this.rate));
  }

  /** Takes a token and returns 0, or returns the milliseconds until one is available. */
  take(): number {
    if (this.rate === 0) return 0;
    this.refill();
    if (this.tokens < 1) return ((1 - this.tokens) * 1000) / this.rate;
    const now = this.last;
    // A full second's worth sent within the last second: wait until the oldest of them is a second old.
    const oldest = this.sends[this.head]!;
    if (now - oldest < 1000) return oldest + 1000 - now;
    this.tokens -= 1;
    this.sends[this.head] = now;
    this.head = (this.head + 1) % this.sends.length;
    return 0;
  }

  private refill(): void {
    const now = this.now();
    if (this.last !== undefined && this.rate > 0) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    }
    this.last = now;
  }

  /** Keeps the most recent send times when the rate (the ring's length) changes. */
  private resizeSends(length: number): void {
    const old = this.sends;
    const next = new Float64Array(length).fill(-Infinity);
    // Oldest first: old[head], old[head+1], ... The newest `length` of them go to the end of the new ring.
    const keep = Math.min(length, old.length);
    for (let i = 0; i < keep; i++) next[length - keep + i] = old[(this.head + old.length - keep + i) % old.length]!;
    this.sends = next;
    this.head = 0;
  }
}
