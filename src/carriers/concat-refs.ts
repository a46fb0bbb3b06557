import { randomInt } from 'node:crypto';

interface Entry {
  next: number;
  inFlight: Set<number>;
}

/**
 * Concatenation references, unique per destination while a message's parts are in flight.
 * Each destination has its own counter (starting at a random value, so two processes rarely
 * collide); a reference still in flight to that destination is skipped, and released ones are
 * reused only after the counter has gone round (256 or 65 536 later multipart messages to the same
 * number). Destinations without anything in flight are forgotten least-recently-used first.
 */
export class ConcatRefs {
  private readonly byDest = new Map<string, Entry>();

  constructor(private readonly maxDestinations = 100_000) {}

  /** A free reference of `bits` (8 or 16) for `dest`, or undefined when every value is in flight. */
  acquire(dest: string, bits: 8 | 16): number | undefined {
    const size = bits === 8 ? 0x100 : 0x10000;
    let e = this.byDest.get(dest);
    if (e) this.byDest.delete(dest); // re-insert: most recently used last
    else e = { next: randomInt(size), inFlight: new Set() };
    this.prune();
    this.byDest.set(dest, e);
    for (let i = 0; i < size; i++) {
      const ref = (e.next + i) % size;
      if (!e.inFlight.has(ref)) {
        e.inFlight.add(ref);
        e.next = (ref + 1) % size;
        return ref;
      }
    }
    return undefined;
  }

  /** Marks a reference taken by a resumed message (its earlier parts already went with it). */
  hold(dest: string, ref: number): void {
    let e = this.byDest.get(dest);
    if (!e) {
      e = { next: randomInt(0x100), inFlight: new Set() };
      this.byDest.set(dest, e);
    }
    e.inFlight.add(ref);
  }

  release(dest: string, ref: number): void {
    this.byDest.get(dest)?.inFlight.delete(ref);
  }

  inFlight(dest: string): number {
    return this.byDest.get(dest)?.inFlight.size ?? 0;
  }

  private prune(): void {
    if (this.byDest.size < this.maxDestinations) return;
    for (const [dest, e] of this.byDest) {
      if (this.byDest.size < this.maxDestinations) break;
      if (e.inFlight.size === 0) this.byDest.delete(dest);
    }
  }
}
