/**
 * The messages-per-second cap, built to hold within 2% at an SMSC that counts arrivals on its own clock.
 *
 * The SMSC sees each send a few milliseconds later than we made it (network, both event loops), by a delay
 * that varies between 0 and some J. Its sliding second [a, a + 1000) then holds at most the sends of one of
 * our windows of 1000 + J ms. So what has to hold on our clock is: at most 1.02 * rate sends in any window of
 * 1000 + JITTER_MS. The limiter enforces that directly, with a sliding-window limit per row of LIMITS: at most
 * floor(rate * factor) sends in any `ms` of our clock, from any starting point (a send goes only when the
 * one that many sends ago is at least `ms` old; one ring of send times serves every row):
 *
 * - 1000 ms, 1.00: the cap itself, on our clock.
 * - 1020 ms, 1.02: the SMSC's second with up to 20 ms of jitter carries at most 2% more than the cap.
 * - 1050 ms, 1.05: up to 50 ms of jitter costs at most 5%, as it would for perfectly even sends.
 *
 * Sends paced evenly at the rate meet every row exactly (rate * ms / 1000 in any `ms`), so the rows cost
 * nothing in steady sending. A token bucket refilled at `rate` that holds up to 100 ms worth paces the sends
 * and lets an event loop that was busy (a synchronous commit, a GC pause) send what it missed when it is
 * back, as far as the rows leave room. A burst (the first sends, a catch-up) fills the ring with equal times;
 * when those expire together, tokens saved meanwhile could send the same burst again (an echo): the rows
 * allow 2% of the rate of it a second later, 3% more 20 ms after that and the rest 50 ms after that, so two
 * bursts a second apart never land in one SMSC second whose jitter is within those bounds.
 *
 * The price is paid after pauses: at the full rate the rows leave no slack, so a slot that comes free while
 * the loop is paused is used only when the loop is back, and that delay is never made up (a loop paused
 * two thirds of the time by pauses of up to 80 ms sends 97.5-99.8% of the cap; without pauses, the cap).
 * Below 50/s, 2% is less than one message: the 1020 ms row then allows `rate` sends, so the sustained
 * rate is rate / 1.02. A rate of 0 means unlimited.
 */
export const JITTER_MS = 20;
export const LIMITS: readonly { ms: number; factor: number }[] = [
  { ms: 1000, factor: 1 },
  { ms: 1000 + JITTER_MS, factor: 1.02 },
  { ms: 1050, factor: 1.05 },
];

interface Limit {
  ms: number;
  count: number;
}

/** The rows for a rate: a row whose count is no more than the previous row's would only slow even sends down. */
export function limitsFor(rate: number): Limit[] {
  const out: Limit[] = [];
  for (const { ms, factor } of LIMITS) {
    const count = Math.max(1, Math.floor(rate * factor + 1e-9));
    const prev = out[out.length - 1];
    if (prev && count <= prev.count) {
      // Within the stated jitter the row is the guarantee and replaces the shorter one; beyond it, skipped.
      if (ms <= 1000 + JITTER_MS) out[out.length - 1] = { ms, count: prev.count };
      continue;
    }
    out.push({ ms, count });
  }
  return out;
}

export class TokenBucket {
  private tokens = 1;
  private last: number;
  private burst = 1;
  private limits: Limit[] = [];
  /** The times of the last sends (as many as the largest row counts), oldest at `head`; -Infinity where none. */
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
    this.limits = this.rate > 0 ? limitsFor(this.rate) : [];
    this.resizeSends(this.limits.reduce((n, l) => Math.max(n, l.count), 0));
  }

  /** Takes a token and returns 0, or returns the milliseconds until one may be available. */
  take(): number {
    if (this.rate === 0) return 0;
    const now = this.refill();
    if (this.tokens < 1) return ((1 - this.tokens) * 1000) / this.rate;
    const length = this.sends.length;
    let wait = 0;
    for (const { ms, count } of this.limits) {
      // `now - then < ms` is the same test a checker counting sends in (now - ms, now] makes.
      const age = now - this.sends[(this.head + length - count) % length]!;
      if (age < ms) wait = Math.max(wait, ms - age);
    }
    if (wait > 0) return wait;
    this.tokens -= 1;
    this.sends[this.head] = now;
    this.head = (this.head + 1) % length;
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
