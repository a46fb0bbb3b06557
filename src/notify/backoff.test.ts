import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAttemptAt, retryDelay } from './backoff.ts';

const mid = () => 0.5; // no jitter

test('retry delay doubles per failed attempt from the base', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelay(n, 1000, 600_000, mid)), [1000, 2000, 4000, 8000, 16000]);
});

test('retry delay is capped, also for huge attempt counts', () => {
  assert.equal(retryDelay(10, 1000, 60_000, mid), 60_000);
  assert.equal(retryDelay(10_000, 1000, 60_000, mid), 60_000);
  assert.equal(retryDelay(10_000, 1000, 60_000, () => 0.999), 60_000, 'jitter never exceeds the cap');
});

test('jitter stays within +-20%', () => {
  assert.equal(retryDelay(3, 1000, 600_000, () => 0), 3200);
  assert.equal(retryDelay(3, 1000, 600_000, () => 1), 4800);
  for (let i = 0; i < 200; i++) {
    const d = retryDelay(4, 1000, 600_000);
    assert.ok(d >= 6400 && d <= 9600, String(d));
  }
});

test('nextAttemptAt: retry until maxAttempts, then give up', () => {
  const cfg = { maxAttempts: 3, maxAgeSeconds: 0, retryBaseMs: 100, retryMaxMs: 10_000 };
  const now = 1_000_000;
  assert.equal(nextAttemptAt(1, now, now, cfg, mid), now + 100);
  assert.equal(nextAttemptAt(2, now, now, cfg, mid), now + 200);
  assert.equal(nextAttemptAt(3, now, now, cfg, mid), undefined);
  assert.equal(nextAttemptAt(4, now, now, cfg, mid), undefined);
});

test('nextAttemptAt: give up once the push is older than maxAge (0 = no age limit)', () => {
  const cfg = { maxAttempts: 100, maxAgeSeconds: 60, retryBaseMs: 100, retryMaxMs: 10_000 };
  const queued = 1_000_000;
  assert.equal(nextAttemptAt(2, queued, queued + 59_999, cfg, mid), queued + 59_999 + 200);
  assert.equal(nextAttemptAt(2, queued, queued + 60_000, cfg, mid), undefined);
  assert.equal(nextAttemptAt(2, queued, queued + 10 ** 9, { ...cfg, maxAgeSeconds: 0 }, mid), queued + 10 ** 9 + 200);
});
