import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64Utf8, flattenParams } from './flatten.ts';

test('lists become Name.0, Name.1 ...; lists of objects Name.0.Field', () => {
  assert.deepEqual(
    flattenParams({
      Action: 'SendUSMSMessage',
      PhoneNumbers: ['185', '131'],
      TemplateParams: [123456, 'x'],
      Items: [{ Id: 'a', On: true }, { Id: 'b', N: 1.5 }],
    }),
    {
      Action: 'SendUSMSMessage',
      'PhoneNumbers.0': '185',
      'PhoneNumbers.1': '131',
      'TemplateParams.0': '123456',
      'TemplateParams.1': 'x',
      'Items.0.Id': 'a',
      'Items.0.On': 'true',
      'Items.1.Id': 'b',
      'Items.1.N': '1.5',
    },
  );
});

test('undefined and null are left out; an empty list sends nothing; more than 10 items keep their indexes', () => {
  const flat = flattenParams({ A: undefined, B: null, C: [], D: Array.from({ length: 12 }, (_, i) => String(i)) });
  assert.deepEqual(Object.keys(flat).slice(0, 3), ['D.0', 'D.1', 'D.2']);
  assert.equal(flat['D.11'], '11');
  assert.equal(Object.keys(flat).length, 12);
});

test('base64 of UTF-8 text, also for large inputs', () => {
  assert.equal(base64Utf8('开心果'), Buffer.from('开心果').toString('base64'));
  const big = 'é'.repeat(100_000);
  assert.equal(base64Utf8(big), Buffer.from(big).toString('base64'));
});
