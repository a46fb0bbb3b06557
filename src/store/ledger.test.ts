import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from './accounts.ts';
import { setCallbackUrl } from './callbacks.ts';
import type { Db } from './db.ts';
import { recordOutcomes } from './messages.ts';
import { ledgerEntries, ledgerSum, moveMoney } from './ledger.ts';
import { setPrices } from './prices.ts';
import { InsufficientBalance, SessionWriter, writeUnits, type NewSession } from './sessions.ts';
import { findIdempotencyRecord, type IdempotencyRecord } from './idempotency.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
let seq = 0;
const session = (accountId: number, charges: number[]): NewSession => ({
  sessionNo: `s${++seq}`,
  accountId,
  action: 'SendBatchUSMSMessage',
  reqUuid: 'r',
  messages: charges.map((charge, i) => ({
    phone: `1380000${i}`, e164: `+861380000${i}`, region: 'CN', templateId: 'UT1', sender: 's', content: 'hi', encoding: 'GSM7',
    segments: 1, userId: '', extendCode: '', charge,
  })),
});

const balanceOf = async (db: Db, id: number) => Number((await db.selectFrom('accounts').select('balance').where('id', '=', id).executeTakeFirstOrThrow()).balance);
const modeOf = async (db: Db, id: number) => (await db.selectFrom('accounts').select('billing_mode').where('id', '=', id).executeTakeFirstOrThrow()).billing_mode;
const messageCount = async (db: Db, id: number) => Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', id).executeTakeFirstOrThrow()).n);

async function billedAccount(db: Db, mode: 'prepaid' | 'postpaid', balance: number, credit: number | null = null) {
  const id = (await createAccount(db, box, { name: 'a' })).AccountId;
  await db.updateTable('accounts').set({ billing_mode: mode, credit_limit: credit }).where('id', '=', id).execute();
  if (balance) await moveMoney(db, { accountId: id, kind: 'topup', amount: balance, note: '', actor: 'test' });
  return id;
}

testOnBothDatabases('the first price turns billing on: free accounts become postpaid without a limit, new ones prepaid', async (db) => {
  const before = (await createAccount(db, box, { name: 'old' })).AccountId;
  assert.equal(await modeOf(db, before), 'free');
  assert.deepEqual(await setPrices(db, 0, [{ prefix: '86', price: 45_000 }], 'CNY'), { billingTurnedOn: true, currency: 'CNY' });
  assert.equal(await modeOf(db, before), 'postpaid');
  const after = (await createAccount(db, box, { name: 'new' })).AccountId;
  assert.equal(await modeOf(db, after), 'prepaid');
  assert.equal(await balanceOf(db, after), 0);
  assert.deepEqual(await setPrices(db, 0, [{ prefix: '1', price: 10_000 }]), { billingTurnedOn: false, currency: 'CNY' });
  await assert.rejects(setPrices(db, 0, [{ prefix: '1', price: 1 }], 'USD'), /currency is CNY/);
});

testOnBothDatabases('a request is charged whole with its messages, or refused whole with nothing stored', async (db) => {
  const id = await billedAccount(db, 'prepaid', 100_000);
  // 60k then 50k: the second does not fit in the 40k left; a third of 40k does (one group commit)
  const refused = await writeUnits(db, [{ sessions: [session(id, [30_000, 30_000])] }, { sessions: [session(id, [50_000])] }, { sessions: [session(id, [40_000])] }]);
  assert.deepEqual(refused, new Map([[1, 'insufficient-balance']]));
  assert.equal(await balanceOf(db, id), 0);
  assert.equal(await messageCount(db, id), 3);
  assert.equal(await ledgerSum(db, id), 0);
  const entries = await ledgerEntries(db, { accountId: id, limit: 10 });
  assert.deepEqual(entries.map((e) => [e.kind, e.amount, e.balanceAfter]), [['topup', 100_000, 100_000], ['charge', -60_000, 40_000], ['charge', -40_000, 0]]);
  // through the writer: InsufficientBalance, and nothing stored
  await assert.rejects(new SessionWriter(db).write(session(id, [1])), InsufficientBalance);
  assert.equal(await messageCount(db, id), 3);
});

testOnBothDatabases('a keyed request refused for its balance leaves no record: the same key goes through after a top-up', async (db) => {
  const id = await billedAccount(db, 'prepaid', 0);
  const record = { publicKey: 'AK', key: 'k:1', accountId: id, requestHash: 'h', answer: 'ok', createdAt: Date.now() } satisfies IdempotencyRecord;
  assert.deepEqual(await writeUnits(db, [{ sessions: [session(id, [5])], record }]), new Map([[0, 'insufficient-balance']]));
  assert.equal(await findIdempotencyRecord(db, 'AK', 'k:1'), undefined);
  await moveMoney(db, { accountId: id, kind: 'topup', amount: 5, note: '', actor: 'test' });
  assert.deepEqual(await writeUnits(db, [{ sessions: [session(id, [5])], record }]), new Map());
  assert.ok(await findIdempotencyRecord(db, 'AK', 'k:1'));
});

testOnBothDatabases('postpaid: down to minus the credit limit, or without a limit', async (db) => {
  const limited = await billedAccount(db, 'postpaid', 0, 10_000);
  assert.deepEqual(await writeUnits(db, [{ sessions: [session(limited, [6_000])] }, { sessions: [session(limited, [6_000])] }, { sessions: [session(limited, [4_000])] }]),
    new Map([[1, 'insufficient-balance']]));
  assert.equal(await balanceOf(db, limited), -10_000);
  const open = await billedAccount(db, 'postpaid', 0, null);
  assert.deepEqual(await writeUnits(db, [{ sessions: [session(open, [1_000_000_000])] }]), new Map());
  assert.equal(await balanceOf(db, open), -1_000_000_000);
  assert.equal(await ledgerSum(db, open), -1_000_000_000);
});

testOnBothDatabases('a free account stores its messages at no cost and writes no ledger', async (db) => {
  const id = (await createAccount(db, box, { name: 'free' })).AccountId;
  assert.deepEqual(await writeUnits(db, [{ sessions: [session(id, [7])] }]), new Map());
  const row = await db.selectFrom('messages').select('charge').where('account_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(Number(row.charge), 0);
  assert.equal((await ledgerEntries(db, { accountId: id, limit: 10 })).length, 0);
});

testOnBothDatabases('a failure before any carrier took the message is refunded once; a retry or a sent one is not', async (db) => {
  const id = await billedAccount(db, 'prepaid', 100_000);
  await writeUnits(db, [{ sessions: [session(id, [10_000, 20_000, 30_000])] }]);
  const ids = (await db.selectFrom('messages').select('id').where('account_id', '=', id).orderBy('id').execute()).map((r) => Number(r.id));
  await db.updateTable('messages').set({ status: 'sending', lease_owner: 'w' }).execute();
  await recordOutcomes(db, 'w', [
    { id: ids[0]!, result: 'failed', code: 'NOROUTE', desc: 'no route' },
    { id: ids[1]!, result: 'sent', carrierMsgId: 'c1' },
    { id: ids[2]!, result: 'retry', retryAt: Date.now() },
  ]);
  assert.equal(await balanceOf(db, id), 100_000 - 60_000 + 10_000);
  // the same outcome recorded again (a second worker, a replay) changes nothing
  await db.updateTable('messages').set({ status: 'failed' }).where('id', '=', ids[0]!).execute();
  await recordOutcomes(db, 'w', [{ id: ids[0]!, result: 'failed', code: 'NOROUTE', desc: 'no route' }]);
  assert.equal(await balanceOf(db, id), 50_000);
  assert.equal(await ledgerSum(db, id), 50_000);
  const refund = (await ledgerEntries(db, { accountId: id, limit: 10 })).find((e) => e.kind === 'refund')!;
  assert.deepEqual([refund.amount, refund.balanceAfter, refund.ref], [10_000, 50_000, `messages ${ids[0]}`]);
});

testOnBothDatabases('falling under the threshold queues one low-balance push; a top-up above it re-arms it', async (db) => {
  const id = await billedAccount(db, 'prepaid', 100_000);
  await db.updateTable('accounts').set({ low_balance_threshold: 50_000 }).where('id', '=', id).execute();
  await setCallbackUrl(db, id, 'http://127.0.0.1:9/hook');
  const pushes = async () => (await db.selectFrom('callback_items').select('payload').where('account_id', '=', id).where('msg_type', '=', 3).execute()).map((r) => JSON.parse(r.payload));
  await writeUnits(db, [{ sessions: [session(id, [40_000])] }]);
  assert.equal((await pushes()).length, 0);
  await writeUnits(db, [{ sessions: [session(id, [20_000])] }]);
  await writeUnits(db, [{ sessions: [session(id, [10_000])] }]);
  const [alert, ...more] = await pushes();
  assert.equal(more.length, 0);
  // The store's own record, money in micro-units; notify/payloads.ts makes the customer's item of it.
  assert.deepEqual(Object.keys(alert), ['account_id', 'balance', 'threshold', 'currency', 'at']);
  assert.deepEqual({ ...alert, at: 0 }, { account_id: id, balance: 40_000, threshold: 50_000, currency: 'USD', at: 0 });
  assert.ok(Math.abs(alert.at - Date.now()) < 60_000, 'unix ms');
  await moveMoney(db, { accountId: id, kind: 'topup', amount: 100_000, note: '', actor: 'test' });
  await writeUnits(db, [{ sessions: [session(id, [100_000])] }]);
  assert.equal((await pushes()).length, 2);
});
