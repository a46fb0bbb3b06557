/** Accepted messages a second, for a carrier's status: the last full second, or the current one after a gap. */
export class PerSecond {
  private start = 0;
  private count = 0;
  private last = 0;

  add(now = Date.now()): void {
    if (now - this.start >= 1000) {
      this.last = now - this.start < 2000 ? this.count : 0;
      this.start = now;
      this.count = 0;
    }
    this.count++;
  }

  rate(now = Date.now()): number {
    return now - this.start < 1000 ? this.last : now - this.start < 2000 ? this.count : 0;
  }
}
