import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from './accounts.ts';
import { claimItems, enqueueItems, MsgType, setCallbackUrl } from './callbacks.ts';
import type { Db } from './db.ts';
import { applyReceipts, claimDue, recordOutcomes } from './messages.ts';
import { pruneReports, pullReports } from './reports.ts';
import { writeSessions } from './sessions.ts';
import { sendStatistics, DAY_MS } from './statistics.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const HOUR = 3600_000;


let seq = 0;
/** `n` messages of `accountId` taken through submit and a final receipt (codes cycle through `codes`). */
async function delivered(db: Db, accountId: number, n: number, codes = ['DELIVRD']) {
  const sessionNo = `S${++seq}`;
  await writeSessions(db, [
    {
      sessionNo,
      accountId,
      action: 'SendBatchUSMSMessage',
      reqUuid: 'r',
      messages: Array.from({ length: n }, (_, i) => ({
        phone: `1380000${String(i).padStart(4, '0')}`, e164: `+861380000${String(i).padStart(4, '0')}`, region: 'CN', templateId: 'UTA1',
        sender: 's', content: `${sessionNo}-${i}`, encoding: 'GSM7', segments: 2, userId: `u${i}`, extendCode: '',
      })),
    },
  ]);
  const claimed = (await claimDue(db, 'w', 10_000, 30_000, 'sandbox')).sort((x, y) => Number(x.id) - Number(y.id));
  await recordOutcomes(db, 'w', claimed.map((m) => ({ id: m.id, result: 'sent' as const, carrierMsgId: `c-${m.id}` })));
  const unmatched = await applyReceipts(db, 'sandbox', claimed.map((m, i) => ({ carrierMsgId: `c-${m.id}`, code: codes[i % codes.length]!, desc: 'd', at: Date.now() })));
  assert.equal(unmatched.length, 0);
  return sessionNo;
}

testOnBothDatabases('a final receipt makes one report; pulled reports are gone; accounts are separate', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b' })).AccountId;
  const session = await delivered(db, a, 5, ['DELIVRD', 'UNDELIV']);
  const first = await pullReports(db, a, 3, 72 * HOUR);
  assert.equal(first.length, 3);
  assert.deepEqual(first.map((r) => r.phone), ['13800000000', '13800000001', '13800000002']);
  assert.deepEqual(first.map((r) => r.status), ['delivered', 'undelivered', 'delivered']);
  assert.equal(first[0]!.session_no, session);
  assert.equal(first[0]!.segments, 2);
  assert.equal(first[0]!.user_id, 'u0');
  assert.equal(first[1]!.receipt_code, 'UNDELIV');
  assert.equal((await pullReports(db, b, 100, 72 * HOUR)).length, 0, 'another account sees none');
  const rest = await pullReports(db, a, 100, 72 * HOUR);
  assert.deepEqual(rest.map((r) => r.phone), ['13800000003', '13800000004']);
  assert.equal((await pullReports(db, a, 100, 72 * HOUR)).length, 0, 'pulled twice = gone');
  // No callback URL: nothing queued for pushing.
  assert.equal((await db.selectFrom('callback_items').select('id').execute()).length, 0);
});

testOnBothDatabases('concurrent pulls never return a report twice and together return all', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  await delivered(db, a, 60);
  const seen = new Set<number>();
  for (;;) {
    const rounds = await Promise.all([1, 2, 3, 4].map(() => pullReports(db, a, 7, 72 * HOUR)));
    if (rounds.every((r) => r.length === 0)) break;
    for (const r of rounds.flat()) {
      assert.equal(seen.has(r.message_id), false, `report of message ${r.message_id} pulled twice`);
      seen.add(r.message_id);
    }
  }
  assert.equal(seen.size, 60);
});

testOnBothDatabases('reports older than the retention are neither pulled nor kept', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  await delivered(db, a, 3);
  await db.updateTable('reports').set({ created_at: Date.now() - 73 * HOUR }).where('phone', '=', '13800000000').execute();
  assert.equal(await pruneReports(db, 72 * HOUR), 1);
  await db.updateTable('reports').set({ created_at: Date.now() - 73 * HOUR }).where('phone', '=', '13800000001').execute();
  const pulled = await pullReports(db, a, 100, 72 * HOUR);
  assert.deepEqual(pulled.map((r) => r.phone), ['13800000002']);
});

testOnBothDatabases('receipts of an account with a callback URL are queued as MsgType 2 pushes in the same transaction', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  const b = (await createAccount(db, box, { name: 'b' })).AccountId;
  await setCallbackUrl(db, a, 'http://127.0.0.1:9/cb');
  const session = await delivered(db, a, 2, ['DELIVRD', 'UNKNOWN']);
  await delivered(db, b, 2);
  const items = await db.selectFrom('callback_items').selectAll().orderBy('id').execute();
  assert.equal(items.length, 2);
  assert.ok(items.every((i) => Number(i.account_id) === a && Number(i.msg_type) === 2 && i.status === 'pending'));
  // The store's own record of the receipt; notify/payloads.ts makes the customer's item of it.
  const data = items.map((i) => JSON.parse(i.payload));
  assert.deepEqual(Object.keys(data[0]), ['session_no', 'phone', 'segments', 'receipt_at', 'status', 'receipt_code', 'receipt_desc', 'user_id']);
  assert.equal(data[0].session_no, session);
  assert.equal(data[0].status, 'delivered');
  assert.equal(data[1].status, 'unknown');
  assert.equal(data[1].segments, 2);
  assert.ok(Number.isSafeInteger(data[0].receipt_at) && Math.abs(data[0].receipt_at - Date.now()) < 60_000, 'unix ms');
});

testOnBothDatabases('statistics group by UTC day and region with outcome counts, in the database', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  await delivered(db, a, 4, ['DELIVRD', 'UNDELIV', 'EXPIRED', 'UNKNOWN']);
  const day = Math.floor(Date.now() / DAY_MS);
  // Move two messages to yesterday 23:59:59.999 UTC, one to another country.
  const ids = (await db.selectFrom('messages').select('id').orderBy('id').execute()).map((r) => Number(r.id));
  await db.updateTable('messages').set({ created_at: day * DAY_MS - 1 }).where('id', 'in', ids.slice(0, 2)).execute();
  await db.updateTable('messages').set({ region: 'HK' }).where('id', '=', ids[3]!).execute();
  const groups = await sendStatistics(db, { accountId: a, from: (day - 1) * DAY_MS, to: (day + 1) * DAY_MS, byTemplate: false });
  groups.sort((x, y) => x.day - y.day || x.region.localeCompare(y.region));
  assert.deepEqual(groups, [
    { day: day - 1, region: 'CN', templateId: '', count: 2, cost: 4, success: 1, successCost: 2, failed: 1, failedCost: 2, submitFailed: 0, submitFailedCost: 0, spend: 0 },
    { day, region: 'CN', templateId: '', count: 1, cost: 2, success: 0, successCost: 0, failed: 1, failedCost: 2, submitFailed: 0, submitFailedCost: 0, spend: 0 },
    { day, region: 'HK', templateId: '', count: 1, cost: 2, success: 0, successCost: 0, failed: 0, failedCost: 0, submitFailed: 0, submitFailedCost: 0, spend: 0 },
  ]);
  const domestic = await sendStatistics(db, { accountId: a, from: day * DAY_MS, to: (day + 1) * DAY_MS, domestic: true, byTemplate: true });
  assert.deepEqual(domestic.map((g) => [g.region, g.templateId, g.count]), [['CN', 'UTA1', 1]]);
  const other = (await createAccount(db, box, { name: 'b' })).AccountId;
  assert.deepEqual(await sendStatistics(db, { accountId: other, from: 0, to: (day + 1) * DAY_MS, byTemplate: false }), []);
});

testOnBothDatabases('push claims respect the limit and concurrent claimers take disjoint items', async (db) => {
  const a = (await createAccount(db, box, { name: 'a' })).AccountId;
  await enqueueItems(db, Array.from({ length: 40 }, (_, i) => ({ accountId: a, msgType: MsgType.Receipt, payload: `{"n":${i}}` })));
  const one = await claimItems(db, 'p0', a, MsgType.Receipt, 3, 60_000);
  assert.deepEqual(one.map((c) => c.payload), ['{"n":0}', '{"n":1}', '{"n":2}']);
  const seen = new Set(one.map((c) => c.id));
  for (;;) {
    const rounds = await Promise.all(['p1', 'p2', 'p3'].map((o) => claimItems(db, o, a, MsgType.Receipt, 5, 60_000)));
    if (rounds.every((r) => r.length === 0)) break;
    for (const r of rounds) {
      assert.ok(r.length <= 5);
      for (const c of r) {
        assert.equal(seen.has(c.id), false, `item ${c.id} claimed twice`);
        seen.add(c.id);
      }
    }
  }
  assert.equal(seen.size, 40);
  assert.equal((await claimItems(db, 'p4', a, MsgType.Reply, 5, 60_000)).length, 0, 'per MsgType');
});
