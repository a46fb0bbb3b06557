import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv.ts';
import { rowsFromCsv } from './rows.ts';

test('column rule: a header names phone, userid, extendcode; other columns are parameters in order', () => {
  const { rows, header } = rowsFromCsv(parseCsv('Phone,first,UserId,second,extendcode\n 185 ,a,u1,b,12\n,x,u2,y,\n186,only\n'));
  assert.equal(header, true);
  assert.deepEqual(rows[0], { line: 2, phone: '185', params: ['a', 'b'], userId: 'u1', extendCode: '12' });
  assert.equal(rows[1]!.invalid, 'empty phone');
  assert.equal(rows[2]!.invalid, 'row has 2 fields, the header has 5');
});

test('without a header every column after the phone is a parameter', () => {
  const { rows, header } = rowsFromCsv(parseCsv('185,a,"b,c"\n186\n'));
  assert.equal(header, false);
  assert.deepEqual(rows, [
    { line: 1, phone: '185', params: ['a', 'b,c'], invalid: undefined },
    { line: 2, phone: '186', params: [], invalid: undefined },
  ]);
});

test('an empty text has no rows and no header', () => {
  assert.deepEqual(rowsFromCsv(parseCsv('')), { rows: [], header: false });
});
