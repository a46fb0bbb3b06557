import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRESH_MS, Readiness } from './health.ts';

/** A probe whose outcome the test sets, counting its calls. */
function fakeProbe() {
  const state = { calls: 0, fail: undefined as Error | undefined, hang: false };
  const probe = () => {
    state.calls++;
    if (state.hang) return new Promise<void>(() => {});
    return state.fail ? Promise.reject(state.fail) : Promise.resolve();
  };
  return { state, probe };
}

test('readiness: a recent commit answers without a probe; an old one is checked by a probe', async () => {
  let now = 1_000_000;
  const { state, probe } = fakeProbe();
  const r = new Readiness(probe, () => now);
  r.record(true);
  assert.deepEqual(await r.check(), { ready: true });
  assert.equal(state.calls, 0);
  now += FRESH_MS;
  assert.deepEqual(await r.check(), { ready: true });
  assert.equal(state.calls, 1);
  // The probe's answer is fresh in turn: no second probe within FRESH_MS.
  now += FRESH_MS - 1;
  await r.check();
  assert.equal(state.calls, 1);
});

test('readiness: a failed commit makes the node not ready at once, with the reason; a later success makes it ready again', async () => {
  let now = 1_000_000;
  const { state, probe } = fakeProbe();
  const r = new Readiness(probe, () => now);
  r.record(true);
  await assert.rejects(r.track(Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))), /disk is full/);
  const down = await r.check();
  assert.equal(down.ready, false);
  assert.match(down.reason!, /database or disk is full \(SQLITE_FULL\)/);
  assert.equal(state.calls, 0);
  // Still failing a second later: the probe says so.
  now += FRESH_MS;
  state.fail = new Error('cannot execute INSERT in a read-only transaction');
  assert.match((await r.check()).reason!, /read-only transaction/);
  // Writes succeed again: the next probe after FRESH_MS says ready.
  state.fail = undefined;
  now += FRESH_MS;
  assert.deepEqual(await r.check(), { ready: true });
  // A successful commit is ready at once.
  await r.track(Promise.resolve());
  assert.deepEqual(await r.check(), { ready: true });
});

test('readiness: a probe that does not finish makes the node not ready after the timeout, and is not repeated meanwhile', async () => {
  let now = 1_000_000;
  const { state, probe } = fakeProbe();
  state.hang = true;
  const r = new Readiness(probe, () => now, 50);
  // The timeout's timer does not hold the process open: this one does, for the test.
  const alive = setInterval(() => {}, 1_000);
  const [a, b] = await Promise.all([r.check(), r.check()]);
  assert.equal(a.ready, false);
  assert.match(a.reason!, /has not finished within 50 ms/);
  assert.equal(b.ready, false);
  now += FRESH_MS;
  assert.equal((await r.check()).ready, false);
  clearInterval(alive);
  assert.equal(state.calls, 1, 'one probe at a time');
});
