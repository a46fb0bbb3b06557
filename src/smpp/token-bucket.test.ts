import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.ts';

test('a rate of 0 is unlimited', () => {
  const b = new TokenBucket(0, () => 0);
  for (let i = 0; i < 1000; i++) assert.equal(b.take(), 0);
});

test('tokens refill at the configured rate with a small burst', () => {
  let now = 0;
  const b = new TokenBucket(10, () => now);
  assert.equal(b.take(), 0);
  assert.equal(b.take(), 100, 'next token in 100 ms at 10/s');
  now = 50;
  assert.equal(b.take(), 50);
  now = 100;
  assert.equal(b.take(), 0);
  now = 10_000;
  assert.equal(b.take(), 0, 'burst is capped: one token after a long idle at 10/s');
  assert.ok(b.take() > 0);
});

test('over one simulated second, sends match the rate', () => {
  let now = 0;
  const b = new TokenBucket(1000, () => now);
  let sent = 0;
  while (now < 1000) {
    const wait = b.take();
    if (wait === 0) sent++;
    else now += 1;
  }
  assert.ok(sent >= 1000 && sent <= 1011, `sent ${sent}`);
});

test('setRate halves and restores', () => {
  let now = 0;
  const b = new TokenBucket(100, () => now);
  b.setRate(50);
  assert.equal(b.currentRate, 50);
  b.take();
  assert.equal(b.take(), 20);
  b.setRate(0);
  assert.equal(b.take(), 0);
});
