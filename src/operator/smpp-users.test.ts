import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { acquireSmppBind, smppUserBySystemId } from '../store/smpp-users.ts';
import { createAccount, getAccount, listAccounts, updateAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { createSmppUser, generateSmppPassword, listSmppUsers, revokeSmppUser, verifySmppPassword } from './smpp-users.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const admin = (accountId: number): Actor => ({ userId: 7, email: 'admin@example.com', role: 'admin', accountId });
const refused = (kind: OperatorError['kind'], pattern?: RegExp) => (e: unknown) =>
  e instanceof OperatorError && e.kind === kind && (!pattern || pattern.test(e.message));

testOnBothDatabases('SMPP users: the password is generated, answered once and stored only as a hash; it verifies until revoked', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  const created = await createSmppUser(op, { AccountId: a.AccountId, SystemId: 'acme01', MaxBinds: '2', AllowedSources: 'Acme, 10690001' });
  assert.deepEqual(Object.keys(created), ['SystemId', 'Password']);
  assert.equal(created.SystemId, 'acme01');
  assert.match(created.Password, /^[A-Za-z0-9]{8}$/);

  const row = await db.selectFrom('smpp_users').selectAll().executeTakeFirstOrThrow();
  assert.match(row.password_hash, /^scrypt\$/);
  assert.ok(!JSON.stringify(row).includes(created.Password), 'the password itself is stored nowhere');
  assert.ok(!JSON.stringify(await auditPage(db, { limit: 50 })).includes(created.Password), 'nor in the audit log');

  const user = await verifySmppPassword(db, 'acme01', created.Password);
  assert.equal(user?.accountId, a.AccountId);
  assert.deepEqual([user?.maxBinds, user?.window, user?.throughput, user?.allowedSources], [2, 100, 100, ['Acme', '10690001']]);
  const wrong = created.Password.slice(0, 7) + (created.Password[7] === 'a' ? 'b' : 'a');
  assert.equal(await verifySmppPassword(db, 'acme01', wrong), undefined, 'a wrong password');
  assert.equal(await verifySmppPassword(db, 'acme01', ''), undefined);
  assert.equal(await verifySmppPassword(db, 'acme01', created.Password + 'x'), undefined, 'longer than SMPP allows');
  assert.equal(await verifySmppPassword(db, 'nobody', created.Password), undefined);

  const [listed, ...none] = (await listSmppUsers(op, { AccountId: a.AccountId })).Users;
  assert.equal(none.length, 0);
  assert.deepEqual({ ...listed!, CreateTime: 0 }, {
    SystemId: 'acme01', AccountId: a.AccountId, Status: 'active', MaxBinds: 2, Window: 100, Throughput: 100,
    AllowedSources: ['Acme', '10690001'], Binds: 0, CreateTime: 0, RevokeTime: null,
  });
  await acquireSmppBind(db, { userId: user!.id, maxBinds: 2, node: 'n1', bindType: 'transceiver', remote: 'r', leaseMs: 10_000 });
  assert.equal((await listSmppUsers(op)).Users[0]!.Binds, 1, 'live binds are counted');
  assert.ok(!JSON.stringify(await listSmppUsers(op)).includes('scrypt'), 'the list never shows the hash');

  assert.deepEqual(await revokeSmppUser(op, { SystemId: 'acme01' }), { Revoked: 'acme01' });
  assert.equal(await verifySmppPassword(db, 'acme01', created.Password), undefined, 'a revoked user cannot bind');
  await assert.rejects(revokeSmppUser(op, { SystemId: 'acme01' }), refused('not-found'));
  assert.deepEqual((await listSmppUsers(op)).Users.map((u) => [u.Status, u.Binds, u.RevokeTime !== null]), [['revoked', 0, true]]);

  const audited = (await auditPage(db, { accountId: a.AccountId, limit: 10 })).filter((e) => e.Action.startsWith('smpp-user.'));
  assert.deepEqual(audited.map((e) => [e.Action, e.Target]), [['smpp-user.revoke', 'acme01'], ['smpp-user.create', 'acme01']]);
  assert.deepEqual(audited[1]!.Detail, { MaxBinds: 2, Window: 100, Throughput: 100, AllowedSources: ['Acme', '10690001'] });

  // The system_id is free again once revoked, with a new password.
  const again = await createSmppUser(op, { AccountId: a.AccountId, SystemId: 'acme01' });
  assert.ok((await verifySmppPassword(db, 'acme01', again.Password)) !== undefined);
});

testOnBothDatabases('SMPP users: bounds, unknown accounts, duplicates and customers are refused', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  const create = (over: Record<string, unknown>) => createSmppUser(op, { AccountId: a.AccountId, SystemId: 'ok', ...over });
  await assert.rejects(create({ MaxBinds: 0 }), refused('bad-input', /^MaxBinds/));
  await assert.rejects(create({ MaxBinds: 101 }), refused('bad-input', /^MaxBinds/));
  await assert.rejects(create({ Window: 0 }), refused('bad-input', /^Window/));
  await assert.rejects(create({ Window: 1001 }), refused('bad-input', /^Window/));
  await assert.rejects(create({ Throughput: -1 }), refused('bad-input', /^Throughput/));
  await assert.rejects(create({ Throughput: 100_001 }), refused('bad-input', /^Throughput/));
  await assert.rejects(create({ Throughput: 'fast' }), refused('bad-input', /^Throughput/));
  await assert.rejects(create({ SystemId: 'x'.repeat(16) }), refused('bad-input', /^SystemId/));
  await assert.rejects(create({ SystemId: 'has space' }), refused('bad-input', /^SystemId/));
  await assert.rejects(create({ SystemId: '' }), refused('bad-input', /^SystemId/));
  await assert.rejects(create({ AllowedSources: 'TwelveLetter' }), refused('bad-input', /^AllowedSources/));
  await assert.rejects(create({ AllowedSources: '+123456789012345678901' }), refused('bad-input', /^AllowedSources/));
  await assert.rejects(create({ AccountId: 99_999_999 }), refused('not-found'));
  await assert.rejects(create({ AccountId: undefined }), refused('bad-input', /^AccountId/));
  await assert.rejects(createSmppUser(as(db, admin(a.AccountId)), { AccountId: a.AccountId, SystemId: 'mine' }), refused('forbidden'));
  await assert.rejects(listSmppUsers(as(db, admin(a.AccountId))), refused('forbidden'));
  await assert.rejects(revokeSmppUser(as(db, admin(a.AccountId)), { SystemId: 'ok' }), refused('forbidden'));
  assert.deepEqual((await listSmppUsers(op)).Users, [], 'nothing was stored');

  const limits = await create({ SystemId: 'x'.repeat(15), MaxBinds: 100, Window: 1000, Throughput: 0, AllowedSources: ['+8613800138000', 'Acme'] });
  const user = await smppUserBySystemId(db, limits.SystemId);
  assert.deepEqual([user?.maxBinds, user?.window, user?.throughput, user?.allowedSources], [100, 1000, 0, ['+8613800138000', 'Acme']]);
  await assert.rejects(create({ SystemId: 'x'.repeat(15) }), refused('conflict', /already exists/));
});

testOnBothDatabases('SMPP users: an unknown system_id costs the same password work as a known one', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  await createSmppUser(op, { AccountId: a.AccountId, SystemId: 'known' });
  await verifySmppPassword(db, 'nobody', 'warm-up'); // the decoy hash is made once
  const time = async (systemId: string) => {
    const started = performance.now();
    await verifySmppPassword(db, systemId, 'wrong');
    return performance.now() - started;
  };
  const known = await time('known');
  const unknown = await time('nobody');
  // scrypt takes tens of milliseconds; a lookup alone would take about one.
  assert.ok(unknown > known / 3, `unknown ${unknown.toFixed(1)} ms, known ${known.toFixed(1)} ms`);
});

test('SMPP passwords: 8 characters of [A-Za-z0-9], different each time', () => {
  const seen = new Set(Array.from({ length: 200 }, () => generateSmppPassword()));
  assert.equal(seen.size, 200);
  for (const p of seen) assert.match(p, /^[A-Za-z0-9]{8}$/);
  assert.ok(new Set([...seen].join('')).size > 50, 'the whole alphabet is used');
});

testOnBothDatabases('account setting SmppContent: template by default, free when set, audited; other values refused', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  assert.equal((await getAccount(op, a.AccountId)).SmppContent, 'template');
  await assert.rejects(updateAccount(op, a.AccountId, { SmppContent: 'anything' }), refused('bad-input', /^SmppContent/));
  await assert.rejects(updateAccount(as(db, admin(a.AccountId)), a.AccountId, { SmppContent: 'free' }), refused('forbidden'));
  const changed = await updateAccount(op, a.AccountId, { SmppContent: 'free' });
  assert.equal(changed.SmppContent, 'free');
  assert.equal((await getAccount(op, a.AccountId)).SmppContent, 'free');
  assert.deepEqual((await listAccounts(op)).Accounts.map((x) => x.SmppContent), ['free']);
  const [entry] = await auditPage(db, { accountId: a.AccountId, limit: 1 });
  assert.deepEqual([entry!.Action, entry!.Detail], ['account.update', { SmppContent: 'free' }]);
  assert.equal((await updateAccount(op, a.AccountId, { SmppContent: 'template' })).SmppContent, 'template');
});
