import assert from 'node:assert/strict';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import {
  claimSmppItems,
  enqueueSmppItems,
  expireSmppItems,
  markSmppDelivered,
  pruneSmppOutbox,
  retrySmppItems,
  smppOutboxCounts,
  usersWithDueSmppItems,
  type NewSmppItem,
} from './smpp-outbox.ts';
import { createSmppUser } from './smpp-users.ts';

const HOUR = 3600_000;

async function twoUsers(db: Db): Promise<[number, number]> {
  await db.insertInto('accounts').values({ id: 1, project_id: 'p', name: 'a', region: 'CN', status: 'active', created_at: 0 }).execute();
  const u = (systemId: string) => createSmppUser(db, { accountId: 1, systemId, passwordHash: 'h', maxBinds: 1, window: 10, throughput: 0, allowedSources: [] });
  return [await u('one'), await u('two')];
}

const item = (userId: number, n: number, over: Partial<NewSmppItem> = {}): NewSmppItem => ({
  userId, accountId: 1, messageId: n, kind: 'receipt', payload: JSON.stringify({ n }), expiresAt: Date.now() + HOUR, ...over,
});
const payloads = (items: Array<{ payload: string }>) => items.map((i) => (JSON.parse(i.payload) as { n: number }).n);

testOnBothDatabases('SMPP outbox: a user claims its due items oldest first, leased; delivered ones are done, failed ones come back at their retry time', async (db) => {
  const [one, two] = await twoUsers(db);
  await db.transaction().execute((trx) => enqueueSmppItems(trx, [item(one, 1), item(one, 2), item(two, 3), item(one, 4, { kind: 'reply', messageId: null })]));
  assert.deepEqual(await usersWithDueSmppItems(db, [one, two, 999]), [one, two]);

  const first = await claimSmppItems(db, { userId: one, owner: 'n1', limit: 2, leaseMs: 60_000 });
  assert.deepEqual(payloads(first), [1, 2], 'oldest first, at most the limit');
  assert.deepEqual({ ...first[0]!, id: 0, createdAt: 0, expiresAt: 0 }, { id: 0, userId: one, accountId: 1, messageId: 1, kind: 'receipt', payload: '{"n":1}', attempts: 0, createdAt: 0, expiresAt: 0 });
  // Leased: another sender gets only what is left.
  const rest = await claimSmppItems(db, { userId: one, owner: 'n2', limit: 10, leaseMs: 60_000 });
  assert.deepEqual(payloads(rest), [4]);
  assert.deepEqual(rest.map((r) => [r.kind, r.messageId]), [['reply', null]]);
  assert.deepEqual(await claimSmppItems(db, { userId: one, owner: 'n2', limit: 10, leaseMs: 60_000 }), []);
  assert.deepEqual(await usersWithDueSmppItems(db, [one, two]), [two], "a user whose items are all leased has none due");

  // Only the lease holder settles an item.
  assert.equal(await markSmppDelivered(db, 'n2', [first[0]!.id]), 0);
  assert.equal(await markSmppDelivered(db, 'n1', [first[0]!.id]), 1);
  const retryAt = Date.now() + 5_000;
  await retrySmppItems(db, 'n1', [{ id: first[1]!.id, error: 'deliver_sm_resp status 8', retryAt }]);
  const retried = await db.selectFrom('smpp_outbox').selectAll().where('id', '=', first[1]!.id).executeTakeFirstOrThrow();
  assert.deepEqual([retried.status, Number(retried.attempts), Number(retried.next_attempt_at), retried.lease_owner, retried.last_error], ['pending', 1, retryAt, null, 'deliver_sm_resp status 8']);
  assert.deepEqual(await claimSmppItems(db, { userId: one, owner: 'n1', limit: 10, leaseMs: 60_000 }), [], 'not due before its retry time');
  await db.updateTable('smpp_outbox').set({ next_attempt_at: Date.now() - 1 }).where('id', '=', first[1]!.id).execute();
  const again = await claimSmppItems(db, { userId: one, owner: 'n1', limit: 10, leaseMs: 60_000 });
  assert.deepEqual(payloads(again), [2]);
  assert.equal(again[0]!.attempts, 1);

  // A sender that died: its lease runs out and the item is claimed by another.
  await db.updateTable('smpp_outbox').set({ lease_until: Date.now() - 1 }).where('id', '=', rest[0]!.id).execute();
  const taken = await claimSmppItems(db, { userId: one, owner: 'n3', limit: 10, leaseMs: 60_000 });
  assert.deepEqual(payloads(taken), [4]);
  assert.equal(await markSmppDelivered(db, 'n2', [rest[0]!.id]), 0, 'the old holder lost it');

  assert.deepEqual(await smppOutboxCounts(db, one), { Pending: 2, Delivered: 1, Expired: 0 });
  assert.deepEqual(await smppOutboxCounts(db), { Pending: 3, Delivered: 1, Expired: 0 });
});

testOnBothDatabases('SMPP outbox: items past their expiry are not claimed and become expired, then pruned', async (db) => {
  const [one] = await twoUsers(db);
  const now = Date.now();
  await enqueueSmppItems(db, [item(one, 1, { expiresAt: now - 1 }), item(one, 2, { expiresAt: now - 1 }), item(one, 3)]);
  assert.deepEqual(payloads(await claimSmppItems(db, { userId: one, owner: 'n1', limit: 10, leaseMs: 60_000 })), [3], 'an expired item is never sent');
  // One expired item is leased (a sender may still hear back): it expires after its lease.
  await db.updateTable('smpp_outbox').set({ lease_owner: 'n9', lease_until: now + 60_000 }).where('message_id', '=', 2).execute();
  assert.equal(await expireSmppItems(db, now), 1);
  assert.equal(await expireSmppItems(db, now + 120_000), 1);
  assert.equal(await expireSmppItems(db, now + 120_000), 0, 'an item before its expiry stays pending');
  assert.deepEqual(await smppOutboxCounts(db, one), { Pending: 1, Delivered: 0, Expired: 2 });
  assert.equal(await markSmppDelivered(db, 'n9', [(await db.selectFrom('smpp_outbox').select('id').where('message_id', '=', 2).executeTakeFirstOrThrow()).id]), 0, 'an expired item stays expired');

  assert.equal(await pruneSmppOutbox(db, now), 2, 'expired items whose expiry passed are pruned');
  assert.deepEqual(await smppOutboxCounts(db, one), { Pending: 1, Delivered: 0, Expired: 0 });
});

testOnBothDatabases('SMPP outbox: concurrent claims never hand one item to two senders', async (db) => {
  const [one] = await twoUsers(db);
  await enqueueSmppItems(db, Array.from({ length: 300 }, (_, i) => item(one, i)));
  const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => claimSmppItems(db, { userId: one, owner: `n${i}`, limit: 80, leaseMs: 60_000 })));
  const ids = claims.flat().map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'no item twice');
  assert.equal(ids.length, 300);
});
