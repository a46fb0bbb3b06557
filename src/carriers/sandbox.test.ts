import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../store/db.ts';
import { SandboxCarrier } from './sandbox.ts';

const message = (id: number) => ({ id, e164: `+86138000${String(id).padStart(5, '0')}`, region: 'CN', sender: 's', content: 'x', encoding: 'GSM7', segments: 1, extendCode: '' });
const config = { receiptDelayMs: 10, rules: [{ suffix: '0000', outcome: 'UNDELIV' }, { suffix: '0001', outcome: 'none' }] };

test('carrier ids are the message ids (unique on the database however many nodes run a sandbox)', async () => {
  const a = new SandboxCarrier({} as Db, config);
  const b = new SandboxCarrier({} as Db, config);
  const [ra] = await a.submit([message(2)]);
  const [rb] = await b.submit([message(3)]);
  assert.deepEqual([ra, rb], [{ ok: true, carrierMsgId: 'sb-2' }, { ok: true, carrierMsgId: 'sb-3' }]);
  assert.equal(a.acceptsAll.idPrefix, 'sb-');
});

test('accepted messages get their receipts after the delay, by the suffix rules', async () => {
  const s = new SandboxCarrier({ sentWithoutReceipt: undefined } as unknown as Db, config);
  const got: Array<{ carrierMsgId: string; code: string }> = [];
  // start() would read the receipts still owed from the database; this test drives release() directly.
  (s as unknown as { emit: (r: Array<{ carrierMsgId: string; code: string }>) => void }).emit = (r) => got.push(...r);
  const before = Date.now();
  s.acceptsAll.accepted([
    { id: 10, e164: '+8613800000002', carrierMsgId: 'sb-10' },
    { id: 11, e164: '+8613800000000', carrierMsgId: 'sb-11' },
    { id: 12, e164: '+8613800000001', carrierMsgId: 'sb-12' },
  ]);
  const release = (now: number) => (s as unknown as { release: (now: number) => void }).release(now);
  release(before);
  assert.equal(got.length, 0, 'nothing before the delay');
  release(before + config.receiptDelayMs + 50);
  assert.deepEqual(got.map((r) => [r.carrierMsgId, r.code]), [['sb-10', 'DELIVRD'], ['sb-11', 'UNDELIV']]);
});

test('suffix rules pick the outcome; no rule means DELIVRD', () => {
  const s = new SandboxCarrier({} as Db, config);
  assert.equal(s.outcomeFor('+8613800000000'), 'UNDELIV');
  assert.equal(s.outcomeFor('+8613800000001'), undefined);
  assert.equal(s.outcomeFor('+8613800000002'), 'DELIVRD');
});
