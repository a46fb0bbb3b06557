import assert from 'node:assert/strict';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from '../store/db.ts';
import { setAccountLimits } from '../store/account-limits.ts';
import { closeAlarm, listAlarms } from '../store/pumping-alarms.ts';
import type { MessageStatus } from '../store/schema.ts';
import { SendPolicy, type PolicyItem, type PolicyVerdict } from './send-policy.ts';

const NOW = Date.now();

async function setup(db: Db) {
  for (const id of [1, 2]) {
    await db.insertInto('accounts').values({ id, project_id: `p-${id}`, name: `a${id}`, region: 'GB', status: 'active', created_at: NOW }).execute();
  }
  for (const [id, accountId, purpose] of [['CODE', 1, 1], ['NOTE', 1, 2], ['CODE2', 2, 1]] as const) {
    await db.insertInto('templates').values({
      id, account_id: accountId, name: id, content: 'x {1}', purpose, status: 2, param_count: 1, reason: '', created_at: NOW, updated_at: NOW,
    }).execute();
  }
}

/** What the send path does with the verdicts: stores the accepted targets (held ones as 'held'). */
async function store(db: Db, accountId: number, templateId: string, items: PolicyItem[], verdicts: PolicyVerdict[], at = Date.now()) {
  for (let i = 0; i < items.length; i++) {
    const v = verdicts[i]!;
    if (!v.ok) continue;
    const status: MessageStatus = v.held ? 'held' : 'queued';
    await db.insertInto('messages').values({
      session_no: 'S', account_id: accountId, phone: items[i]!.e164, e164: items[i]!.e164, region: items[i]!.region, template_id: templateId,
      sender: 'USMS', content: 'x', encoding: 'GSM7', segments: 1, user_id: '', extend_code: '', status, attempts: 0, next_attempt_at: at,
      lease_owner: null, lease_until: null, carrier: null, carrier_msg_id: null, receipt_code: null, receipt_desc: null, receipt_at: null,
      sent_at: null, created_at: at, updated_at: at,
    }).execute();
  }
}

const code = (e164: string, region = 'GB'): PolicyItem => ({ e164, region, purpose: 1 });
const note = (e164: string, region = 'GB'): PolicyItem => ({ e164, region, purpose: 2 });
const summary = (vs: PolicyVerdict[]) => vs.map((v) => (!v.ok ? `refused: ${v.reason}` : v.held ? 'held' : 'ok'));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

testOnBothDatabases('send policy: per-phone limits count the database and the request; the rest of the batch goes', async (db) => {
  await setup(db);
  const policy = new SendPolicy(db);
  const a = '+447700900001';
  const b = '+447700900002';
  // The defaults: 1 a minute to one phone. The second code in one request is refused, another phone's goes.
  let items = [code(a), code(a), code(b), note(a), note(a)];
  let v = await policy.check(1, items);
  assert.deepEqual(summary(v), ['ok', 'refused: send limit reached: at most 1 verification codes to one phone in 1m', 'ok', 'ok', 'ok']);
  await store(db, 1, 'CODE', items.slice(0, 3), v);
  assert.deepEqual(summary(await policy.check(1, [code(a)])), ['refused: send limit reached: at most 1 verification codes to one phone in 1m']);
  assert.deepEqual(summary(await policy.check(2, [code(a)])), ['ok'], "another account's messages do not count");

  // 5 an hour, the minute limit off: the sixth is refused, earlier messages an hour ago and more do not count.
  await setAccountLimits(db, 1, { sendLimits: '{"1":{"perPhone":["5/1h"]}}' });
  const fresh = new SendPolicy(db);
  const c = '+447700900003';
  await store(db, 1, 'CODE', [code(c)], [{ ok: true }], NOW - 2 * 3_600_000);
  await store(db, 1, 'CODE', [code(c), code(c)], [{ ok: true }, { ok: true, held: true }], NOW - 30 * 60_000);
  items = [code(c), code(c), code(c), code(c), code(b)];
  v = await fresh.check(1, items);
  assert.deepEqual(summary(v), ['ok', 'ok', 'ok', 'refused: send limit reached: at most 5 verification codes to one phone in 1h', 'ok']);
  await store(db, 1, 'CODE', items, v);
  assert.equal((await fresh.check(1, [code(c)]))[0]!.ok, false, 'held messages count too');
  assert.equal((await fresh.check(1, [note(c)]))[0]!.ok, true, 'notifications have no limit by default');

  // Settings are cached for at most a second.
  await setAccountLimits(db, 1, { sendLimits: '{"1":{"perPhone":[]}}' });
  assert.equal((await fresh.check(1, [code(c)]))[0]!.ok, false, 'still the cached limits');
  await wait(1_100);
  assert.equal((await fresh.check(1, [code(c)]))[0]!.ok, true, 'the new limits within a second');
});

testOnBothDatabases('send policy: the country allow-list refuses other countries; unset allows all', async (db) => {
  await setup(db);
  assert.deepEqual(summary(await new SendPolicy(db).check(1, [note('+12025550100', 'US')])), ['ok']);
  await setAccountLimits(db, 1, { allowedRegions: 'GB,CN' });
  const policy = new SendPolicy(db);
  const v = await policy.check(1, [note('+12025550100', 'US'), note('+447700900001'), code('+8613800138000', 'CN')]);
  assert.deepEqual(summary(v), ['refused: country US is not enabled for this account', 'ok', 'ok']);
  assert.deepEqual(summary(await policy.check(2, [note('+12025550100', 'US')])), ['ok'], 'per account');
});

testOnBothDatabases('send policy: a burst to one range is held and opens one alarm; a release lets the range count afresh', async (db) => {
  await setup(db);
  const warnings: unknown[] = [];
  const policy = new SendPolicy(db, { warn: (o: unknown) => void warnings.push(o) } as never);
  const range = (n: number) => `+44770090${String(n).padStart(4, '0')}`;
  // Eight phones stored earlier, then a request for five more: the ninth and tenth pass, the rest is held.
  const before = Array.from({ length: 8 }, (_, i) => code(range(i)));
  await store(db, 1, 'CODE', before, before.map(() => ({ ok: true })), NOW - 5 * 60_000);
  await store(db, 1, 'CODE', [code(range(50))], [{ ok: true }], NOW - 11 * 60_000); // outside the 10 minutes
  const items = [code(range(8)), code(range(0)), code(range(9)), code(range(10)), code(range(11)), note(range(12)), code('+447700800000')];
  const v = await policy.check(1, items);
  assert.deepEqual(summary(v), ['ok', 'ok', 'ok', 'held', 'held', 'held', 'ok']);
  await store(db, 1, 'CODE', items, v);
  let alarms = await listAlarms(db, { accountId: 1, limit: 10 });
  assert.equal(alarms.length, 1);
  assert.equal(alarms[0]!.rangePrefix, '+44770090');
  assert.equal(alarms[0]!.status, 'open');
  assert.match(alarms[0]!.detail, /more than 10 distinct numbers of \+44770090 in 10m for verification codes/);
  assert.equal(warnings.length, 1);

  // Later targets to the range are held, known phones too, on this node and on another (a fresh cache).
  assert.deepEqual(summary(await policy.check(1, [code(range(0))])), ['refused: send limit reached: at most 1 verification codes to one phone in 1m']);
  assert.deepEqual(summary(await new SendPolicy(db).check(1, [code(range(30)), note(range(0))])), ['held', 'held']);
  const other = new SendPolicy(db);
  const again = [code(range(31))];
  const v2 = await other.check(1, again);
  assert.deepEqual(summary(v2), ['held']);
  assert.equal((await listAlarms(db, { accountId: 1, limit: 10 })).length, 1, 'opened once');
  assert.deepEqual(summary(await other.check(2, [code(range(32))])), ['ok'], "another account's range is its own");

  // Released: the range counts from the release, so the next phones go.
  const closed = await closeAlarm(db, alarms[0]!.id, 'released', 'ops@example.com');
  assert.ok(closed.ok);
  await wait(1_100);
  assert.deepEqual(summary(await policy.check(1, [code(range(40)), code(range(41))])), ['ok', 'ok']);
  alarms = await listAlarms(db, { accountId: 1, limit: 10 });
  assert.deepEqual(alarms.map((a) => a.status), ['released']);

  // Off for the purpose: no burst at all.
  await setAccountLimits(db, 2, { sendLimits: '{"1":{"rangeBurst":null,"perPhone":[]}}' });
  const many = Array.from({ length: 30 }, (_, i) => code(`+44770070${String(i).padStart(4, '0')}`));
  assert.ok((await new SendPolicy(db).check(2, many)).every((x) => x.ok && !x.held));
});
