import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badInput, notFound } from '../operator/actor.ts';
import { cliError } from './errors.ts';

const message = (err: unknown) => (cliError(err) as Error).message;

test('operator refusals name the flag a field comes from', () => {
  assert.equal(message(badInput('CallbackUrl must be an http:// or https:// URL')), '--callback-url must be an http:// or https:// URL');
  assert.equal(message(badInput('Phone 12: phone number is too short')), '--phone 12: phone number is too short');
  assert.equal(message(badInput('Invalid parameter [Template]: a template must contain text')), 'Invalid parameter [--content]: a template must contain text');
  assert.equal(message(badInput('Status: active or disabled')), 'Status: active or disabled', 'a field without a flag stays');
  assert.equal(message(notFound('no account 99999999')), 'no account 99999999');
});

test('other errors pass unchanged', () => {
  const err = new Error('disk full');
  assert.equal(cliError(err), err);
});
