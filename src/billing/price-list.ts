/** One price: a segment to destinations whose E.164 digits start with `prefix` ('' for every destination). */
export interface PriceEntry {
  prefix: string;
  /** micro-units a segment */
  price: number;
}

/**
 * The prices one account pays: the platform's list with the account's own entries over it. The longest
 * prefix that matches the destination wins across both lists; at equal length, the account's entry.
 */
export class PriceList {
  private readonly byPrefix = new Map<string, number>();
  private readonly lengths: number[];

  constructor(platform: readonly PriceEntry[], account: readonly PriceEntry[] = []) {
    for (const e of platform) this.byPrefix.set(e.prefix, e.price);
    for (const e of account) this.byPrefix.set(e.prefix, e.price);
    this.lengths = [...new Set([...this.byPrefix.keys()].map((p) => p.length))].sort((a, b) => b - a);
  }

  get size(): number {
    return this.byPrefix.size;
  }

  /** The price a segment for an E.164 number ('+' optional), or undefined when no entry matches. */
  priceFor(e164: string): number | undefined {
    const digits = e164.startsWith('+') ? e164.slice(1) : e164;
    for (const n of this.lengths) {
      if (n > digits.length) continue;
      const price = this.byPrefix.get(digits.slice(0, n));
      if (price !== undefined) return price;
    }
    return undefined;
  }

  /** What a message costs: the price a segment times its segments (CostCount). */
  chargeFor(e164: string, segments: number): number | undefined {
    const price = this.priceFor(e164);
    return price === undefined ? undefined : price * segments;
  }
}
