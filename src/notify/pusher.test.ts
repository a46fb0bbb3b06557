import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SecretBox } from '../auth/secrets.ts';
import { loadConfig, type Config } from '../config.ts';
import { createAccount } from '../store/accounts.ts';
import { callbackCounts, enqueueItems, failedItems, MsgType, retryFailed, setCallbackUrl, type ReceiptRecord } from '../store/callbacks.ts';
import { openDatabase } from '../store/db.ts';
import { storeInbound } from '../store/inbound.ts';
import type { PushResult } from './http.ts';
import { renderItem } from './payloads.ts';
import { buildBody, CallbackPusher } from './pusher.ts';
import { verifyPush } from './sign.ts';

interface Call {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** A database with one account that has a callback URL, and a pusher whose requests go to `answer`. */
async function setup(env: Record<string, string>, answer: (call: Call, n: number) => PushResult | Promise<PushResult>) {
  const dir = mkdtempSync(join(tmpdir(), 'usms-pusher-'));
  const masterKey = randomBytes(32).toString('base64');
  const config: Config = loadConfig({
    USMS_DATA_DIR: dir, USMS_MASTER_KEY: masterKey, USMS_CALLBACK_POLL_MS: '10', USMS_CALLBACK_RETRY_BASE_MS: '10', USMS_CALLBACK_RETRY_MAX_MS: '40', ...env,
  });
  const db = await openDatabase(config);
  const acct = await createAccount(db, SecretBox.fromKey(masterKey), { name: 'a' });
  await setCallbackUrl(db, acct.AccountId, 'http://receiver.test/cb');
  const calls: Call[] = [];
  const pusher = new CallbackPusher(db, config, pino({ level: 'silent' }), async (url, body, headers) => {
    const call = { url, body, headers };
    calls.push(call);
    return answer(call, calls.length);
  });
  return {
    db, acct, calls, pusher,
    async close() {
      await pusher.stop();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const receiptRecord = (phone: string): ReceiptRecord => ({
  session_no: 'S', phone, segments: 1, receipt_at: 1_767_322_245_000, status: 'delivered', receipt_code: 'DELIVRD', receipt_desc: '', user_id: '',
});
const receiptItems = (accountId: number, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ accountId, msgType: MsgType.Receipt, payload: JSON.stringify(receiptRecord(String(from + i))) }));

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const phonesOf = (calls: Call[]) => calls.flatMap((c) => (JSON.parse(c.body).Data as Array<{ Phone: string }>).map((d) => d.Phone));

test('buildBody renders each stored item as the customer item and cuts at the byte limit of the rendered body (always one item)', () => {
  // 'failed' goes out as 'SubmitFail': the rendered item is longer than the stored record.
  const items = ['13800000001', '13800000002', '13800000003'].map((phone, i) => ({
    id: i + 1, payload: JSON.stringify({ ...receiptRecord(phone), status: 'failed' }), attempts: 0, queuedAt: 0,
  }));
  const rendered = (n: number) =>
    `{"SessionNo":"S","Phone":"1380000000${n}","CostCount":1,"ReceiptTime":1767322245,"ReceiptResult":"SubmitFail","ReceiptCode":"DELIVRD","ReceiptDesc":"","UserId":""}`;
  const all = buildBody(2, items, 10_000);
  assert.equal(all.body, `{"MsgType":2,"Data":[${rendered(1)},${rendered(2)},${rendered(3)}]}`);
  const limit = 23 + 2 * Buffer.byteLength(rendered(1)) + 1; // 23 bytes of frame, two items and a comma
  const cut = buildBody(2, items, limit);
  assert.equal(Buffer.byteLength(cut.body), limit);
  assert.deepEqual([cut.items.map((i) => i.id), cut.rest.map((i) => i.id)], [[1, 2], [3]]);
  assert.ok(23 + 2 * Buffer.byteLength(items[0]!.payload) + 1 <= limit - 1, 'two stored records would fit one byte less');
  assert.deepEqual(buildBody(2, items, limit - 1).items.map((i) => i.id), [1], 'but two rendered items do not');
  const one = buildBody(0, items, 10);
  assert.deepEqual([one.items.length, one.rest.length], [1, 2]);
});

test('buildBody sends items queued before the store kept records as they are, next to rendered ones', () => {
  const legacy = '{"SessionNo":"S","Phone":"1","CostCount":1,"ReceiptTime":1767322245,"ReceiptResult":"Unknow","ReceiptCode":"","ReceiptDesc":"","UserId":"u"}';
  const fresh = JSON.stringify(receiptRecord('2'));
  const { body } = buildBody(2, [{ id: 1, payload: legacy, attempts: 3, queuedAt: 0 }, { id: 2, payload: fresh, attempts: 0, queuedAt: 0 }], 10_000);
  assert.equal(body, `{"MsgType":2,"Data":[${legacy},${renderItem(2, fresh)}]}`);
  assert.deepEqual(JSON.parse(body).Data.map((d: { Phone: string; ReceiptResult: string }) => [d.Phone, d.ReceiptResult]), [['1', 'Unknow'], ['2', 'Success']]);
});

test('items go out batched, signed with the account key, and once each', async () => {
  const t = await setup({ USMS_CALLBACK_BATCH: '100' }, () => ({ ok: true }));
  try {
    await enqueueItems(t.db, receiptItems(t.acct.AccountId, 250));
    t.pusher.start();
    await until('all delivered', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Delivered === 250 ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(t.calls.map((c) => JSON.parse(c.body).Data.length), [100, 100, 50]);
    assert.deepEqual(phonesOf(t.calls), Array.from({ length: 250 }, (_, i) => String(i)), 'each item once, oldest first');
    for (const c of t.calls) {
      assert.equal(c.url, 'http://receiver.test/cb');
      assert.equal(JSON.parse(c.body).MsgType, 2);
      assert.equal(c.headers['x-usms-key-id'], t.acct.PublicKey);
      assert.equal(verifyPush(t.acct.PrivateKey, c.body, c.headers), true);
    }
  } finally {
    await t.close();
  }
});

test('failed attempts are retried with backoff until the receiver says ok; nothing lost, nothing twice', async () => {
  const t = await setup({ USMS_CALLBACK_MAX_ATTEMPTS: '20' }, (_c, n) => (n <= 3 ? { ok: false, error: 'HTTP 503' } : { ok: true }));
  try {
    await enqueueItems(t.db, receiptItems(t.acct.AccountId, 5));
    t.pusher.start();
    await until('delivered', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Delivered === 5 ? true : undefined));
    assert.equal(t.calls.length, 4);
    // Every attempt carried all five items; only the last one counted.
    assert.deepEqual(t.calls.map((c) => JSON.parse(c.body).Data.length), [5, 5, 5, 5]);
    const rows = await t.db.selectFrom('callback_items').select(['attempts', 'last_error']).execute();
    assert.ok(rows.every((r) => r.attempts === 4 && r.last_error === null));
    // Retries were spaced (base 10 ms doubling, capped at 40 ms): at least ~8 + 16 + 32 ms.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.calls.length, 4, 'nothing sent again after ok');
  } finally {
    await t.close();
  }
});

test('a push that never succeeds is kept as failed, then retried on request', async () => {
  let ok = false;
  const t = await setup({ USMS_CALLBACK_MAX_ATTEMPTS: '3' }, () => (ok ? { ok: true } : { ok: false, error: 'answer is not JSON: <html>' }));
  try {
    await enqueueItems(t.db, receiptItems(t.acct.AccountId, 2));
    t.pusher.start();
    await until('failed', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Failed === 2 ? true : undefined));
    assert.equal(t.calls.length, 3);
    const failed = await failedItems(t.db, t.acct.AccountId, 10);
    assert.deepEqual(failed.map((f) => [f.MsgType, f.Attempts, f.LastError, (JSON.parse(f.Payload) as ReceiptRecord).phone]), [
      [2, 3, 'answer is not JSON: <html>', '0'],
      [2, 3, 'answer is not JSON: <html>', '1'],
    ]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.calls.length, 3, 'failed items are not attempted again by themselves');
    ok = true;
    assert.equal(await retryFailed(t.db, t.acct.AccountId), 2);
    t.pusher.notify();
    await until('delivered after retry', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Delivered === 2 ? true : undefined));
    assert.equal(t.calls.length, 4);
  } finally {
    await t.close();
  }
});

test('pending pushes of an account whose URL was removed are kept as failed', async () => {
  const t = await setup({}, () => ({ ok: true }));
  try {
    await enqueueItems(t.db, receiptItems(t.acct.AccountId, 1));
    await setCallbackUrl(t.db, t.acct.AccountId, undefined);
    t.pusher.start();
    await until('failed', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Failed === 1 ? true : undefined));
    assert.equal(t.calls.length, 0);
    assert.equal((await failedItems(t.db, t.acct.AccountId, 10))[0]!.LastError, 'no callback URL configured');
  } finally {
    await t.close();
  }
});

const inbound = (accountId: number, content: string, at: number) =>
  ({ carrier: 'c1', phone: '13800000000', toAddr: '1069000123', extendCode: '123', content, receivedAt: at, moAccount: accountId });

test('inbound replies are queued as MsgType 0 only for accounts with a callback URL, and pushed as the customer item', async () => {
  const t = await setup({}, () => ({ ok: true }));
  try {
    const other = await createAccount(t.db, SecretBox.fromKey(randomBytes(32).toString('base64')), { name: 'b' });
    const at = Date.UTC(2026, 0, 2, 3, 4, 5) + 678;
    await storeInbound(t.db, inbound(t.acct.AccountId, 'TD', at));
    await storeInbound(t.db, inbound(other.AccountId, 'TD', at));
    assert.deepEqual((await t.db.selectFrom('callback_items').select('account_id').execute()).map((r) => Number(r.account_id)), [t.acct.AccountId]);
    t.pusher.start();
    await until('delivered', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Delivered === 1 ? true : undefined));
    assert.equal(t.calls[0]!.body, `{"MsgType":0,"Data":[{"ExtendCode":"123","UserId":"","Phone":"13800000000","ReplyContent":"TD","ReplyTime":${Math.floor(at / 1000)}}]}`);
  } finally {
    await t.close();
  }
});

test('receipts and replies of one account go in separate requests (one MsgType per request)', async () => {
  const t = await setup({}, () => ({ ok: true }));
  try {
    await enqueueItems(t.db, receiptItems(t.acct.AccountId, 2));
    await storeInbound(t.db, inbound(t.acct.AccountId, 'x', Date.now()));
    t.pusher.start();
    await until('delivered', async () => ((await callbackCounts(t.db, t.acct.AccountId)).Delivered === 3 ? true : undefined));
    assert.deepEqual(t.calls.map((c) => [JSON.parse(c.body).MsgType, JSON.parse(c.body).Data.length]).sort(), [[0, 1], [2, 2]]);
  } finally {
    await t.close();
  }
});
