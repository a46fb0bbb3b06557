import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { resolveKey } from '../store/keys.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { createKey, listKeys, revokeKey } from './keys.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

testOnBothDatabases('keys: created with the secret once, listed without it, revoked; scoped to the account', async (db) => {
  const a = await createAccount(as(db, CLI_ACTOR), { Name: 'a' });
  const b = await createAccount(as(db, CLI_ACTOR), { Name: 'b' });
  const dev = as(db, user(a.AccountId, 'developer'));

  const key = await createKey(dev, {});
  assert.equal(key.AccountId, a.AccountId);
  assert.equal((await resolveKey(db, box, key.PublicKey))?.secret, key.PrivateKey);
  const listed = await listKeys(as(db, user(a.AccountId, 'viewer')), {});
  assert.deepEqual(listed.Keys.map((k) => k.PublicKey), [a.PublicKey, key.PublicKey]);
  assert.ok(!JSON.stringify(listed).includes(key.PrivateKey));

  await assert.rejects(createKey(as(db, user(a.AccountId, 'viewer')), {}), refused('forbidden'));
  await assert.rejects(listKeys(dev, { AccountId: b.AccountId }), refused('not-found'));
  await assert.rejects(revokeKey(dev, { AccountId: b.AccountId, PublicKey: b.PublicKey }), refused('not-found'));
  await assert.rejects(revokeKey(dev, { PublicKey: b.PublicKey }), refused('not-found'), "another account's key is unknown here");
  assert.ok(await resolveKey(db, box, b.PublicKey), 'still active');
  await assert.rejects(revokeKey(as(db, user(a.AccountId, 'viewer')), { PublicKey: key.PublicKey }), refused('forbidden'));

  assert.deepEqual(await revokeKey(dev, { PublicKey: key.PublicKey }), { AccountId: a.AccountId, Revoked: key.PublicKey });
  assert.equal(await resolveKey(db, box, key.PublicKey), undefined);

  const entries = await auditPage(db, { accountId: a.AccountId, limit: 10 });
  assert.deepEqual(entries.slice(0, 2).map((e) => [e.Action, e.Target, e.Actor]), [
    ['key.revoke', key.PublicKey, 'developer@example.com'],
    ['key.create', key.PublicKey, 'developer@example.com'],
  ]);
  assert.ok(!JSON.stringify(entries).includes(key.PrivateKey), 'no secret in the audit log');
});
