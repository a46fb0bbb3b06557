import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FINAL_STATUSES, partStatusFor, rollUp, statusForReceipt, type PartState } from './message-state.ts';

test('receipt words: DELIVRD, EXPIRED and UNKNOWN name their state, ACCEPTD and ENROUTE none, every other word is undelivered', () => {
  assert.equal(statusForReceipt('DELIVRD'), 'delivered');
  assert.equal(statusForReceipt('EXPIRED'), 'expired');
  assert.equal(statusForReceipt('UNKNOWN'), 'unknown');
  assert.equal(statusForReceipt('ACCEPTD'), undefined);
  assert.equal(statusForReceipt('ENROUTE'), undefined);
  for (const w of ['UNDELIV', 'REJECTD', 'DELETED', 'MSBLACK']) assert.equal(statusForReceipt(w), 'undelivered', w);
  assert.equal(partStatusFor('ENROUTE'), 'enroute');
  assert.equal(partStatusFor('DELIVRD'), 'delivered');
  assert.deepEqual([...FINAL_STATUSES].sort(), ['delivered', 'expired', 'failed', 'undelivered', 'unknown']);
});

const part = (partNo: number, status: string, at: number | null = null, code: string | null = null, total = 2): PartState => ({ partNo, total, status, code, desc: code, at });

test('roll-up: delivered only when every part is delivered; receipt time is the last part', () => {
  assert.equal(rollUp([part(1, 'delivered', 10, 'DELIVRD')]), undefined, 'part 2 still owed');
  assert.equal(rollUp([part(1, 'delivered', 10, 'DELIVRD'), part(2, 'enroute', 12, 'ENROUTE')]), undefined);
  assert.deepEqual(rollUp([part(1, 'delivered', 30, 'DELIVRD'), part(2, 'delivered', 20, 'DELIVRD')]), { status: 'delivered', code: 'DELIVRD', desc: 'DELIVRD', at: 30 });
  assert.deepEqual(rollUp([part(1, 'delivered', 5, 'DELIVRD', 1)]), { status: 'delivered', code: 'DELIVRD', desc: 'DELIVRD', at: 5 });
});

test('roll-up: any failed part makes the message final at once with that part code', () => {
  const r = rollUp([part(1, 'sent'), part(2, 'undelivered', 40, 'UNDELIV')]);
  assert.deepEqual(r, { status: 'undelivered', code: 'UNDELIV', desc: 'part 2/2: UNDELIV', at: 40 });
  const e = rollUp([part(1, 'expired', 50, 'EXPIRED'), part(2, 'undelivered', 60, 'REJECTD')]);
  assert.equal(e?.status, 'expired', 'the earliest failure decides');
  assert.equal(rollUp([part(1, 'delivered', 1, 'DELIVRD'), part(2, 'unknown', 2, 'UNKNOWN')])?.status, 'unknown');
});
