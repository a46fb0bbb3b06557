import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashSet52, hash52, NonceCache } from './nonces.ts';

test('a nonce is a replay within the window, per key, and forgotten after two generations', () => {
  const cache = new NonceCache(1000);
  const t0 = Date.now();
  assert.equal(cache.firstUse('AK1', 'n1', t0), true);
  assert.equal(cache.firstUse('AK1', 'n1', t0 + 10), false, 'replay');
  assert.equal(cache.firstUse('AK2', 'n1', t0 + 10), true, 'another key may use the same nonce');
  assert.equal(cache.firstUse('AK', '1n1', t0 + 10), true, 'key and nonce do not run together');
  assert.equal(cache.firstUse('AK1', 'n1', t0 + 1500), false, 'still remembered one generation later');
  assert.equal(cache.firstUse('AK1', 'n1', t0 + 3100), true, 'forgotten after two generations');
});

test('the hash set keeps every value across growth, and hashes spread', () => {
  const set = new HashSet52();
  const values = Array.from({ length: 100_000 }, (_, i) => hash52('AKtest', `nonce-${i}`));
  assert.equal(new Set(values).size, values.length, 'no collisions among 100k nonces');
  assert.ok(values.every((v) => Number.isInteger(v) && v >= 1 && v <= 2 ** 52));
  for (const v of values) set.add(v);
  for (const v of values) set.add(v);
  assert.equal(set.size, values.length, 'a value added twice is held once');
  assert.ok(values.every((v) => set.has(v)));
  assert.equal(set.has(hash52('AKtest', 'nonce-100000')), false);
  assert.equal(set.has(hash52('AKother', 'nonce-1')), false);
});
