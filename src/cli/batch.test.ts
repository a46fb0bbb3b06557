import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkResult, rowsFromCsv } from './batch.ts';
import { parseCsv } from './csv.ts';

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

test('answers map back to rows: FailContent by phone, params and UserId; duplicates in order; REST arrays', () => {
  const rows = rowsFromCsv(parseCsv('185,a\n185,a\n186,b\n187,c\n')).rows;
  const r = chunkResult(rows, {
    RetCode: 0,
    SessionNo: 'S1',
    FailContent: [{ TemplateId: 'T', SenderId: 's', Target: [{ Phone: '185', TemplateParams: ['a'], FailureDetails: 'phone in the black list' }] }],
  });
  assert.deepEqual(r, { sessionNo: 'S1', failures: [[0, 'phone in the black list']] });

  const rest = chunkResult(rows, { RetCode: 0, SessionNo: ['S2'], FailedTargetPhones: [{ Phone: '187', TemplateParams: ['c'], FailureReason: 'bad' }] });
  assert.deepEqual(rest, { sessionNo: 'S2', failures: [[3, 'bad']] });

  // Nothing accepted: a group-level failure applies to every row.
  const group = chunkResult(rows, { RetCode: 18017, Message: 'template T does not exist', FailContent: [{ TemplateId: 'T', Target: rows.map((x) => ({ Phone: x.phone, TemplateParams: x.params })), FailureDetails: 'template T does not exist' }] });
  assert.equal(group.sessionNo, undefined);
  assert.deepEqual(group.failures.map((f) => f[1]), Array(4).fill('template T does not exist'));
  const plain = chunkResult(rows.slice(0, 1), { RetCode: 18019, Message: 'too many' });
  assert.deepEqual(plain.failures, [[0, 'RetCode 18019: too many']]);
});
