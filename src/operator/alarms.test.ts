import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sqlitePlan, testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { isPostgres } from '../store/dialect.ts';
import { ledgerEntries, ledgerSum, moveMoney } from '../store/ledger.ts';
import { heldCountQuery, openAlarm } from '../store/pumping-alarms.ts';
import type { MessageStatus } from '../store/schema.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { dropAlarm, listAlarms, releaseAlarm } from './alarms.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind'], message?: RegExp) => (e: unknown) =>
  e instanceof OperatorError && e.kind === kind && (!message || message.test(e.message));

const CHARGE = 45_000;

async function message(db: Db, accountId: number, e164: string, status: MessageStatus, at = Date.now() - 60_000): Promise<number> {
  const row = await db.insertInto('messages').values({
    session_no: `S-${accountId}`, account_id: accountId, phone: e164, e164, region: 'GB', template_id: 'T', sender: 'USMS', content: 'x',
    encoding: 'GSM7', segments: 1, user_id: 'u', extend_code: '', status, attempts: 0, next_attempt_at: at, lease_owner: null,
    lease_until: null, carrier: null, carrier_msg_id: null, receipt_code: null, receipt_desc: null, receipt_at: null, sent_at: null,
    created_at: at, updated_at: at, charge: CHARGE,
  }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

const statusOf = async (db: Db, id: number) =>
  db.selectFrom('messages').select(['status', 'receipt_code', 'receipt_desc', 'next_attempt_at', 'refunded']).where('id', '=', id).executeTakeFirstOrThrow();

async function scene(db: Db) {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  const b = await createAccount(op, { Name: 'other' });
  const range = '+44770090';
  const held = [await message(db, a.AccountId, '+447700900001', 'held'), await message(db, a.AccountId, '+447700909999', 'held')];
  const elsewhere = await message(db, a.AccountId, '+447700910000', 'held'); // the next range
  const queued = await message(db, a.AccountId, '+447700900002', 'queued');
  const others = await message(db, b.AccountId, '+447700900003', 'held');
  const alarm = await openAlarm(db, a.AccountId, range, 'more than 10 distinct numbers');
  const otherAlarm = await openAlarm(db, b.AccountId, range, 'more than 10 distinct numbers');
  return { op, a, b, held, elsewhere, queued, others, alarm: alarm.id, otherAlarm: otherAlarm.id };
}

testOnBothDatabases('alarms: operators list every account\'s, customers their own; held counts shown', async (db) => {
  const s = await scene(db);
  const all = await listAlarms(s.op);
  assert.deepEqual(all.Alarms.map((x) => [x.AlarmId, x.AccountId, x.Range, x.Status, x.Held]), [
    [s.otherAlarm, s.b.AccountId, '+44770090', 'open', 1],
    [s.alarm, s.a.AccountId, '+44770090', 'open', 2],
  ]);
  assert.equal(all.Next, null);
  assert.deepEqual((await listAlarms(s.op, { AccountId: s.a.AccountId })).Alarms.map((x) => x.AlarmId), [s.alarm]);
  assert.deepEqual((await listAlarms(s.op, { Limit: 1 })).Next, s.otherAlarm);
  assert.deepEqual((await listAlarms(s.op, { Before: s.otherAlarm })).Alarms.map((x) => x.AlarmId), [s.alarm]);
  assert.deepEqual((await listAlarms(s.op, { Status: 'released' })).Alarms, []);
  await assert.rejects(listAlarms(s.op, { Status: 'closed' }), refused('bad-input'));
  const mine = await listAlarms(as(db, user(s.a.AccountId, 'viewer')));
  assert.deepEqual(mine.Alarms.map((x) => x.AlarmId), [s.alarm]);
  await assert.rejects(listAlarms(as(db, user(s.a.AccountId, 'viewer')), { AccountId: s.b.AccountId }), refused('not-found'));
  // Held messages are read through the partial index, the range as its e164 bounds.
  if (!isPostgres(db)) assert.match(await sqlitePlan(db, heldCountQuery(db, s.a.AccountId, '+44770090')), /USING (COVERING )?INDEX messages_held \(account_id=\? AND e164>\? AND e164<\?\)/);
});

testOnBothDatabases('alarms: release queues the range\'s held messages now and closes the alarm; operators only', async (db) => {
  const s = await scene(db);
  await assert.rejects(releaseAlarm(as(db, user(s.a.AccountId, 'admin')), s.alarm), refused('forbidden'));
  await assert.rejects(releaseAlarm(s.op, 99_999), refused('not-found'));
  await assert.rejects(releaseAlarm(s.op, 'x'), refused('bad-input'));
  const before = Date.now();
  const r = await releaseAlarm(s.op, s.alarm);
  assert.equal(r.Messages, 2);
  assert.equal(r.Alarm.Status, 'released');
  assert.equal(r.Alarm.ClosedBy, 'cli');
  assert.equal(r.Alarm.Held, 0);
  for (const id of s.held) {
    const m = await statusOf(db, id);
    assert.equal(m.status, 'queued');
    assert.ok(Number(m.next_attempt_at) >= before, 'due now');
  }
  assert.equal((await statusOf(db, s.elsewhere)).status, 'held', 'another range stays held');
  assert.equal((await statusOf(db, s.others)).status, 'held', "another account's stays held");
  const [entry] = await auditPage(db, { accountId: s.a.AccountId, limit: 1 });
  assert.deepEqual([entry!.Action, entry!.Target, entry!.Detail], ['alarm.release', String(s.alarm), { Range: '+44770090', Messages: 2 }]);

  // A message stored held after the release (a request that read the alarm as open): releasing again takes it.
  const late = await message(db, s.a.AccountId, '+447700900005', 'held');
  assert.equal((await listAlarms(s.op, { Status: 'released' })).Alarms[0]!.Held, 1, 'shown on the released alarm');
  assert.equal((await releaseAlarm(s.op, s.alarm)).Messages, 1);
  assert.equal((await statusOf(db, late)).status, 'queued');
  await assert.rejects(dropAlarm(s.op, s.alarm), refused('conflict', /already released/));
});

testOnBothDatabases('alarms: drop fails the held messages (HELD), refunds them once and reports them', async (db) => {
  const s = await scene(db);
  await moveMoney(db, { accountId: s.a.AccountId, kind: 'topup', amount: 1_000_000, note: '', actor: 'cli' });
  await assert.rejects(dropAlarm(as(db, user(s.a.AccountId, 'viewer')), s.alarm), refused('forbidden'));
  await assert.rejects(dropAlarm(as(db, user(s.b.AccountId, 'developer')), s.alarm), refused('not-found'));
  const r = await dropAlarm(as(db, user(s.a.AccountId, 'developer')), s.alarm);
  assert.equal(r.Messages, 2);
  assert.equal(r.Alarm.Status, 'dropped');
  assert.equal(r.Alarm.ClosedBy, 'developer@example.com');
  for (const id of s.held) {
    const m = await statusOf(db, id);
    assert.deepEqual([m.status, m.receipt_code, m.receipt_desc, Number(m.refunded)], ['failed', 'HELD', `dropped by the operator (pumping alarm ${s.alarm})`, 1]);
  }
  assert.equal((await statusOf(db, s.queued)).status, 'queued');
  const balance = Number((await db.selectFrom('accounts').select('balance').where('id', '=', s.a.AccountId).executeTakeFirstOrThrow()).balance);
  assert.equal(balance, 1_000_000 + 2 * CHARGE);
  assert.equal(await ledgerSum(db, s.a.AccountId), balance);
  const refunds = (await ledgerEntries(db, { accountId: s.a.AccountId, limit: 10 })).filter((e) => e.kind === 'refund');
  assert.equal(refunds.length, 1);
  const reports = await db.selectFrom('reports').select(['message_id', 'status', 'receipt_code']).where('account_id', '=', s.a.AccountId).orderBy('message_id').execute();
  assert.deepEqual(reports.map((x) => [Number(x.message_id), x.status, x.receipt_code]), s.held.map((id) => [id, 'failed', 'HELD']));

  // Dropping again changes nothing more: no second refund.
  assert.equal((await dropAlarm(s.op, s.alarm)).Messages, 0);
  assert.equal(await ledgerSum(db, s.a.AccountId), balance);
  await assert.rejects(releaseAlarm(s.op, s.alarm), refused('conflict', /already dropped/));
  assert.equal((await listAlarms(s.op, { AccountId: s.b.AccountId })).Alarms[0]!.Status, 'open', "the other account's alarm is its own");
});
