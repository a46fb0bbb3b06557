import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcatRefs } from './concat-refs.ts';

test('references are unique per destination while in flight, and advance after release', () => {
  const refs = new ConcatRefs();
  const a = refs.acquire('447700900123', 8)!;
  const b = refs.acquire('447700900123', 8)!;
  assert.notEqual(a, b);
  assert.equal(b, (a + 1) % 256);
  refs.release('447700900123', a);
  const c = refs.acquire('447700900123', 8)!;
  assert.notEqual(c, a, 'a released reference is not reused at once');
  assert.equal(refs.inFlight('447700900123'), 2);
});

test('all 256 8-bit references in flight to one number: no more until one is released', () => {
  const refs = new ConcatRefs();
  const got = new Set<number>();
  for (let i = 0; i < 256; i++) got.add(refs.acquire('1', 8)!);
  assert.equal(got.size, 256);
  assert.equal(refs.acquire('1', 8), undefined);
  assert.notEqual(refs.acquire('2', 8), undefined, 'other destinations are independent');
  refs.release('1', 42);
  assert.equal(refs.acquire('1', 8), 42);
});

test('a held reference (resumed message) is skipped by new messages; 16-bit range', () => {
  const refs = new ConcatRefs();
  const first = refs.acquire('9', 16)!;
  assert.ok(first >= 0 && first < 65536);
  refs.hold('9', (first + 1) % 65536);
  assert.equal(refs.acquire('9', 16), (first + 2) % 65536);
});

test('destinations with nothing in flight are forgotten beyond the cap; busy ones are kept', () => {
  const refs = new ConcatRefs(3);
  const busy = refs.acquire('busy', 8)!;
  for (const d of ['a', 'b', 'c', 'd', 'e']) refs.release(d, refs.acquire(d, 8)!);
  assert.equal(refs.inFlight('busy'), 1);
  refs.release('busy', busy);
});
