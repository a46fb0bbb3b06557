import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from '../store/accounts.ts';
import { CLI_ACTOR, type Actor } from './actor.ts';
import { auditLog } from './audit.ts';
import { createUser, issueResetLink, listUsers, updateUser } from './users.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));

testOnBothDatabases('users: account admins manage their own account only; operators everything', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b' })).AccountId;
  const cli = { db, box, actor: CLI_ACTOR };
  const adminA = await createUser(cli, { Email: 'admin@a.com', Role: 'admin', AccountId: a, Password: 'admin a password' });
  const userB = await createUser(cli, { Email: 'dev@b.com', Role: 'developer', AccountId: b });
  const asAdminA = { db, box, actor: { userId: adminA.UserId, email: 'admin@a.com', role: 'admin', accountId: a } satisfies Actor };

  const created = await createUser(asAdminA, { Email: 'viewer@a.com', Role: 'viewer' });
  assert.deepEqual(Object.keys(created).sort(), ['Email', 'Password', 'UserId']);
  await assert.rejects(createUser(asAdminA, { Email: 'x@b.com', Role: 'viewer', AccountId: b }), { kind: 'not-found' });
  await assert.rejects(createUser(asAdminA, { Email: 'op2@a.com', Role: 'operator' }), { kind: 'forbidden' });
  await assert.rejects(createUser(asAdminA, { Email: 'viewer@a.com', Role: 'viewer' }), { kind: 'conflict' });
  await assert.rejects(createUser(asAdminA, { Email: 'not an email', Role: 'viewer' }), { kind: 'bad-input' });
  await assert.rejects(updateUser(asAdminA, userB.UserId, { Role: 'viewer' }), { kind: 'not-found' });
  await assert.rejects(updateUser(asAdminA, adminA.UserId, { Role: 'viewer' }), { kind: 'bad-input' });
  await assert.rejects(issueResetLink(asAdminA, created.UserId, 'http://x'), { kind: 'forbidden' });
  assert.deepEqual((await listUsers(asAdminA, {})).Users.map((u) => u.Email), ['admin@a.com', 'viewer@a.com']);
  await assert.rejects(listUsers(asAdminA, { AccountId: b }), { kind: 'not-found' });
  assert.equal((await listUsers(cli, {})).Users.length, 3);

  const asViewer = { db, box, actor: { userId: created.UserId, email: 'viewer@a.com', role: 'viewer', accountId: a } satisfies Actor };
  await assert.rejects(listUsers(asViewer, {}), { kind: 'forbidden' });
  await assert.rejects(createUser(asViewer, { Email: 'y@a.com', Role: 'viewer' }), { kind: 'forbidden' });

  // The audit log: the admin sees their account's changes, the operator all of them; no password in it.
  const seenByA = (await auditLog(db, asAdminA.actor, {})).Entries;
  assert.deepEqual(seenByA.map((e) => [e.Action, e.Target, e.Actor]), [['user.create', 'viewer@a.com', 'admin@a.com'], ['user.create', 'admin@a.com', 'cli']]);
  assert.equal((await auditLog(db, CLI_ACTOR, {})).Entries.length, 3);
  assert.ok(!JSON.stringify(await auditLog(db, CLI_ACTOR, {})).includes(created.Password!));
});
