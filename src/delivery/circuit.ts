/** Consecutive failures that open a carrier's circuit. */
const THRESHOLD = 5;
const FIRST_OPEN_MS = 5_000;
const MAX_OPEN_MS = 60_000;

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A carrier's circuit breaker on this node. Failures that say the carrier cannot take messages now
 * (refusals to retry, unknown outcomes) count; a sent message or a permanent refusal of one message
 * closes it again. Open: nothing is claimed for the carrier, so its route's other carriers take its
 * traffic. After the open time one message is let through (half-open): sent closes the circuit, a
 * failure opens it again for twice as long (at most a minute).
 */
export class Circuit {
  private failures = 0;
  private openUntil = 0;
  private openMs = FIRST_OPEN_MS;
  private probing = false;

  constructor(private readonly now: () => number = Date.now) {}

  get state(): CircuitState {
    if (this.openUntil === 0) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** How many messages may be claimed now: all, none, or one probe. */
  allows(): 'all' | 'none' | 'one' {
    const s = this.state;
    if (s === 'closed') return 'all';
    if (s === 'open' || this.probing) return 'none';
    return 'one';
  }

  /** A probe was claimed while half-open. */
  probe(): void {
    this.probing = true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openUntil = 0;
    this.openMs = FIRST_OPEN_MS;
    this.probing = false;
  }

  failed(): void {
    const halfOpen = this.state === 'half-open';
    this.failures++;
    this.probing = false;
    if (halfOpen) {
      this.openMs = Math.min(MAX_OPEN_MS, this.openMs * 2);
      this.openUntil = this.now() + this.openMs;
    } else if (this.failures >= THRESHOLD && this.openUntil === 0) {
      this.openUntil = this.now() + this.openMs;
    }
  }
}
