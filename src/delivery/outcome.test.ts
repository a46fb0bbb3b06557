import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toOutcome } from './outcome.ts';

const throttled = { ok: false as const, kind: 'temporary' as const, code: 'ESME_RTHROTTLED', desc: 'slow down', uncounted: true };
const closed = { ok: false as const, kind: 'temporary' as const, code: 'SMPP_CLOSED', desc: 'not sent' };

test('a temporary failure is retried with backoff and fails after 8 attempts', () => {
  const first = toOutcome(1, 1, closed, false);
  assert.equal(first.result, 'retry');
  assert.equal(first.uncounted, undefined);
  const last = toOutcome(1, 8, closed, false);
  assert.equal(last.result, 'failed');
  assert.match(last.desc!, /gave up after 8 attempts/);
});

test('throttling is never the message\'s failure: retried soon, uncounted, however often it happened', () => {
  for (const attempts of [1, 8, 50]) {
    const o = toOutcome(1, attempts, throttled, false);
    assert.equal(o.result, 'retry', `attempt ${attempts}`);
    assert.equal(o.uncounted, true);
    assert.ok(o.retryAt! - Date.now() <= 1_000);
  }
});

test('sent, permanent and unknown outcomes are unchanged', () => {
  assert.deepEqual(toOutcome(1, 1, { ok: true, carrierMsgId: 'c1' }, false), { id: 1, result: 'sent', carrierMsgId: 'c1' });
  assert.equal(toOutcome(1, 1, { ok: false, kind: 'permanent', code: 'ESME_RINVDSTADR', desc: 'x' }, false).result, 'failed');
  assert.equal(toOutcome(1, 1, { ok: false, kind: 'unknown', code: 'UNKNOWN', desc: 'x' }, false).result, 'unknown');
  assert.equal(toOutcome(1, 1, { ok: false, kind: 'unknown', code: 'UNKNOWN', desc: 'x' }, true).result, 'retry');
});
