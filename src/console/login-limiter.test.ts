import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginLimiter } from './login-limiter.ts';

test('login tries: the limit per address per minute, then a wait; other addresses are not affected', () => {
  const l = new LoginLimiter(3, 60_000);
  assert.deepEqual([l.take('a', 0), l.take('a', 1), l.take('a', 2)], [0, 0, 0]);
  assert.equal(l.take('a', 10_000), 50_000);
  assert.equal(l.take('b', 10_000), 0);
  assert.equal(l.take('a', 60_000), 0);
});

test('the table of addresses is bounded', () => {
  const l = new LoginLimiter(1, 60_000, 10);
  for (let i = 0; i < 100; i++) l.take(`x${i}`, 0);
  assert.ok((l as unknown as { tries: Map<string, unknown> }).tries.size <= 10);
});
