import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paddedChunks, padPow2, pow2Chunks } from './batching.ts';

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
