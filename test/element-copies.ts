/**
 * Counts the array elements moved or copied by splice, shift and slice while `fn` runs: a queue that
 * drains from the front by moving what is behind does quadratic work over a large backlog.
 */
export function elementsCopied(fn: () => void): number {
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const { splice, shift, slice } = proto;
  let copied = 0;
  proto.splice = function (this: unknown[], ...args: unknown[]) {
    const before = this.length;
    const removed = splice.apply(this, args) as unknown[];
    copied += before - removed.length;
    return removed;
  };
  proto.shift = function (this: unknown[], ...args: unknown[]) {
    copied += Math.max(0, this.length - 1);
    return shift.apply(this, args);
  };
  proto.slice = function (this: unknown[], ...args: unknown[]) {
    const out = slice.apply(this, args) as unknown[];
    copied += out.length;
    return out;
  };
  try {
    fn();
  } finally {
    Object.assign(proto, { splice, shift, slice });
  }
  return copied;
}

