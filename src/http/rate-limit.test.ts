import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.ts';

test('bursts of twice the rate, then the sustained rate; keys are independent', () => {
  const limiter = new RateLimiter(10);
  const t = 1_000_000;
  let allowed = 0;
  for (let i = 0; i < 30; i++) if (limiter.allow('a', t)) allowed++;
  assert.equal(allowed, 20);
  assert.equal(limiter.allow('b', t), true);
  assert.equal(limiter.allow('a', t + 100), true); // 100 ms = 1 token
  assert.equal(limiter.allow('a', t + 100), false);
});

test('with three API nodes each allows a third', () => {
  const limiter = new RateLimiter(30);
  limiter.setShare(3);
  let allowed = 0;
  for (let i = 0; i < 100; i++) if (limiter.allow('a', 5_000)) allowed++;
  assert.equal(allowed, 20);
});

test('0 disables the limit', () => {
  const limiter = new RateLimiter(0);
  for (let i = 0; i < 1000; i++) assert.equal(limiter.allow('a'), true);
});
