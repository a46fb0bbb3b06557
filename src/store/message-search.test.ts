import assert from 'node:assert/strict';
import { sqlitePlan, testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import { messageById, messageLogQuery, receiptPushesOf, type MessageQuery } from './message-search.ts';

const DAY = 86_400_000;

testOnBothDatabases('message log: every filter is an index range in the log order (SQLite plans)', async (db) => {
  if (isPostgres(db)) return; // PostgreSQL plans from its statistics
  const plan = (q: Omit<MessageQuery, 'limit'>) => sqlitePlan(db, messageLogQuery(db, { ...q, limit: 51 }));
  const after = { createdAt: 5, id: 9 };
  const cases: Array<[Omit<MessageQuery, 'limit'>, RegExp]> = [
    [{ accountId: 1, e164: '+8613800138000' }, /USING INDEX messages_e164_created \(e164=\?\)$/],
    [{ e164: '+8613800138000', from: 1, to: 9, status: 'failed', after }, /USING INDEX messages_e164_created \(e164=\? AND created_at>\? AND created_at<\?\)$/],
    [{ accountId: 1 }, /USING INDEX messages_account_created \(account_id=\?\)$/],
    [{ accountId: 1, from: 1, to: 9, userId: 'u', templateId: 't', status: 'queued' }, /USING INDEX messages_account_created \(account_id=\? AND created_at>\? AND created_at<\?\)$/],
    [{ accountId: 1, after }, /USING INDEX messages_account_created \(account_id=\? AND created_at<\?\)$/],
    [{ from: 1, to: 9 }, /USING INDEX messages_created \(created_at>\? AND created_at<\?\)$/],
    [{}, /SCAN messages USING INDEX messages_created$/],
    // A session is read whole and sorted: it is one request's messages.
    [{ accountId: 1, sessionNo: 'S1', e164: '+8613800138000', from: 1 }, /USING INDEX messages_session \(session_no=\?\) \| USE TEMP B-TREE FOR ORDER BY$/],
  ];
  for (const [q, expected] of cases) assert.match(await plan(q), expected, JSON.stringify(q));
});

async function item(db: Db, accountId: number, createdAt: number, data: Record<string, unknown>, msgType = 2): Promise<number> {
  const row = await db
    .insertInto('callback_items')
    .values({
      account_id: accountId, msg_type: msgType, payload: JSON.stringify(data), status: 'delivered', attempts: 1, next_attempt_at: createdAt,
      lease_owner: null, last_error: null, queued_at: createdAt, created_at: createdAt, updated_at: createdAt, delivered_at: createdAt + 10,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

testOnBothDatabases("receipt pushes: found among others' by the message's lifetime, without an index on the payload", async (db) => {
  const T = 1_800_000_000_000;
  const id = Number((await db.insertInto('messages').values({
    session_no: 'S-1', account_id: 7, phone: '13800138000', e164: '+8613800138000', region: 'CN', template_id: 'UTA1', sender: 'USMS', content: 'x',
    encoding: 'GSM7', segments: 1, user_id: 'u1', extend_code: '', status: 'delivered', attempts: 1, next_attempt_at: T, lease_owner: null, lease_until: null,
    carrier: 'smpp', carrier_msg_id: 'c1', receipt_code: 'DELIVRD', receipt_desc: '', receipt_at: T + 3_600_000, sent_at: T + 1000, created_at: T, updated_at: T + 3_600_000,
  }).returning('id').executeTakeFirstOrThrow()).id);
  const m = (await messageById(db, id))!;
  // The store's record (store/reports.ts), and the customer's item that versions before it stored.
  const mine = { session_no: 'S-1', phone: '13800138000', segments: 1, receipt_at: T + 3_600_000, status: 'delivered', receipt_code: 'DELIVRD', receipt_desc: '', user_id: 'u1' };
  const legacy = { SessionNo: 'S-1', Phone: '13800138000', CostCount: 1, ReceiptTime: (T + 600_000) / 1000, ReceiptResult: 'Unknow', ReceiptCode: '', ReceiptDesc: '', UserId: 'u1' };
  const want: number[] = [];
  // Thousands of items over two days, one every two minutes; the message's two pushes (an UNKNOWN queued before
  // the upgrade, then the late receipt) among them.
  for (let t = T - DAY; t < T + DAY; t += 120_000) {
    await item(db, 7, t, t % 240_000 ? { ...mine, session_no: `S-${t}` } : { ...legacy, SessionNo: `S-${t}` });
    if (t === T + 600_000) want.push(await item(db, 7, t + 1, legacy));
    if (t === T + 3_600_000) want.push(await item(db, 7, t + 1, mine));
    if (t === T + 1_200_000) {
      await item(db, 8, t, mine); // another account's
      await item(db, 8, t, legacy);
      await item(db, 7, t, { ...mine, phone: '13900139000' }); // another message of the session
      await item(db, 7, t, { ...legacy, Phone: '13900139000' });
      await item(db, 7, t, { ...mine, user_id: 'u2' });
      await item(db, 7, t, { ...legacy, UserId: 'u2' });
      await item(db, 7, t, { ...mine, session_no: 'S-10' }); // a session whose number starts with this one's
      await item(db, 7, t, mine, 0); // a reply push, not a receipt
    }
    if (t === T + 7_200_000) await item(db, 7, t, mine); // after the message's last change: another message's, sent later
  }
  // Gaps in the ids, as pruning leaves them.
  await db.deleteFrom('callback_items').where('created_at', '>', T + 1_000_000).where('created_at', '<', T + 1_100_000).execute();
  const found = await receiptPushesOf(db, m);
  assert.deepEqual(found.map((p) => p.id), want);
  assert.deepEqual(found.map((p) => p.payload), [JSON.stringify(legacy), JSON.stringify(mine)], 'the stored items, as they are');
  assert.equal(found[1]!.deliveredAt, T + 3_600_001 + 10);

  await db.deleteFrom('callback_items').execute();
  assert.deepEqual(await receiptPushesOf(db, m), [], 'no items at all');
});
