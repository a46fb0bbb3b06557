import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paddedChunks, padPow2, pow2Chunks, sameValueIds } from './batching.ts';

test('pow2Chunks: power-of-two runs, largest first, nothing lost or repeated', () => {
  const items = Array.from({ length: 300 }, (_, i) => i);
  const chunks = pow2Chunks(items, 128);
  assert.deepEqual(chunks.map((c) => c.length), [128, 128, 32, 8, 4]);
  assert.deepEqual(chunks.flat(), items);
  assert.deepEqual(pow2Chunks([], 128), []);
});

test('padPow2 / paddedChunks: padded with the last item up to a power of two', () => {
  assert.deepEqual(padPow2([1, 2, 3]), [1, 2, 3, 3]);
  assert.deepEqual(padPow2([1, 2, 3, 4]), [1, 2, 3, 4]);
  assert.deepEqual(padPow2([]), []);
  const chunks = paddedChunks(Array.from({ length: 300 }, (_, i) => i), 256);
  assert.deepEqual(chunks.map((c) => c.length), [256, 64]);
  assert.deepEqual([...new Set(chunks.flat())].length, 300);
});

test('sameValueIds: one entry per group of equal values (first-seen order), ids in padded chunks of at most 256', () => {
  const items = [
    ...Array.from({ length: 300 }, (_, i) => ({ id: i, v: 'a' })),
    { id: 1000, v: 'b' },
    { id: 1001, v: 'b' },
    { id: 1002, v: 'b' },
  ];
  const out = [...sameValueIds(items, (x) => x.v, (x) => x.id)];
  assert.deepEqual(out.map((g) => [g.first.v, g.ids.length]), [['a', 256], ['a', 64], ['b', 4]]);
  assert.deepEqual(out[1]!.ids.slice(40), [...Array.from({ length: 4 }, (_, i) => 296 + i), ...Array(20).fill(299)]);
  assert.deepEqual(out[2]!.ids, [1000, 1001, 1002, 1002]);
});
