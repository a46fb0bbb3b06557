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
  // 100 ms worth at 50/s: 5 tokens, then one every 20 ms.
  for (let i = 0; i < 5; i++) assert.equal(b.take(), 0);
  assert.equal(b.take(), 20);
  b.setRate(0);
  assert.equal(b.take(), 0);
});

test('after a pause the bucket sends what it missed, up to 100 ms worth', () => {
  let now = 0;
  const b = new TokenBucket(2000, () => now);
  while (b.take() === 0); // the initial burst
  now = 2_000; // steady sending from here on
  let sent = 0;
  for (; now < 3_000; now += 0.5) if (b.take() === 0) sent++;
  now += 50; // the event loop was busy for 50 ms
  let caughtUp = 0;
  while (b.take() === 0) caughtUp++;
  assert.ok(caughtUp >= 100 && caughtUp <= 101, `${caughtUp} after 50 ms at 2000/s`);
  now += 500;
  caughtUp = 0;
  while (b.take() === 0) caughtUp++;
  assert.ok(caughtUp >= 200 && caughtUp <= 201, `${caughtUp}: at most 100 ms worth after a long pause`);
  assert.ok(sent > 1900, `sent ${sent}`);
});

test('with pauses of up to 80 ms the cap is reached, and no second from any point carries more than the rate', () => {
  let now = 0;
  const rate = 2000;
  const b = new TokenBucket(rate, () => now);
  const times: number[] = [];
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  while (now < 10_000) {
    const wait = b.take();
    if (wait === 0) {
      times.push(now);
      continue;
    }
    // Woken by a 1 ms timer; now and then the loop is late by up to 80 ms.
    now += Math.max(1, Math.ceil(wait)) + (random() < 0.05 ? random() * 80 : 0);
  }
  let first = 0;
  let most = 0;
  for (let last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  assert.ok(most <= rate, `${most} sends within one second`);
  const steady = times.filter((t) => t >= 1000).length / 9; // after the first second's initial burst
  assert.ok(steady >= rate * 0.99, `${steady.toFixed(0)}/s`);
});

test('a rate change keeps the last second of sends: lowering the rate does not allow a burst', () => {
  let now = 0;
  const b = new TokenBucket(100, () => now);
  let sent = 0;
  for (; now < 1000; now += 1) if (b.take() === 0) sent++;
  b.setRate(50);
  now += 200;
  let burst = 0;
  while (b.take() === 0) burst++;
  // The last 50 sends at 100/s were in the last 500 ms: nothing may go until the oldest of them is a second old.
  assert.equal(burst, 0);
  assert.ok(sent >= 100);
});
