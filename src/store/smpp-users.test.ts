import assert from 'node:assert/strict';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import {
  acquireSmppBind,
  createSmppUser,
  listSmppUsers,
  liveSmppBinds,
  releaseSmppBind,
  releaseSmppBindsOf,
  renewSmppBinds,
  revokeSmppUser,
  setSmppContent,
  smppContentByAccount,
  smppUserBySystemId,
  type SmppBindRequest,
} from './smpp-users.ts';

async function account(db: Db, id: number, status = 'active'): Promise<void> {
  await db.insertInto('accounts').values({ id, project_id: `p-${id}`, name: `a${id}`, region: 'CN', status, created_at: 0 }).execute();
}

const user = (accountId: number, systemId: string, over: Partial<Parameters<typeof createSmppUser>[1]> = {}) => ({
  accountId, systemId, passwordHash: 'scrypt$hash', maxBinds: 2, window: 10, throughput: 50, allowedSources: [], ...over,
});

testOnBothDatabases('SMPP users: created once per active system_id, found while active with their account, listed, revoked', async (db) => {
  await account(db, 1);
  await account(db, 2, 'disabled');
  const id = await createSmppUser(db, user(1, 'acme', { allowedSources: ['Acme', '10690001'] }));
  await assert.rejects(createSmppUser(db, user(2, 'acme')), /already exists/);
  await createSmppUser(db, user(2, 'other'));

  const found = await smppUserBySystemId(db, 'acme');
  assert.deepEqual({ ...found!, createdAt: 0 }, {
    id, accountId: 1, systemId: 'acme', passwordHash: 'scrypt$hash', maxBinds: 2, window: 10, throughput: 50,
    allowedSources: ['Acme', '10690001'], createdAt: 0, revokedAt: null, smppContent: 'template', accountStatus: 'active', suspended: false,
  });
  assert.equal((await smppUserBySystemId(db, 'other'))?.suspended, true, "a disabled account's user is suspended");
  assert.equal(await smppUserBySystemId(db, 'ACME'), undefined, 'system_ids are matched exactly');

  assert.equal(await setSmppContent(db, 1, 'free'), true);
  assert.equal(await setSmppContent(db, 99, 'free'), false);
  assert.equal((await smppUserBySystemId(db, 'acme'))?.smppContent, 'free');
  assert.deepEqual([...(await smppContentByAccount(db)).entries()].sort(), [[1, 'free'], [2, 'template']]);

  assert.deepEqual((await listSmppUsers(db, { accountId: 2 })).map((u) => u.systemId), ['other']);
  assert.deepEqual((await listSmppUsers(db)).map((u) => u.systemId), ['acme', 'other']);

  assert.equal(await revokeSmppUser(db, 'acme'), true);
  assert.equal(await revokeSmppUser(db, 'acme'), false, 'already revoked');
  assert.equal(await revokeSmppUser(db, 'nobody'), false);
  assert.equal(await smppUserBySystemId(db, 'acme'), undefined, 'a revoked user cannot be found to bind');
  // Revoked, its system_id is free again: that is how a password is replaced.
  const again = await createSmppUser(db, user(1, 'acme'));
  assert.notEqual(again, id);
  assert.equal((await smppUserBySystemId(db, 'acme'))?.id, again);
  const listed = await listSmppUsers(db, { accountId: 1 });
  assert.deepEqual(listed.map((u) => [u.systemId, u.revokedAt === null]), [['acme', false], ['acme', true]]);
});

testOnBothDatabases('SMPP bind leases: max_binds live leases, then none until one is released or expires', async (db) => {
  await account(db, 1);
  const userId = await createSmppUser(db, user(1, 'acme'));
  const otherId = await createSmppUser(db, user(1, 'other', { maxBinds: 1 }));
  const bind = (node: string, over: Partial<SmppBindRequest> = {}) =>
    acquireSmppBind(db, { userId, maxBinds: 2, node, bindType: 'transceiver', remote: '127.0.0.1:5000', leaseMs: 10_000, ...over });

  const a = await bind('n1');
  const b = await bind('n2', { bindType: 'receiver' });
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(await bind('n3'), undefined, 'the third bind of a user with max_binds 2 is refused');
  assert.ok((await acquireSmppBind(db, { userId: otherId, maxBinds: 1, node: 'n3', bindType: 'transmitter', remote: 'x', leaseMs: 10_000 })) !== undefined, 'limits are per user');

  await releaseSmppBind(db, a);
  const c = await bind('n3');
  assert.ok(c !== undefined, 'a released lease frees its bind');
  assert.equal(await bind('n4'), undefined);

  // n2 stops renewing (it died): once its lease has run out the bind is free, and n2 cannot renew it back.
  await db.updateTable('smpp_binds').set({ lease_until: Date.now() - 1 }).where('id', '=', b).execute();
  const d = await bind('n4');
  assert.ok(d !== undefined, 'an expired lease frees its bind');
  assert.deepEqual(await renewSmppBinds(db, 'n2', [b], 10_000), [], 'an expired lease is not renewed');
  assert.deepEqual(await renewSmppBinds(db, 'n3', [c, d], 10_000), [c], "a node renews only its own leases");

  const live = await liveSmppBinds(db);
  assert.deepEqual(live.map((l) => [l.systemId, l.node, l.bindType]), [['acme', 'n3', 'transceiver'], ['acme', 'n4', 'transceiver'], ['other', 'n3', 'transmitter']]);
  assert.equal(live[0]!.accountId, 1);
  assert.equal(live[0]!.remote, '127.0.0.1:5000');

  // Revoking deletes the user's leases: renewals fail (the nodes close the binds) and no new bind is granted.
  assert.equal(await revokeSmppUser(db, 'acme'), true);
  assert.deepEqual(await renewSmppBinds(db, 'n3', [c], 10_000), []);
  assert.equal(await bind('n5'), undefined);
  assert.deepEqual((await liveSmppBinds(db)).map((l) => l.systemId), ['other']);
  assert.equal(await releaseSmppBindsOf(db, 'n3'), 1);
  assert.deepEqual(await liveSmppBinds(db), []);
});

testOnBothDatabases('SMPP bind leases: binds racing for the last slots never exceed max_binds', async (db) => {
  await account(db, 1);
  const userId = await createSmppUser(db, user(1, 'acme', { maxBinds: 3 }));
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => acquireSmppBind(db, { userId, maxBinds: 3, node: `n${i}`, bindType: 'transceiver', remote: 'r', leaseMs: 10_000 })),
  );
  assert.equal(results.filter((r) => r !== undefined).length, 3);
  assert.equal((await liveSmppBinds(db)).length, 3);
});
