import assert from 'node:assert/strict';
import type { Db } from './db.ts';
import { applyReceipts, claimAsSent, claimDue, recordOutcomes, recoverExpiredLeases } from './messages.ts';
import { writeSessions } from './sessions.ts';
import { testOnBothDatabases } from '../../test/databases.ts';

const draft = (i: number) => ({
  phone: `1380000${String(i).padStart(4, '0')}`, e164: `+861380000${String(i).padStart(4, '0')}`, region: 'CN', templateId: 'UTA1',
  sender: 's', content: `m${i}`, encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
});

async function seed(db: Db, n: number) {
  await writeSessions(db, [{ sessionNo: 'S', accountId: 1, action: 'SendBatchUSMSMessage', reqUuid: 'r', messages: Array.from({ length: n }, (_, i) => draft(i)) }]);
}

const statuses = async (db: Db) =>
  Object.fromEntries((await db.selectFrom('messages').select(['content', 'status']).execute()).map((r) => [r.content, r.status]));


testOnBothDatabases('concurrent claims take disjoint rows and together take all', async (db) => {
  await seed(db, 300);
  const owners = ['w1', 'w2', 'w3', 'w4'];
  const seen = new Map<number, string>();
  for (;;) {
    const rounds = await Promise.all(owners.map((o) => claimDue(db, o, 25, 30_000, 'sandbox')));
    if (rounds.every((r) => r.length === 0)) break;
    rounds.forEach((rows, i) => {
      assert.ok(rows.length <= 25, `a claim of 25 returned ${rows.length}`);
      for (const r of rows) {
        assert.equal(seen.has(Number(r.id)), false, `message ${r.id} claimed twice`);
        seen.set(Number(r.id), owners[i]!);
      }
    });
  }
  assert.equal(seen.size, 300);
  const rows = await db.selectFrom('messages').select(['id', 'lease_owner', 'attempts', 'status']).execute();
  for (const r of rows) {
    assert.equal(r.status, 'sending');
    assert.equal(r.lease_owner, seen.get(Number(r.id)));
    assert.equal(r.attempts, 1);
  }
});

testOnBothDatabases('outcomes are fenced by the lease owner', async (db) => {
  await seed(db, 2);
  const [a, b] = await claimDue(db, 'owner', 10, 30_000, 'sandbox');
  assert.equal(await recordOutcomes(db, 'intruder', [{ id: a!.id, result: 'sent', carrierMsgId: 'x1' }]), 0);
  assert.equal(
    await recordOutcomes(db, 'owner', [
      { id: a!.id, result: 'sent', carrierMsgId: 'x1' },
      { id: b!.id, result: 'failed', code: 'ESME_RINVDSTADR', desc: 'bad address' },
    ]),
    2,
  );
  assert.deepEqual(await statuses(db), { m0: 'sent', m1: 'failed' });
  // a second record of the same outcome changes nothing: the lease is gone
  assert.equal(await recordOutcomes(db, 'owner', [{ id: a!.id, result: 'sent', carrierMsgId: 'x2' }]), 0);
});

testOnBothDatabases('a receipt that arrives before its submit outcome is reported unmatched, then matches', async (db) => {
  await seed(db, 1);
  const [m] = await claimDue(db, 'owner', 10, 30_000, 'sandbox');
  const receipt = { carrierMsgId: 'c-1', code: 'DELIVRD', desc: 'delivered', at: Date.now() };
  assert.deepEqual(await applyReceipts(db, 'sandbox', [receipt]), [receipt]);
  await recordOutcomes(db, 'owner', [{ id: m!.id, result: 'sent', carrierMsgId: 'c-1' }]);
  assert.deepEqual(await applyReceipts(db, 'sandbox', [receipt]), []);
  assert.deepEqual(await statuses(db), { m0: 'delivered' });
  const row = await db.selectFrom('messages').select(['receipt_code', 'receipt_at']).executeTakeFirstOrThrow();
  assert.equal(row.receipt_code, 'DELIVRD');
  assert.equal(row.receipt_at, receipt.at);
  // another carrier's id space is separate
  assert.equal((await applyReceipts(db, 'other', [receipt])).length, 1);
});

testOnBothDatabases('expired leases: requeued for at-least-once carriers, unknown otherwise', async (db) => {
  await seed(db, 2);
  await claimDue(db, 'dead', 1, -1, 'sandbox');
  await claimDue(db, 'dead', 1, -1, 'smsc');
  assert.deepEqual(await recoverExpiredLeases(db, ['sandbox']), { requeued: 1, unknown: 1 });
  assert.deepEqual(await statuses(db), { m0: 'queued', m1: 'unknown' });
});

testOnBothDatabases('a throttled retry gives its attempt back; an ordinary retry keeps it', async (db) => {
  await seed(db, 2);
  for (let round = 0; round < 3; round++) {
    const claimed = await claimDue(db, 'w', 10, 30_000, 'sandbox');
    assert.equal(claimed.length, 2);
    await recordOutcomes(db, 'w', [
      { id: claimed[0]!.id, result: 'retry', code: 'ESME_RTHROTTLED', desc: 'slow down', retryAt: 0, uncounted: true },
      { id: claimed[1]!.id, result: 'retry', code: 'SMPP_CLOSED', desc: 'not sent', retryAt: 0 },
    ]);
  }
  const rows = await db.selectFrom('messages').select(['content', 'attempts', 'status']).orderBy('content').execute();
  assert.deepEqual(rows.map((r) => [r.content, Number(r.attempts), r.status]), [['m0', 0, 'queued'], ['m1', 3, 'queued']]);
});

testOnBothDatabases('claimAsSent: concurrent claims take disjoint rows, each recorded as sent with its carrier id', async (db) => {
  await seed(db, 120);
  const seen = new Set<number>();
  for (;;) {
    const rounds = await Promise.all([1, 2, 3].map(() => claimAsSent(db, 25, 'sandbox', 'sb-')));
    if (rounds.every((r) => r.length === 0)) break;
    for (const m of rounds.flat()) {
      assert.equal(seen.has(m.id), false, `message ${m.id} claimed twice`);
      seen.add(m.id);
      assert.equal(m.carrierMsgId, `sb-${m.id}`);
    }
  }
  assert.equal(seen.size, 120);
  const rows = await db.selectFrom('messages').select(['id', 'status', 'carrier', 'carrier_msg_id', 'attempts', 'lease_owner', 'sent_at']).execute();
  for (const r of rows) {
    assert.deepEqual([r.status, r.carrier, r.carrier_msg_id, Number(r.attempts), r.lease_owner], ['sent', 'sandbox', `sb-${r.id}`, 1, null]);
    assert.ok(Number(r.sent_at) > 0);
  }
});

testOnBothDatabases('a batch of receipts with mixed outcomes: each message gets its own, the last one for a message wins, one report each', async (db) => {
  await seed(db, 5);
  const sent = await claimAsSent(db, 10, 'sandbox', 'sb-');
  const id = (i: number) => `sb-${sent[i]!.id}`;
  const at = Date.now();
  const unmatched = await applyReceipts(db, 'sandbox', [
    { carrierMsgId: id(0), code: 'DELIVRD', desc: 'ok', at },
    { carrierMsgId: id(1), code: 'UNDELIV', desc: 'no', at },
    { carrierMsgId: id(2), code: 'DELIVRD', desc: 'ok', at: at + 1 },
    { carrierMsgId: id(3), code: 'UNDELIV', desc: 'first', at },
    { carrierMsgId: id(3), code: 'EXPIRED', desc: 'then', at: at + 2 },
    { carrierMsgId: 'sb-nope', code: 'DELIVRD', desc: 'ok', at },
  ]);
  assert.deepEqual(unmatched.map((r) => r.carrierMsgId), ['sb-nope']);
  const rows = await db.selectFrom('messages').select(['content', 'status', 'receipt_code', 'receipt_desc', 'receipt_at']).orderBy('id').execute();
  assert.deepEqual(rows.map((r) => [r.content, r.status, r.receipt_code, r.receipt_desc, r.receipt_at === null ? null : Number(r.receipt_at) - at]), [
    ['m0', 'delivered', 'DELIVRD', 'ok', 0],
    ['m1', 'undelivered', 'UNDELIV', 'no', 0],
    ['m2', 'delivered', 'DELIVRD', 'ok', 1],
    ['m3', 'expired', 'EXPIRED', 'then', 2],
    ['m4', 'sent', null, null, null],
  ]);
  const reports = await db.selectFrom('reports').select(['message_id', 'status']).orderBy('message_id').execute();
  assert.deepEqual(reports.map((r) => [Number(r.message_id), r.status]), [
    [sent[0]!.id, 'delivered'], [sent[1]!.id, 'undelivered'], [sent[2]!.id, 'delivered'], [sent[3]!.id, 'expired'],
  ]);
});
