import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../store/db.ts';
import { SandboxCarrier } from './sandbox.ts';

const message = (id: number) => ({ id, e164: `+86138000${String(id).padStart(5, '0')}`, region: 'CN', sender: 's', content: 'x', encoding: 'GSM7', segments: 1, extendCode: '' });
const config = { receiptDelayMs: 10, rules: [{ suffix: '0000', outcome: 'UNDELIV' }, { suffix: '0001', outcome: 'none' }] };

test('two sandboxes (two nodes on one database) never hand out the same carrier id', async () => {
  const a = new SandboxCarrier({} as Db, config);
  const b = new SandboxCarrier({} as Db, config);
  const ids: string[] = [];
  // Both nodes submit at the same moment, message by message.
  for (let i = 0; i < 200; i++) {
    for (const carrier of [a, b]) {
      const [r] = await carrier.submit([message(i + 2)]);
      ids.push(r!.ok ? r!.carrierMsgId : '');
    }
  }
  assert.equal(new Set(ids).size, 400);
});

test('suffix rules pick the outcome; no rule means DELIVRD', () => {
  const s = new SandboxCarrier({} as Db, config);
  assert.equal(s.outcomeFor('+8613800000000'), 'UNDELIV');
  assert.equal(s.outcomeFor('+8613800000001'), undefined);
  assert.equal(s.outcomeFor('+8613800000002'), 'DELIVRD');
});
