import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidParameter } from '../sms/errors.ts';
import { OperatorError } from './actor.ts';
import { optionalBool, optionalInt, pageLimit, requiredString, usmsRules } from './input.ts';

const badInput = (message: RegExp) => (e: unknown) => e instanceof OperatorError && e.kind === 'bad-input' && message.test(e.message);

test('numbers, booleans and strings read the same from JSON values and from flag text', () => {
  assert.equal(optionalInt('42', 'N'), 42);
  assert.equal(optionalInt(42, 'N'), 42);
  assert.equal(optionalInt('', 'N'), undefined);
  assert.throws(() => optionalInt('4.5', 'N'), badInput(/^N must be a whole number$/));
  assert.throws(() => optionalInt(0, 'N', { min: 1 }), badInput(/^N must be at least 1$/));
  assert.equal(optionalBool('true', 'B'), true);
  assert.equal(optionalBool(false, 'B'), false);
  assert.throws(() => optionalBool('yes', 'B'), badInput(/^B must be true or false$/));
  assert.throws(() => requiredString('  ', 'S', 10), badInput(/^S is required$/));
  assert.throws(() => requiredString('x'.repeat(11), 'S', 10), badInput(/^S is longer than 10 characters$/));
});

test('a page size falls back on nonsense and is clamped, never refused', () => {
  assert.deepEqual(['abc', '0', undefined, '-5', '50', 5000].map((v) => pageLimit(v, 20, 1000)), [20, 20, 20, 1, 50, 1000]);
});

test("a USMS rule's refusal is bad input with the same message", () => {
  assert.throws(() => usmsRules(() => { throw invalidParameter('Template', 'too long'); }), badInput(/^Invalid parameter \[Template\]: too long$/));
  assert.throws(() => usmsRules(() => { throw new TypeError('bug'); }), TypeError);
});
