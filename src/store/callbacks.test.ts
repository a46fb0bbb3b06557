import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testOnBothDatabases } from '../../test/databases.ts';
import { dueGroups, enqueueItems, failedItems, MsgType, type MsgTypeValue, type PushGroup, type ReplyRecord } from './callbacks.ts';
import type { Db } from './db.ts';

const NOW = Date.now();

/** Accounts 1-5 with receipts pending; account 2 also replies. Account 3 and account 2's replies are backing off; account 4's items are all delivered. */
async function seed(db: Db): Promise<void> {
  const items: Array<{ accountId: number; msgType: MsgTypeValue; payload: string }> = [1, 2, 3, 4, 5]
    .flatMap((accountId) => Array.from({ length: 3 }, () => ({ accountId, msgType: MsgType.Receipt, payload: '{}' })));
  items.push({ accountId: 2, msgType: MsgType.Reply, payload: '{}' });
  await enqueueItems(db, items);
  await db.updateTable('callback_items').set({ next_attempt_at: NOW - 1000 }).execute();
  await db.updateTable('callback_items').set({ next_attempt_at: NOW + 60_000 }).where('account_id', '=', 3).execute();
  await db.updateTable('callback_items').set({ next_attempt_at: NOW + 60_000 }).where('account_id', '=', 2).where('msg_type', '=', MsgType.Reply).execute();
  await db.updateTable('callback_items').set({ status: 'delivered' }).where('account_id', '=', 4).execute();
}

const key = (g: PushGroup) => `${g.accountId}:${g.msgType}`;

testOnBothDatabases('due push groups: only due pending items count, in order, and a cursor takes every due group in turn', async (db) => {
  await seed(db);
  const all = await dueGroups(db, 100, { now: NOW });
  assert.deepEqual(all.groups.map(key), ['1:2', '2:2', '5:2']);
  assert.equal(all.next, undefined, 'every group was looked at');

  // Two at a time: the cursor goes on where the last call stopped and wraps around.
  const seen: string[] = [];
  let after: PushGroup | undefined;
  for (let i = 0; i < 4; i++) {
    const page = await dueGroups(db, 2, { now: NOW, after });
    seen.push(...page.groups.map(key));
    after = page.next;
  }
  assert.deepEqual(seen.slice(0, 3), ['1:2', '2:2', '5:2']);
  assert.ok(seen.slice(3).every((k) => ['1:2', '2:2', '5:2'].includes(k)));
  for (const k of ['1:2', '2:2', '5:2']) assert.ok(seen.includes(k));

  // Bounded work: at most maxSeeks index seeks, then it says where to go on.
  // Seeks: 1:2 (due), 2:0 (account 2's replies, backing off), 2:2 (due).
  const bounded = await dueGroups(db, 100, { now: NOW, maxSeeks: 3 });
  assert.deepEqual(bounded.groups.map(key), ['1:2', '2:2']);
  assert.deepEqual(bounded.next, { accountId: 2, msgType: MsgType.Receipt });
  const rest = await dueGroups(db, 100, { now: NOW, after: bounded.next });
  assert.deepEqual(rest.groups.map(key), ['5:2', '1:2', '2:2'], 'from after the cursor, round to it again');
});

testOnBothDatabases('due push groups are found by seeking the group index, not by reading every item of a group', async (db, postgres) => {
  if (postgres) return; // the plans below are SQLite's; PostgreSQL's planner decides by its statistics
  const plans = [
    sql<{ detail: string }>`explain query plan select account_id, msg_type, next_attempt_at from callback_items
      where status = 'pending' and account_id = 1 and msg_type > 0 order by msg_type, next_attempt_at limit 1`,
    sql<{ detail: string }>`explain query plan select account_id, msg_type, next_attempt_at from callback_items
      where status = 'pending' and account_id > 1 order by account_id, msg_type, next_attempt_at limit 1`,
  ];
  for (const plan of plans) {
    const details = (await plan.execute(db)).rows.map((r) => r.detail).join('; ');
    assert.match(details, /callback_items_pending_groups \(status=\? AND account_id[=>]\?/);
    assert.doesNotMatch(details, /TEMP B-TREE/);
  }
});

testOnBothDatabases('failed items hand back the stored record as it is, for the caller to render', async (db) => {
  const record: ReplyRecord = { phone: '+8613800138000', content: 'STOP "now"', extend_code: '12', user_id: 'u1', received_at: 1_767_322_245_999 };
  await enqueueItems(db, [{ accountId: 1, msgType: MsgType.Reply, payload: JSON.stringify(record) }]);
  await db.updateTable('callback_items').set({ status: 'failed', attempts: 12, last_error: 'HTTP 500' }).execute();
  const [failed, ...more] = await failedItems(db, 1, 10);
  assert.equal(more.length, 0);
  assert.deepEqual({ ...failed!, Id: 0, CreateTime: 0, FailedTime: 0 }, {
    Id: 0, MsgType: MsgType.Reply, Attempts: 12, LastError: 'HTTP 500', CreateTime: 0, FailedTime: 0, Payload: JSON.stringify(record),
  });
});
