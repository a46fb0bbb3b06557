import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderBody, validateTarget } from './validate.ts';

const notice = { id: 'T1', content: 'Spring sale: {1} off', paramCount: 1, purpose: 2, unsubscribeInfo: '' };
const marketing = { ...notice, purpose: 3, unsubscribeInfo: 'Reply T to unsubscribe' };

test('a marketing text carries its unsubscribe note; other purposes do not', () => {
  assert.equal(renderBody(marketing, ['20%']), 'Spring sale: 20% off Reply T to unsubscribe');
  assert.equal(renderBody({ ...marketing, purpose: 2 }, ['20%']), 'Spring sale: 20% off');
  assert.equal(renderBody({ ...marketing, content: 'Sale {1}. Reply T to unsubscribe' }, ['now']), 'Sale now. Reply T to unsubscribe', 'not twice');
});

test('the note counts toward the content length and segments of the message sent', () => {
  const ok = validateTarget({ phone: '+447400123456', params: ['20%'], userId: undefined, extendCode: undefined }, marketing, 'Acme', 'CN');
  assert.ok(ok.ok);
  assert.equal(ok.draft.content, 'Spring sale: 20% off Reply T to unsubscribe');
  const long = validateTarget({ phone: '+447400123456', params: ['x'.repeat(470)], userId: undefined, extendCode: undefined }, marketing, 'Acme', 'CN');
  assert.equal(long.ok, false);
  assert.match(!long.ok ? long.reason : '', /more than 500/);
});
