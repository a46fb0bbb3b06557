import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeParams, placeholderCount, renderTemplate } from './template.ts';

test('placeholder count is n for {1}..{n}, repeats allowed', () => {
  assert.equal(placeholderCount('no params'), 0);
  assert.equal(placeholderCount('your code is {1}'), 1);
  assert.equal(placeholderCount('{1}, your code {2} expires in {3} minutes, {1}'), 3);
  assert.equal(placeholderCount('{2} then {1}'), 2);
});

test('placeholders with gaps or {0} are refused', () => {
  assert.throws(() => placeholderCount('{1} and {3}'), /without gaps/);
  assert.throws(() => placeholderCount('{0}'), /without gaps/);
});

test('rendering fills every occurrence and leaves other braces alone', () => {
  assert.equal(renderTemplate('Hi {1}, code {2}. Bye {1} {x}', ['Ann', '1234']), 'Hi Ann, code 1234. Bye Ann {x}');
  assert.equal(renderTemplate('plain', []), 'plain');
  // a parameter that itself looks like a placeholder is not expanded again
  assert.equal(renderTemplate('{1}{2}', ['{2}', 'b']), '{2}b');
});

test('params: strings and numbers accepted, others refused', () => {
  assert.deepEqual(normalizeParams([123456, 10]), ['123456', '10']);
  assert.deepEqual(normalizeParams(['a']), ['a']);
  assert.deepEqual(normalizeParams(undefined), []);
  assert.equal(normalizeParams('a'), undefined);
  assert.equal(normalizeParams([{}]), undefined);
  assert.equal(normalizeParams([null]), undefined);
});
