import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../auth/secrets.ts';
import { createAccount } from '../store/accounts.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { revokeKey } from '../store/keys.ts';
import { KEY_TTL_MS, Lookups } from './lookups.ts';

const box = SecretBox.fromKey(Buffer.alloc(32, 3).toString('base64'));

async function withDb(body: (db: Db) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'usms-lookups-'));
  const db = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true });
  try {
    await body(db);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a key revoked by another process stops authenticating within KEY_TTL_MS (1 s)', async () => {
  assert.ok(KEY_TTL_MS <= 1_000);
  await withDb(async (db) => {
    const account = await createAccount(db, box, { name: 'a' });
    const lookups = new Lookups(db, box);
    assert.equal((await lookups.key(account.PublicKey))?.accountId, account.AccountId);
    // Another process's revocation: this cache is not told.
    assert.ok(await revokeKey(db, account.AccountId, account.PublicKey));
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal(await lookups.key(account.PublicKey), undefined);
  });
});

test('forgetKey drops a cached key at once, and a lookup that was reading meanwhile does not cache it again', async () => {
  await withDb(async (db) => {
    const account = await createAccount(db, box, { name: 'a' });
    const lookups = new Lookups(db, box);
    assert.ok(await lookups.key(account.PublicKey));
    await revokeKey(db, account.AccountId, account.PublicKey);
    lookups.forgetKey(account.PublicKey);
    assert.equal(await lookups.key(account.PublicKey), undefined);

    // A lookup reading the key while it is still active, when the revocation's forgetKey arrives.
    const other = await createAccount(db, box, { name: 'b' });
    const reading = lookups.key(other.PublicKey);
    lookups.forgetKey(other.PublicKey);
    assert.ok(await reading, 'it read the key before the revocation');
    await revokeKey(db, other.AccountId, other.PublicKey);
    assert.equal(await lookups.key(other.PublicKey), undefined, 'what it read was not cached');
  });
});
