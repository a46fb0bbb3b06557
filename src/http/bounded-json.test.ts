import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, MAX_JSON_ENTRIES, formParamCount, holdsNul, jsonShapeProblem, parseBoundedJson, queryParamCount } from './bounded-json.ts';
import { decodeTaskContent, formToObject, taskListFromJson } from './dialects/params.ts';
import { RetCode, UsmsError } from '../sms/errors.ts';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + '1' + close.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

test('depth: up to the limit parses, one more is refused before JSON.parse', () => {
  assert.deepEqual(parseBoundedJson(nested(MAX_JSON_DEPTH)).ok, true);
  assert.deepEqual(parseBoundedJson(nested(MAX_JSON_DEPTH + 1)), { ok: false, reason: 'limit', problem: `nests deeper than ${MAX_JSON_DEPTH} levels` });
  assert.equal(parseBoundedJson(nestedObjects(MAX_JSON_DEPTH)).ok, true);
  assert.equal(parseBoundedJson(nestedObjects(MAX_JSON_DEPTH + 1)).ok, false);
  // Far past any stack: refused quickly, nothing recursive runs.
  const started = performance.now();
  assert.equal(parseBoundedJson(nested(1_000_000)).ok, false);
  assert.ok(performance.now() - started < 1000);
});

test('depth is the nesting, not the number of containers', () => {
  const wide = '[' + Array.from({ length: 1000 }, () => '[[1]]').join(',') + ']';
  assert.equal(parseBoundedJson(wide).ok, true);
});

test('entries: object members and array items over the whole text', () => {
  const items = (n: number) => '[' + Array.from({ length: n }, () => '0').join(',') + ']';
  assert.equal(parseBoundedJson(items(MAX_JSON_ENTRIES)).ok, true);
  assert.deepEqual(parseBoundedJson(items(MAX_JSON_ENTRIES + 1)), { ok: false, reason: 'limit', problem: `holds more than ${MAX_JSON_ENTRIES} keys and array items` });
  const keys = (n: number) => '{' + Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',') + '}';
  assert.equal(parseBoundedJson(keys(MAX_JSON_ENTRIES)).ok, true);
  assert.equal(parseBoundedJson(keys(MAX_JSON_ENTRIES + 1)).ok, false);
  // Spread over many small containers, the total counts.
  const spread = '[' + Array.from({ length: MAX_JSON_ENTRIES / 2 + 1 }, () => '{"a":1}').join(',') + ']';
  assert.equal(parseBoundedJson(spread).ok, false);
});

test('the largest legitimate batch is within the limits', () => {
  const target = { Phone: '13800138000', TemplateParams: Array.from({ length: 40 }, (_, i) => String(i)), UserId: 'u', ExtendCode: '12' };
  const groups = Array.from({ length: 1000 }, () => ({ TemplateId: 'UTA1', SenderId: 'usms', Target: [target] }));
  const body = JSON.stringify({ Action: 'SendBatchUSMSMessage', AccountId: 1, TaskContent: groups });
  assert.equal(jsonShapeProblem(body), undefined);
});

test('brackets, commas and quotes inside strings do not count', () => {
  const text = JSON.stringify({ a: '['.repeat(100) + ','.repeat(MAX_JSON_ENTRIES * 2), b: 'say \\"[[[[\\" \\\\', c: ['"', '\\', '\\"'] });
  assert.equal(jsonShapeProblem(text), undefined);
  assert.deepEqual(parseBoundedJson(text), { ok: true, value: JSON.parse(text) });
  // A string ending in an escaped backslash closes where it should: the brackets after it count.
  assert.match(jsonShapeProblem(`["\\\\",${nested(MAX_JSON_DEPTH)}]`)!, /deeper/);
});

test('invalid JSON is reported as such', () => {
  for (const text of ['{', '[1,]', '"unterminated', '{"a":1}}', ']]]]', 'nul']) {
    assert.deepEqual(parseBoundedJson(text), { ok: false, reason: 'syntax', problem: 'is not valid JSON' }, text);
  }
});

test('a NUL character anywhere in a string or key is refused; the escaped text \\u0000 is not one', () => {
  for (const text of ['{"a":"\\u0000"}', '["x","a\\u0000b"]', '{"\\u0000":1}', '{"a":[{"b":"\\u0000"}]}']) {
    assert.deepEqual(parseBoundedJson(text), { ok: false, reason: 'nul', problem: 'holds the NUL character (U+0000)' }, text);
  }
  assert.deepEqual(parseBoundedJson('{"a":"\\\\u0000"}'), { ok: true, value: { a: '\\u0000' } });
  assert.equal(holdsNul({ a: [['x', { b: 'y\0' }]] }), true);
  assert.equal(holdsNul({ a: [['x', { b: 'y' }]] }), false);
});

test('form and query param counts', () => {
  assert.equal(formParamCount(''), 0);
  assert.equal(formParamCount('a=1'), 1);
  assert.equal(formParamCount('a=1&b=2&&'), 4);
  assert.equal(queryParamCount({ a: '1', b: ['1', '2', '3'] }), 4);
  assert.equal(queryParamCount(undefined), 0);
});

test('params.ts: a form over 10,000 params is 18003; TaskContent JSON over the limits is 18000', () => {
  const form = Array.from({ length: 10_001 }, (_, i) => `P${i}=1`).join('&');
  assert.throws(() => formToObject(form), (e) => e instanceof UsmsError && e.retCode === RetCode.InvalidParameter);
  assert.equal(Object.keys(formToObject(Array.from({ length: 10_000 }, (_, i) => `P${i}=1`).join('&'))).length, 10_000);
  const deep = nested(10_000);
  const refused = (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.JsonParseError && /nests deeper/.test(e.message);
  assert.throws(() => decodeTaskContent(Buffer.from(deep).toString('base64')), refused);
  assert.throws(() => decodeTaskContent(deep), refused);
  assert.throws(() => taskListFromJson(deep), refused);
  assert.deepEqual(taskListFromJson('[{"TemplateId":"T"}]'), [{ TemplateId: 'T' }]);
  assert.throws(() => taskListFromJson('[{'), (e) => e instanceof UsmsError && e.retCode === RetCode.JsonParseError);
  const nul = (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.InvalidParameter && /NUL/.test(e.message);
  assert.throws(() => taskListFromJson('[{"TemplateId":"\\u0000"}]'), nul);
  assert.throws(() => formToObject('a=1&b=x%00y'), nul);
  assert.throws(() => formToObject('a%00=1'), nul);
  assert.deepEqual(formToObject('a=1&b=%2500'), { a: '1', b: '%00' });
});
