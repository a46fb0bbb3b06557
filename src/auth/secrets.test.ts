import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, newKeyPair } from './secrets.ts';

test('seal/open round trip; ciphertext differs each time and hides the secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'usms-secrets-'));
  try {
    const box = SecretBox.open(dir);
    const { privateKey } = newKeyPair();
    const a = box.seal(privateKey);
    const b = box.seal(privateKey);
    assert.notEqual(a, b);
    assert.ok(!a.includes(privateKey));
    assert.equal(box.open(a), privateKey);
    assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
    // the same key file opens what the first box sealed
    assert.equal(SecretBox.open(dir).open(a), privateKey);
    // a different master key cannot open it
    const other = SecretBox.fromKey(Buffer.alloc(32, 7).toString('base64'));
    assert.throws(() => other.open(a));
    assert.equal(readFileSync(join(dir, 'master.key'), 'utf8').trim().length, 44);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a master key of the wrong size is refused', () => {
  assert.throws(() => SecretBox.fromKey('c2hvcnQ='), /32 bytes/);
});
