/**
 * Statement shapes for batches. Kysely and our SQLite statement cache (store/db.ts) key prepared
 * statements by SQL text, and a multi-row statement's text depends on its row count: batches of every
 * size from 1 to 400 would prepare (parse) a new statement almost every time. Batches cut into
 * power-of-two runs, or padded up to one, keep to a few shapes that stay cached.
 */

/** Splits into runs whose lengths are powers of two, largest first, each at most `max` (a power of two). */
export function pow2Chunks<T>(items: T[], max = 256): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < items.length) {
    let n = max;
    while (n > items.length - i) n >>= 1;
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

/**
 * Pads to the next power of two by repeating the last item: for IN lists and UPDATE ... FROM (VALUES
 * ...) joins, where a repeated entry matches the same row with the same values and changes nothing.
 */
export function padPow2<T>(items: T[]): T[] {
  let n = 1;
  while (n < items.length) n <<= 1;
  if (n === items.length || items.length === 0) return items;
  const out = items.slice();
  const last = items[items.length - 1]!;
  while (out.length < n) out.push(last);
  return out;
}

/** Runs of at most `max` (a power of two), each padded to a power of two. */
export function paddedChunks<T>(items: T[], max = 256): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(padPow2(items.slice(i, i + max)));
  return out;
}

/**
 * Rows that get the same new values, for one `UPDATE ... WHERE id IN (...)` each: items grouped by
 * `keyOf` (first-seen order), each group's ids in padded chunks, with the group's first item. In SQLite
 * this is several times cheaper a row than an UPDATE ... FROM a VALUES list, and a batch of receipts
 * usually shares its outcome and time.
 */
export function* sameValueIds<T>(items: T[], keyOf: (item: T) => string, idOf: (item: T) => number): Generator<{ first: T; ids: number[] }> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  for (const group of groups.values()) for (const ids of paddedChunks(group.map(idOf))) yield { first: group[0]!, ids };
}
