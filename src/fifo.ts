/**
 * A first-in first-out queue for large backlogs: taking from the front advances a head index instead
 * of moving the rest (Array#splice(0, n) / #shift copy everything behind, quadratic over a drain).
 * The consumed front is dropped once it is at least half of the array, so each item is copied at most
 * once more on average.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  /** Items ever taken: `taken + length` is the position just after the last item pushed. */
  private dropped = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Position (counting every item ever pushed) of the next item to be taken. */
  get taken(): number {
    return this.dropped + this.head;
  }

  /** Position just after the last item pushed. */
  get end(): number {
    return this.dropped + this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The next item, without taking it. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Takes up to `max` items from the front. */
  take(max = Infinity): T[] {
    const n = Math.min(max, this.length);
    let out: T[];
    if (this.head === 0 && n === this.items.length) {
      out = this.items;
      this.items = [];
      this.dropped += n;
      return out;
    }
    out = this.items.slice(this.head, this.head + n);
    for (let i = this.head; i < this.head + n; i++) this.items[i] = undefined as T; // let them be collected
    this.head += n;
    this.compact();
    return out;
  }

  /** Takes items from the front while `due(item)` holds, at most `max`. */
  takeWhile(due: (item: T) => boolean, max = Infinity): T[] {
    let n = 0;
    while (n < max && this.head + n < this.items.length && due(this.items[this.head + n]!)) n++;
    return n === 0 ? [] : this.take(n);
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.dropped += this.head;
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.dropped += this.head;
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
