/**
 * The messages-per-second cap, held in every sliding second, including the SMSC's.
 *
 * - A sliding window: the times of the last `rate` sends are kept (a ring), and a send goes only when the
 *   one `rate` sends ago is at least WINDOW_MS old. So no second of our clock, from any starting point,
 *   carries more than `rate` sends.
 * - A token bucket refilled at `rate` that holds up to 100 ms worth, so an event loop that was busy for a
 *   while (a synchronous commit, a GC pause) sends what it missed when it is back.
 *
 * A burst (the first sends, or a catch-up after a pause) fills the ring with equal times, and a second
 * later they all expire at once: the tokens earned while the window held sends back would go out as the
 * same burst again, exactly a second after the first. The SMSC counts arrivals on its own clock, which the
 * network and both event loops shift by a few milliseconds, so two bursts a second apart can land in one
 * of its seconds (the cap plus a burst, 10% over). The slot of a send that went out in a burst (the next
 * send less than half a spacing after it) therefore comes back ECHO_MARGIN_MS later. Sends paced at the
 * rate are not affected. A rate of 0 means unlimited.
 */
export const WINDOW_MS = 1000;
export const ECHO_MARGIN_MS = 10;

export class TokenBucket {
  private tokens = 1;
  private last: number;
  private burst = 1;
  /** The times of the last `rate` sends, oldest at `head` (a ring; -Infinity where nothing was sent). */
  private sends = new Float64Array(0);
  private head = 0;

  constructor(
    private rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = this.now();
    this.setRate(rate);
    this.tokens = this.burst;
  }

  get currentRate(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate > 0 && Number.isFinite(rate) ? rate : 0;
    this.burst = this.rate > 0 ? Math.max(1, Math.ceil(this.rate / 10)) : 1;
    this.tokens = Math.min(this.tokens, this.burst);
    this.resizeSends(Math.ceil(this.rate));
  }

  /** Takes a token and returns 0, or returns the milliseconds until one may be available. */
  take(): number {
    if (this.rate === 0) return 0;
    const now = this.refill();
    if (this.tokens < 1) return ((1 - this.tokens) * 1000) / this.rate;
    const oldest = this.sends[this.head]!;
    // The oldest went out in a burst (the next one right after it): its slot comes back a little later.
    const next = this.sends[(this.head + 1) % this.sends.length]!;
    const age = WINDOW_MS + (next - oldest < 500 / this.rate ? ECHO_MARGIN_MS : 0);
    if (now - oldest < age) return oldest + age - now;
    this.tokens -= 1;
    this.sends[this.head] = now;
    this.head = (this.head + 1) % this.sends.length;
    return 0;
  }

  private refill(): number {
    const now = this.now();
    if (now > this.last) {
      if (this.rate > 0) {
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      }
      this.last = now;
    }
    return now;
  }

  /**
   * Keeps the most recent send times when the rate (the ring's length) changes. A longer ring is filled with
   * the oldest time kept, as if more had been sent then, so the sends already made keep counting in full.
   */
  private resizeSends(length: number): void {
    const old = this.sends;
    const next = new Float64Array(length);
    const keep = Math.min(length, old.length);
    // Oldest first: old[head], old[head+1], ... The newest `keep` of them go to the end of the new ring.
    for (let i = 0; i < keep; i++) next[length - keep + i] = old[(this.head + old.length - keep + i) % old.length]!;
    next.fill(keep > 0 ? next[length - keep]! : -Infinity, 0, length - keep);
    this.sends = next;
    this.head = 0;
  }
}
