import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { envLines } from './output.ts';

test('envLines: scalar fields as USMS_ export lines that a shell evaluates back to the same values', () => {
  const text = envLines({ AccountId: 60000002, PublicKey: 'AKx', PrivateKey: "it's $HOME `x`", Nested: { a: 1 } });
  assert.equal(text.split('\n').length, 3);
  const out = execFileSync('bash', ['-c', `${text}\nprintf '%s|%s|%s' "$USMS_ACCOUNT_ID" "$USMS_PUBLIC_KEY" "$USMS_PRIVATE_KEY"`], { encoding: 'utf8' });
  assert.equal(out, "60000002|AKx|it's $HOME `x`");
});

test('envLines refuses a result without fields', () => {
  assert.throws(() => envLines([1, 2]), /--env/);
});
