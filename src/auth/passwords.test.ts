import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

test('a password verifies against its own hash only; the hash is salted', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.notEqual(a, b);
  assert.match(a, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('correct horse battery', 'plain'), false);
});

test('compatibility forms of a password are the same password (NFKC)', async () => {
  const h = await hashPassword('ｐａｓｓｗｏｒｄ１２３');
  assert.equal(await verifyPassword('password123', h), true);
});

test('password rules', () => {
  assert.match(passwordProblem('short')!, /at least 10/);
  assert.match(passwordProblem('x'.repeat(201))!, /at most 200/);
  assert.equal(passwordProblem('long enough pass'), undefined);
  assert.match(passwordProblem(12)!, /string/);
});
