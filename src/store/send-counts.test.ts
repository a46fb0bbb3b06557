import assert from 'node:assert/strict';
import { sqlitePlan, testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import type { MessageStatus } from './schema.ts';
import { phoneCounts, phoneCountsQuery, rangePhones, rangePhonesQuery } from './send-counts.ts';

const T = 1_800_000_000_000;
const MIN = 60_000;

async function template(db: Db, accountId: number, id: string, purpose: number) {
  await db.insertInto('templates').values({
    id, account_id: accountId, name: id, content: 'code {1}', purpose, status: 2, param_count: 1, reason: '', created_at: T, updated_at: T,
  }).execute();
}

async function message(db: Db, accountId: number, templateId: string, e164: string, createdAt: number, status: MessageStatus = 'queued') {
  await db.insertInto('messages').values({
    session_no: 'S', account_id: accountId, phone: e164, e164, region: 'GB', template_id: templateId, sender: 'USMS', content: 'x',
    encoding: 'GSM7', segments: 1, user_id: '', extend_code: '', status, attempts: 0, next_attempt_at: createdAt, lease_owner: null,
    lease_until: null, carrier: null, carrier_msg_id: null, receipt_code: null, receipt_desc: null, receipt_at: null, sent_at: null,
    created_at: createdAt, updated_at: createdAt,
  }).execute();
}

testOnBothDatabases('send counts: an account\'s messages to a phone since each time, by purpose; held ones count', async (db) => {
  for (const [id, acc] of [[1, 'a'], [2, 'b']] as const) {
    await db.insertInto('accounts').values({ id, project_id: `p-${acc}`, name: acc, region: 'GB', status: 'active', created_at: T }).execute();
  }
  await template(db, 1, 'CODE', 1);
  await template(db, 1, 'NOTE', 2);
  await template(db, 2, 'OTHER', 1);
  const p = '+447911123456';
  await message(db, 1, 'CODE', p, T - 30 * MIN, 'delivered');
  await message(db, 1, 'CODE', p, T - 5 * MIN, 'held');
  await message(db, 1, 'CODE', p, T - 30_000, 'failed');
  await message(db, 1, 'CODE', p, T - 2 * 60 * MIN); // outside the hour
  await message(db, 1, 'NOTE', p, T - MIN);
  await message(db, 2, 'OTHER', p, T - MIN); // another account's
  await message(db, 1, 'CODE', '+447911123457', T - 2 * MIN);
  const since = [T - MIN, T - 60 * MIN, T - 24 * 60 * MIN];
  const counts = await phoneCounts(db, 1, [p, p, '+447911123457', '+447900000000'], [1, 2], since);
  assert.deepEqual(counts.get(p)?.get(1), [1, 3, 4]);
  assert.deepEqual(counts.get(p)?.get(2), [1, 1, 1]);
  assert.deepEqual(counts.get('+447911123457')?.get(1), [0, 1, 1]);
  assert.equal(counts.get('+447900000000'), undefined, 'never sent to');
  assert.equal((await phoneCounts(db, 1, [p], [1], since)).get(p)?.get(2), undefined, 'only the purposes asked for');
  assert.deepEqual((await phoneCounts(db, 2, [p], [1], since)).get(p)?.get(1), [1, 1, 1]);

  // A range: distinct phones since a time, one purpose, the account's only, bounded.
  await message(db, 1, 'CODE', '+447911120000', T - MIN);
  await message(db, 1, 'CODE', '+447911129999', T - MIN);
  await message(db, 1, 'CODE', '+447911130000', T - MIN); // next range
  await message(db, 2, 'OTHER', '+447911125555', T - MIN);
  const q = { prefix: '+44791112', upper: '+44791113', purpose: 1, since: T - 10 * MIN, limit: 100 };
  assert.deepEqual((await rangePhones(db, 1, q)).sort(), ['+447911120000', '+447911123456', '+447911123457', '+447911129999']);
  assert.deepEqual((await rangePhones(db, 1, { ...q, since: T - 90_000 })).sort(), ['+447911120000', '+447911123456', '+447911129999']);
  assert.equal((await rangePhones(db, 1, { ...q, limit: 2 })).length, 2);
  assert.deepEqual(await rangePhones(db, 1, { ...q, purpose: 2 }), ['+447911123456']);
  assert.deepEqual(await rangePhones(db, 1, { ...q, purpose: 3 }), []);
  assert.deepEqual((await rangePhones(db, 2, q)).sort(), ['+447911123456', '+447911125555']);
  assert.deepEqual((await rangePhones(db, 1, { ...q, prefix: '+4479999', upper: undefined })), []);

  if (isPostgres(db)) return; // PostgreSQL plans from its statistics
  assert.match(await sqlitePlan(db, phoneCountsQuery(db, 1, [p, '+447911123457'], [1], since)), /SEARCH messages USING INDEX messages_e164_created \(e164=\? AND created_at>\?\)/);
  assert.match(await sqlitePlan(db, rangePhonesQuery(db, 1, q)), /SEARCH messages USING INDEX messages_e164_created \(e164>\? AND e164<\?\)/);
});
