import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { replyWords } from '../compliance/opt-out.ts';
import { createAccount } from './accounts.ts';
import { addToBlacklist, blacklistEntries } from './blacklist.ts';
import { setCallbackUrl } from './callbacks.ts';
import type { Db } from './db.ts';
import { storeInbound, storeInboundIn, type InboundInput } from './inbound.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const PHONE = '+8613800138000';
let clock = 1_700_000_000_000;
const mo = (content: string, moAccount: number | null, over: Partial<InboundInput> = {}): InboundInput => ({
  carrier: 'c1', phone: PHONE, toAddr: '1069000', extendCode: '', content, receivedAt: (clock += 1_000), moAccount, ...over,
});
const entries = async (db: Db, accountId: number) => Object.fromEntries(await blacklistEntries(db, accountId));
const replies = (db: Db) => db.selectFrom('inbound_messages').select(['account_id', 'content']).orderBy('id').execute();

testOnBothDatabases('opt-out by reply: STOP blacklists the phone with its time, START lifts it; every reply is stored and pushed', async (db) => {
  const { AccountId: a } = await createAccount(db, box, { name: 'a' });
  const { AccountId: other } = await createAccount(db, box, { name: 'other' });
  await setCallbackUrl(db, a, 'http://127.0.0.1:9/hook');

  const stop = mo(' ｓｔｏｐ！', a);
  await storeInbound(db, stop);
  assert.deepEqual(await entries(db, a), { [PHONE]: stop.receivedAt });
  assert.deepEqual(await entries(db, other), {}, "another account's list is untouched");
  await storeInbound(db, mo('退订', a));
  assert.deepEqual(await entries(db, a), { [PHONE]: stop.receivedAt }, 'a second opt-out keeps the first time');
  await storeInbound(db, mo('please stop calling', a));
  await storeInbound(db, mo('Start', a));
  assert.deepEqual(await entries(db, a), {});
  await storeInbound(db, mo('订阅', a));
  assert.deepEqual(await entries(db, a), {}, 'an opt-in for a number not on the list changes nothing');

  assert.deepEqual((await replies(db)).map((r) => r.content), [' ｓｔｏｐ！', '退订', 'please stop calling', 'Start', '订阅']);
  const pushed = await db.selectFrom('callback_items').select(['account_id', 'msg_type', 'payload']).orderBy('id').execute();
  assert.deepEqual(pushed.map((p) => [Number(p.account_id), Number(p.msg_type), JSON.parse(p.payload).content]), [
    [a, 0, ' ｓｔｏｐ！'], [a, 0, '退订'], [a, 0, 'please stop calling'], [a, 0, 'Start'], [a, 0, '订阅'],
  ]);
  // The store keeps its own record (notify/payloads.ts makes the customer's item of it).
  assert.equal(pushed[0]!.payload, JSON.stringify({ phone: PHONE, content: ' ｓｔｏｐ！', extend_code: '', user_id: '', received_at: stop.receivedAt }));
});

testOnBothDatabases("opt-out by reply: an account's or operator's block is neither marked nor lifted by replies", async (db) => {
  const { AccountId: a } = await createAccount(db, box, { name: 'a' });
  await addToBlacklist(db, a, PHONE);
  await storeInbound(db, mo('STOP', a));
  assert.deepEqual(await entries(db, a), { [PHONE]: null }, 'still the operator block');
  await storeInbound(db, mo('START', a));
  assert.deepEqual(await entries(db, a), { [PHONE]: null }, 'START does not lift it');

  // A number that opted out and is then added by the operator becomes the operator's block.
  const second = '+14155550123';
  await storeInbound(db, mo('stop', a, { phone: second }));
  assert.equal((await entries(db, a))[second], clock);
  await addToBlacklist(db, a, second);
  await storeInbound(db, mo('start', a, { phone: second }));
  assert.deepEqual(await entries(db, a), { [PHONE]: null, [second]: null });
});

testOnBothDatabases('opt-out by reply: nothing for a reply no account owns, a sender that is no number, or a word not configured', async (db) => {
  const { AccountId: a } = await createAccount(db, box, { name: 'a' });
  const stored = await storeInbound(db, mo('STOP', null));
  assert.equal(stored.accountId, null);
  assert.equal((await db.selectFrom('blacklist').selectAll().execute()).length, 0);

  await storeInbound(db, mo('STOP', a, { phone: 'BANK' }));
  await storeInbound(db, mo('STOP', a, { phone: '10086' }));
  assert.deepEqual(await entries(db, a), {});

  const words = replyWords(['ARRET'], ['REPRISE']);
  await storeInbound(db, mo('STOP', a, { replyWords: words }));
  assert.deepEqual(await entries(db, a), {}, 'the configured list replaces the defaults');
  await storeInbound(db, mo('arrêt', a, { replyWords: words }));
  assert.deepEqual(await entries(db, a), {}, 'ARRÊT is not ARRET');
  await storeInbound(db, mo('Arret.', a, { replyWords: words }));
  assert.equal(Object.keys(await entries(db, a)).length, 1);
  await storeInbound(db, mo('reprise', a, { replyWords: words }));
  assert.deepEqual(await entries(db, a), {});
  assert.equal((await replies(db)).length, 7, 'every reply stored');
});

testOnBothDatabases('opt-out by reply: written in the transaction that stores the reply (a rollback keeps neither)', async (db) => {
  const { AccountId: a } = await createAccount(db, box, { name: 'a' });
  await assert.rejects(db.transaction().execute(async (trx) => {
    await storeInboundIn(trx, mo('STOP', a));
    assert.equal((await trx.selectFrom('blacklist').selectAll().execute()).length, 1, 'visible inside');
    throw new Error('rolled back');
  }), /rolled back/);
  assert.deepEqual(await entries(db, a), {});
  assert.equal((await replies(db)).length, 0);
});
