import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkResult, chunkRows, MAX_CHUNK_ROWS } from './chunks.ts';
import { parseCsv } from './csv.ts';
import { rowsFromCsv } from './rows.ts';

test('chunk sizes per dialect, and rows cut into chunks in order', () => {
  assert.deepEqual(MAX_CHUNK_ROWS, { ucloud: 200, uspeedo: 1000, rest: 1000 });
  assert.deepEqual(chunkRows([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunkRows([], 3), []);
  assert.throws(() => chunkRows([1], 0), RangeError);
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
