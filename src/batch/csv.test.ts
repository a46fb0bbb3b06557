import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, csvLine, parseCsv } from './csv.ts';

const cells = (text: string) => parseCsv(text).map((r) => r.cells);

test('plain records, LF and CRLF, with or without a final line break', () => {
  assert.deepEqual(cells('a,b,c\n1,2,3\n'), [['a', 'b', 'c'], ['1', '2', '3']]);
  assert.deepEqual(cells('a,b\r\n1,2'), [['a', 'b'], ['1', '2']]);
});

test('quoted fields hold commas, doubled quotes and line breaks; line numbers follow the text', () => {
  const recs = parseCsv('phone,p1,p2\n"185,1","say ""hi""","two\nlines"\n131,x,\n');
  assert.deepEqual(recs, [
    { line: 1, cells: ['phone', 'p1', 'p2'] },
    { line: 2, cells: ['185,1', 'say "hi"', 'two\nlines'] },
    { line: 4, cells: ['131', 'x', ''] },
  ]);
});

test('empty fields, empty lines skipped, BOM ignored, spaces kept', () => {
  assert.deepEqual(cells('\ufeffa,,b\n\n\r\n ,"",x \n'), [['a', '', 'b'], [' ', '', 'x ']]);
  assert.deepEqual(cells(''), []);
  assert.deepEqual(cells('""'), [['']]);
});

test('a quote inside an unquoted field is kept; errors name the line', () => {
  assert.deepEqual(cells('5"5,x'), [['5"5', 'x']]);
  assert.throws(() => parseCsv('a\n"open,b\nc'), (e: unknown) => e instanceof CsvError && e.line === 2 && /not closed/.test(e.message));
  assert.throws(() => parseCsv('a\n"x"y,b'), (e: unknown) => e instanceof CsvError && e.line === 2 && /after a closing quote/.test(e.message));
});

test('csvLine quotes only what needs it, and round-trips through parseCsv', () => {
  const row = ['185', 'a,b', 'say "hi"', 'two\nlines', ' lead', 'plain', ''];
  const text = csvLine(row);
  assert.equal(text, '185,"a,b","say ""hi""","two\nlines"," lead",plain,\n');
  assert.deepEqual(cells(text), [row]);
});
