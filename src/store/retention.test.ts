import assert from 'node:assert/strict';
import type { Db } from './db.ts';
import { pruneBefore } from './retention.ts';
import { writeSessions } from './sessions.ts';
import { testOnBothDatabases } from '../../test/databases.ts';

const draft = (phone: string) => ({
  phone, e164: '+86' + phone, region: 'CN', templateId: 'UTA1', sender: 's', content: 'x', encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
});

async function exercise(db: Db) {
  await writeSessions(db, [
    { sessionNo: 'old', accountId: 1, action: 'SendUSMSMessage', reqUuid: 'r1', messages: [draft('13800000011'), draft('13800000012')] },
    { sessionNo: 'new', accountId: 1, action: 'SendUSMSMessage', reqUuid: 'r2', messages: [draft('13800000013')] },
  ]);
  const old = Date.now() - 10 * 86_400_000;
  await db.updateTable('sessions').set({ created_at: old }).where('session_no', '=', 'old').execute();
  await db.updateTable('messages').set({ created_at: old }).where('session_no', '=', 'old').execute();
  // one old message is final, the other still waits for its receipt: only the final one goes
  await db.updateTable('messages').set({ status: 'delivered' }).where('phone', '=', '13800000011').execute();
  await db.updateTable('messages').set({ status: 'sent' }).where('phone', '=', '13800000012').execute();

  const cutoff = Date.now() - 86_400_000;
  assert.deepEqual(await pruneBefore(db, cutoff), { messages: 1, sessions: 0 });
  await db.updateTable('messages').set({ status: 'unknown' }).where('phone', '=', '13800000012').execute();
  assert.deepEqual(await pruneBefore(db, cutoff), { messages: 1, sessions: 1 });
  const left = await db.selectFrom('messages').select('phone').execute();
  assert.deepEqual(left.map((r) => r.phone), ['13800000013']);
  assert.equal((await db.selectFrom('sessions').select('session_no').execute()).length, 1);
}

testOnBothDatabases('retention prunes old final messages, then their empty sessions', exercise);
