import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../store/db.ts';
import { applyReceipts, claimAsSent, type Receipt } from '../store/messages.ts';
import { writeSessions } from '../store/sessions.ts';
import { sentWithoutReceiptPage } from '../store/sent-pages.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { elementsCopied } from '../../test/element-copies.ts';
import { SandboxCarrier, type OwedReceipts } from './sandbox.ts';

/** What the delivery loop hands the sandbox: its messages still owed a receipt. */
const owedIn = (db: Db): OwedReceipts => (limit, after, sentBefore) => sentWithoutReceiptPage(db, 'sandbox', limit, after, sentBefore);
const receiptsTo = (receipts: (r: Receipt[]) => Promise<void>) => ({ receipts, inbound: async () => {} });
const nothingOwed: OwedReceipts = async () => ({ rows: [] });

const message = (id: number) => ({ id, e164: `+86138000${String(id).padStart(5, '0')}`, region: 'CN', sender: 's', content: 'x', encoding: 'GSM7', segments: 1, extendCode: '', attempts: 1, priorParts: [] });
const config = { receiptDelayMs: 10, rules: [{ suffix: '0000', outcome: 'UNDELIV' }, { suffix: '0001', outcome: 'none' }] };

test('carrier ids are the message ids (unique on the database however many nodes run a sandbox)', async () => {
  const a = new SandboxCarrier(nothingOwed, config);
  const b = new SandboxCarrier(nothingOwed, config);
  const [ra] = await Promise.all(await a.submit([message(2)]));
  const [rb] = await Promise.all(await b.submit([message(3)]));
  assert.deepEqual([ra, rb], [{ ok: true, carrierMsgId: 'sb-2' }, { ok: true, carrierMsgId: 'sb-3' }]);
  assert.equal(a.acceptsAll.idPrefix, 'sb-');
});

test('accepted messages get their receipts after the delay, by the suffix rules', async () => {
  const s = new SandboxCarrier(nothingOwed, config);
  const got: Array<{ carrierMsgId: string; code: string }> = [];
  // start() would read the receipts still owed from the database; this test drives release() directly.
  (s as unknown as { emit: (r: Array<{ carrierMsgId: string; code: string }>) => void }).emit = (r) => got.push(...r);
  const before = Date.now();
  s.acceptsAll.accepted([
    { id: 10, e164: '+8613800000002', carrierMsgId: 'sb-10' },
    { id: 11, e164: '+8613800000000', carrierMsgId: 'sb-11' },
    { id: 12, e164: '+8613800000001', carrierMsgId: 'sb-12' },
  ]);
  const release = (now: number) => (s as unknown as { release: (now: number) => void }).release(now);
  release(before);
  assert.equal(got.length, 0, 'nothing before the delay');
  release(before + config.receiptDelayMs + 50);
  assert.deepEqual(got.map((r) => [r.carrierMsgId, r.code]), [['sb-10', 'DELIVRD'], ['sb-11', 'UNDELIV']]);
});

test('suffix rules pick the outcome; no rule means DELIVRD', () => {
  const s = new SandboxCarrier(nothingOwed, config);
  assert.equal(s.outcomeFor('+8613800000000'), 'UNDELIV');
  assert.equal(s.outcomeFor('+8613800000001'), undefined);
  assert.equal(s.outcomeFor('+8613800000002'), 'DELIVRD');
});

testOnBothDatabases('a dead node\'s sent messages get their receipts from another node\'s sandbox', async (db) => {
  await writeSessions(db, [{
    sessionNo: 'S', accountId: 1, action: 'SendBatchUSMSMessage', reqUuid: 'r',
    messages: ['+8613800000002', '+8613800000000', '+8613800000001'].map((e164, i) => ({
      phone: e164, e164, region: 'CN', templateId: 'T', sender: 's', content: `m${i}`, encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
    })),
  }]);
  const got: Receipt[] = [];
  const survivor = new SandboxCarrier(owedIn(db), config, { orphanAfterMs: 600 });
  // As the runtime does: the receipts are stored.
  await survivor.start(receiptsTo(async (r) => {
    got.push(...r);
    await applyReceipts(db, 'sandbox', r);
  }));
  try {
    // Node A claims and records them as sent, then dies before it issues any receipt.
    const sent = await claimAsSent(db, 10, 'sandbox', 'sb-');
    assert.equal(sent.length, 3);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(got.length, 0, 'not orphaned yet: their node may still issue them');
    const deadline = Date.now() + 5_000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const byId = new Map(sent.map((m) => [m.carrierMsgId, m.e164]));
    assert.deepEqual(got.map((r) => [byId.get(r.carrierMsgId), r.code]).sort(), [['+8613800000000', 'UNDELIV'], ['+8613800000002', 'DELIVRD']]);
    // Stored, so never issued again, however many sweeps run; '0001' gets no receipt by the rules.
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(got.length, 2);
    const rows = await db.selectFrom('messages').select(['e164', 'status']).orderBy('e164').execute();
    assert.deepEqual(rows.map((r) => [r.e164, r.status]), [['+8613800000000', 'undelivered'], ['+8613800000001', 'sent'], ['+8613800000002', 'delivered']]);
  } finally {
    await survivor.stop();
  }
});

test('releasing a large backlog in many steps copies each receipt a bounded number of times', () => {
  const s = new SandboxCarrier(nothingOwed, config, { maxHeld: 100_000 });
  let got = 0;
  (s as unknown as { emit: (r: unknown[]) => void }).emit = (r) => (got += r.length);
  const realNow = Date.now;
  const t0 = realNow();
  try {
    // 20,000 receipts accepted 1 ms apart in steps of 200, so they fall due in 100 steps.
    for (let step = 0; step < 100; step++) {
      Date.now = () => t0 + step;
      s.acceptsAll.accepted(Array.from({ length: 200 }, (_, i) => ({ id: step * 200 + i, e164: '+8613800000002', carrierMsgId: `sb-${step * 200 + i}` })));
    }
  } finally {
    Date.now = realNow;
  }
  const release = (now: number) => (s as unknown as { release: (now: number) => void }).release(now);
  const copied = elementsCopied(() => {
    for (let step = 0; step < 100; step++) release(t0 + step + config.receiptDelayMs);
  });
  assert.equal(got, 20_000);
  // Each receipt is copied into its batch and once more at most (a spread copy of the receipt is no array copy).
  assert.ok(copied <= 3 * 20_000, `${copied} element copies to release 20,000 receipts`);
});

testOnBothDatabases('a backlog larger than the sandbox may hold is read back in pages, each receipt issued once', async (db) => {
  const numbers = Array.from({ length: 50 }, (_, i) => `+86138000${String(i + 2).padStart(5, '0')}`);
  await writeSessions(db, [{
    sessionNo: 'S', accountId: 1, action: 'SendBatchUSMSMessage', reqUuid: 'r',
    messages: numbers.map((e164, i) => ({
      phone: e164, e164, region: 'CN', templateId: 'T', sender: 's', content: `m${i}`, encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
    })),
  }]);
  // 30 sent by a previous life of this node: owed at start.
  assert.equal((await claimAsSent(db, 30, 'sandbox', 'sb-')).length, 30);
  const issued: string[] = [];
  let outstanding = 0;
  let most = 0;
  const s = new SandboxCarrier(owedIn(db), config, { orphanAfterMs: 60_000, maxHeld: 8, pageSize: 3 });
  await s.start(receiptsTo(async (r) => {
    issued.push(...r.map((x) => x.carrierMsgId));
    outstanding += r.length;
    most = Math.max(most, outstanding);
    await new Promise((done) => setTimeout(done, 5));
    await applyReceipts(db, 'sandbox', r);
    outstanding -= r.length;
  }));
  try {
    // 20 more accepted while it holds its fill: the rest are left to the database and read back.
    s.acceptsAll.accepted(await claimAsSent(db, 20, 'sandbox', 'sb-'));
    const deadline = Date.now() + 10_000;
    while (issued.length < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(new Set(issued).size, 50, 'every receipt issued');
    assert.equal(issued.length, 50, 'none issued twice');
    assert.ok(most <= 8, `${most} receipts handed over at once`);
    const open = await db.selectFrom('messages').select('id').where('status', '=', 'sent').execute();
    assert.equal(open.length, 0);
  } finally {
    await s.stop();
  }
});
