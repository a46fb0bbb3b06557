import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moInputFor } from './inbound-input.ts';

test('MO addresses as stored: numbers in E.164, the ExtendCode after a numeric source address, the fallback account', () => {
  const withCode = moInputFor('c1', '+1069000', 42);
  assert.deepEqual(withCode('8613800138000', '106900012', 1, 'hi', 5), {
    carrier: 'c1', phone: '+8613800138000', toAddr: '106900012', extendCode: '12', content: 'hi', receivedAt: 5, moAccount: 42,
  });
  assert.equal(withCode('+447700900123', '1069000', 0, 'x', 0).phone, '+447700900123', 'a leading + is a number whatever the TON');
  assert.equal(withCode('12345', '1069000', 0, 'x', 0).phone, '12345', 'a short code of unknown TON stays as it came');
  assert.equal(withCode('Bank', '1069000', 5, 'x', 0).phone, 'Bank', 'an alphanumeric sender');
  assert.equal(withCode('8613800138000', '2069000', 1, 'x', 0).extendCode, '', 'another destination: no ExtendCode');
  // A removed carrier's leftover parts (delivery/runtime.ts): no source address, no fallback account.
  const removed = moInputFor('gone', '');
  assert.deepEqual(removed('8613800138000', '106900012', 1, 'hi', 5), {
    carrier: 'gone', phone: '+8613800138000', toAddr: '106900012', extendCode: '', content: 'hi', receivedAt: 5, moAccount: null,
  });
  assert.equal(moInputFor('c2', 'BANK')('8613800138000', 'BANK7', 1, 'x', 0).extendCode, '', 'an alphanumeric source address carries no ExtendCode');
});
