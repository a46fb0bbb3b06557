import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_USER_ID_CHARS, renderBody, userIdProblem, validateTarget } from './validate.ts';

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

test('UserId: seed 000\'s 38-character example is accepted up to MAX_USER_ID_CHARS; what would corrupt data is not', () => {
  assert.equal(userIdProblem('you man c define the content by yrself'), undefined);
  assert.equal(userIdProblem('x'.repeat(MAX_USER_ID_CHARS)), undefined);
  assert.equal(userIdProblem('é'.repeat(MAX_USER_ID_CHARS)), undefined, 'counted in characters');
  assert.match(userIdProblem('x'.repeat(MAX_USER_ID_CHARS + 1)) ?? '', /longer than 128 characters/);
  for (const bad of ["it's", 'say "hi"', 'line\nbreak', 'tab\there', 'nul\u0000', 'smile \u{1F600}']) {
    assert.match(userIdProblem(bad) ?? '', /special character/, JSON.stringify(bad));
  }
  const ok = validateTarget({ phone: '+447400123456', params: ['20%'], userId: 'you man c define the content by yrself', extendCode: undefined }, notice, 'Acme', 'CN');
  assert.ok(ok.ok);
  assert.equal(ok.draft.userId, 'you man c define the content by yrself', 'stored as given');
});
