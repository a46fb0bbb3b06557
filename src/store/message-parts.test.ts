import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { sqlitePlan, testOnBothDatabases } from '../../test/databases.ts';
import { createAccount } from './accounts.ts';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import { latestSentTo, storeInbound } from './inbound.ts';
import { applyPartReceipts, partsOf, rollUpAfterSubmit, saveParts } from './message-parts.ts';
import { claimDue, recordOutcomes } from './messages.ts';
import { writeSessions } from './sessions.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));

async function sending(db: Db, accountId: number, e164s: string[], extendCode = '') {
  await writeSessions(db, [{
    sessionNo: `S-${Math.random()}`, accountId, action: 'SendBatchUSMSMessage', reqUuid: 'r',
    messages: e164s.map((e164, i) => ({
      phone: e164, e164, region: 'GB', templateId: 'UTA1', sender: 'USMS', content: `m${i}`, encoding: 'GSM7', segments: 2, userId: `u${i}`, extendCode,
    })),
  }]);
  return claimDue(db, 'w', 100, 30_000, 'smsc1');
}

testOnBothDatabases('part receipts roll up; a receipt before its part is stored comes back unmatched', async (db) => {
  const { AccountId: accountId } = await createAccount(db, box, { name: 'a', region: 'GB' });
  const [m] = await sending(db, accountId, ['+447700900001']);
  const id = m!.id;
  const at = Date.now();
  const early = { carrierMsgId: '101', code: 'DELIVRD', desc: 'delivered', at };
  assert.deepEqual(await applyPartReceipts(db, 'smsc1', [early]), [early], 'no part yet');
  await saveParts(db, 'smsc1', [
    { messageId: id, partNo: 1, total: 2, carrierMsgId: '101', ref: 7, e164: '+447700900001' },
    { messageId: id, partNo: 2, total: 2, carrierMsgId: '102', ref: 7, e164: '+447700900001' },
  ]);
  // Matched now, but the message is still `sending`: only the part changes.
  assert.deepEqual(await applyPartReceipts(db, 'smsc1', [early]), []);
  await recordOutcomes(db, 'w', [{ id, result: 'sent', carrierMsgId: '101' }]);
  assert.equal(await rollUpAfterSubmit(db, [id]), 0, 'part 2 still owed');
  const status = async () => (await db.selectFrom('messages').select(['status', 'receipt_code', 'receipt_at']).where('id', '=', id).executeTakeFirstOrThrow());
  assert.equal((await status()).status, 'sent');
  assert.deepEqual(await applyPartReceipts(db, 'smsc1', [{ carrierMsgId: '102', code: 'DELIVRD', desc: 'delivered', at: at + 5 }]), []);
  const s = await status();
  assert.equal(s.status, 'delivered');
  assert.equal(Number(s.receipt_at), at + 5, "the last part's time");
  const reports = await db.selectFrom('reports').select(['message_id', 'receipt_code']).execute();
  assert.deepEqual(reports.map((r) => [Number(r.message_id), r.receipt_code]), [[id, 'DELIVRD']], 'one report for the message');
  const parts = await partsOf(db, [id]);
  assert.deepEqual(parts.get(id)!.map((p) => p.carrierMsgId).sort(), ['101', '102']);
});

testOnBothDatabases('a failed part fails the message; receipts for it matched after the roll-up still update parts only', async (db) => {
  const { AccountId: accountId } = await createAccount(db, box, { name: 'a', region: 'GB' });
  const [m] = await sending(db, accountId, ['+447700900002']);
  await saveParts(db, 'smsc1', [
    { messageId: m!.id, partNo: 1, total: 2, carrierMsgId: 'a1', ref: 1, e164: '+447700900002' },
    { messageId: m!.id, partNo: 2, total: 2, carrierMsgId: 'a2', ref: 1, e164: '+447700900002' },
  ]);
  await recordOutcomes(db, 'w', [{ id: m!.id, result: 'sent', carrierMsgId: 'a1' }]);
  await applyPartReceipts(db, 'smsc1', [{ carrierMsgId: 'a2', code: 'UNDELIV', desc: 'undeliverable (err 001)', at: 1000 }]);
  await applyPartReceipts(db, 'smsc1', [{ carrierMsgId: 'a1', code: 'DELIVRD', desc: 'delivered', at: 2000 }]);
  const row = await db.selectFrom('messages').select(['status', 'receipt_code', 'receipt_desc']).where('id', '=', m!.id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { status: 'undelivered', receipt_code: 'UNDELIV', receipt_desc: 'part 2/2: undeliverable (err 001)' });
  const other = await applyPartReceipts(db, 'other-carrier', [{ carrierMsgId: 'a1', code: 'DELIVRD', desc: '', at: 1 }]);
  assert.equal(other.length, 1, 'ids are matched per carrier');
});

testOnBothDatabases('an inbound reply belongs to the account that last messaged the number (ExtendCode first)', async (db) => {
  const { AccountId: aId } = await createAccount(db, box, { name: 'a', region: 'GB' });
  const { AccountId: bId } = await createAccount(db, box, { name: 'b', region: 'GB' });
  const [ma] = await sending(db, aId, ['+447700900003'], '12');
  await recordOutcomes(db, 'w', [{ id: ma!.id, result: 'sent', carrierMsgId: 'x1' }]);
  const [mb] = await sending(db, bId, ['+447700900003'], '34');
  await recordOutcomes(db, 'w', [{ id: mb!.id, result: 'sent', carrierMsgId: 'x2' }]);
  // Claimed for the carrier but not accepted by it: not a message the reply can answer.
  await sending(db, bId, ['+447700900003'], '56');
  const base = { carrier: 'smsc1', phone: '+447700900003', toAddr: '1069000', content: 'yes', receivedAt: Date.now(), moAccount: null };
  const latest = await storeInbound(db, { ...base, extendCode: '' });
  assert.equal(latest.accountId, bId);
  assert.equal(latest.userId, 'u0');
  assert.equal(latest.extendCode, '34');
  const byCode = await storeInbound(db, { ...base, toAddr: '106900012', extendCode: '12' });
  assert.equal(byCode.accountId, aId);
  assert.equal(byCode.messageId, ma!.id);
  const stranger = await storeInbound(db, { ...base, phone: '+447700900999', extendCode: '' });
  assert.equal(stranger.accountId, null);
  const fallback = await storeInbound(db, { ...base, phone: '+447700900999', extendCode: '', moAccount: aId });
  assert.equal(fallback.accountId, aId);
  const stored = await db.selectFrom('inbound_messages').select(['account_id', 'content']).orderBy('id').execute();
  assert.equal(stored.length, 4);
});

testOnBothDatabases('a message sent as one part: its receipts match the message itself; intermediate and repeated receipts change nothing', async (db) => {
  const { AccountId: accountId } = await createAccount(db, box, { name: 'a', region: 'GB' });
  const [m] = await sending(db, accountId, ['+447700900004']);
  const at = Date.now();
  const receipt = (code: string, dt = 0) => ({ carrierMsgId: '7f', code, desc: code.toLowerCase(), at: at + dt });
  assert.equal((await applyPartReceipts(db, 'smsc1', [receipt('DELIVRD')])).length, 1, 'not sent yet: unmatched, to be retried');
  await recordOutcomes(db, 'w', [{ id: m!.id, result: 'sent', carrierMsgId: '7f' }]);
  assert.equal((await partsOf(db, [m!.id])).size, 0, 'no part rows');
  const status = () => db.selectFrom('messages').select(['status', 'receipt_code', 'receipt_at']).where('id', '=', m!.id).executeTakeFirstOrThrow();
  assert.deepEqual(await applyPartReceipts(db, 'smsc1', [receipt('ENROUTE')]), []);
  assert.equal((await status()).status, 'sent');
  assert.deepEqual(await applyPartReceipts(db, 'smsc1', [receipt('ENROUTE', 1), receipt('DELIVRD', 2)]), []);
  assert.deepEqual(await status(), { status: 'delivered', receipt_code: 'DELIVRD', receipt_at: at + 2 });
  assert.deepEqual(await applyPartReceipts(db, 'smsc1', [receipt('UNDELIV', 3)]), [], 'matched: not retried for minutes');
  assert.deepEqual(await status(), { status: 'delivered', receipt_code: 'DELIVRD', receipt_at: at + 2 });
  const reports = await db.selectFrom('reports').select(['message_id', 'status']).execute();
  assert.deepEqual(reports.map((r) => [Number(r.message_id), r.status]), [[m!.id, 'delivered']]);
});

testOnBothDatabases('the reply lookup reads the messages_e164 index', async (db) => {
  const query = latestSentTo(db, 'smsc1', '+447700900003', '12');
  assert.equal((await query.execute()).length, 0);
  if (!isPostgres(db)) assert.match(await sqlitePlan(db, query), /USING INDEX messages_e164 \(e164=\?\)/);
});
