import assert from 'node:assert/strict';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import {
  answerIdempotencyClaim, claimIdempotencyKey, findIdempotencyRecord, IdempotencyConflict, IDEMPOTENCY_TTL_MS, PENDING_ANSWER,
  pruneIdempotencyRecords, releaseIdempotencyClaim, takeOverIdempotencyClaim, type IdempotencyRecord,
} from './idempotency.ts';
import { SessionWriter, writeUnits, type NewSession } from './sessions.ts';


const session = (sessionNo: string, n = 1): NewSession => ({
  sessionNo,
  accountId: 60000001,
  action: 'SendBatchUSMSMessage',
  reqUuid: 'r-' + sessionNo,
  messages: Array.from({ length: n }, (_, i) => ({
    phone: `1380000${i}`, e164: `+861380000${i}`, region: 'CN', templateId: 'UT1', sender: 's', content: 'hi', encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
  })),
});
const record = (key: string, answer: string, createdAt = Date.now()): IdempotencyRecord => ({
  publicKey: 'AK1', key, accountId: 60000001, requestHash: 'h-' + answer, answer, createdAt,
});
const sessionNos = async (db: Db) => (await db.selectFrom('sessions').select('session_no').orderBy('session_no').execute()).map((r) => r.session_no);
const messageCount = async (db: Db) => Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

testOnBothDatabases('a unit whose key is already recorded is left out whole; the others in the transaction are written', async (db) => {
  const at = Date.now();
  assert.deepEqual(await writeUnits(db, [{ sessions: [session('s1', 2)], record: record('k:a', 'first', at) }]), new Map());
  const lost = await writeUnits(db, [
    { sessions: [session('s2', 3)], record: record('k:a', 'second', at) },
    { sessions: [session('s3')] },
    { sessions: [], record: record('n:b', 'read answer', at) },
  ]);
  assert.deepEqual(lost, new Map([[0, 'key-taken']]));
  assert.deepEqual(await sessionNos(db), ['s1', 's3']);
  assert.equal(await messageCount(db), 3);
  assert.deepEqual(await findIdempotencyRecord(db, 'AK1', 'k:a'), { requestHash: 'h-first', answer: 'first', createdAt: at });
  assert.deepEqual(await findIdempotencyRecord(db, 'AK1', 'n:b'), { requestHash: 'h-read answer', answer: 'read answer', createdAt: at });
  assert.equal(await findIdempotencyRecord(db, 'AK2', 'k:a'), undefined, 'scoped by API key');
});

testOnBothDatabases('SessionWriter.commit: duplicates in one group commit lose with IdempotencyConflict, nothing of them written', async (db) => {
  const writer = new SessionWriter(db);
  const written: number[] = [];
  writer.on('written', (n: number) => written.push(n));
  const results = await Promise.allSettled([
    writer.commit([session('w1', 2)], record('k:same', 'one')),
    writer.commit([session('w2', 5)], record('k:same', 'two')),
    writer.write(session('w3')),
  ]);
  assert.equal(results[0]!.status, 'fulfilled');
  assert.equal(results[1]!.status, 'rejected');
  assert.ok((results[1] as PromiseRejectedResult).reason instanceof IdempotencyConflict);
  assert.equal(results[2]!.status, 'fulfilled');
  assert.deepEqual(await sessionNos(db), ['w1', 'w3']);
  assert.deepEqual(written, [3]);
  await writer.drain();
});

testOnBothDatabases('records older than 24 h are pruned, younger ones kept', async (db) => {
  const now = Date.now();
  await writeUnits(db, [
    { sessions: [], record: record('k:old', 'old', now - IDEMPOTENCY_TTL_MS - 1) },
    { sessions: [], record: record('k:young', 'young', now - IDEMPOTENCY_TTL_MS + 60_000) },
  ]);
  assert.equal(await pruneIdempotencyRecords(db, now), 1);
  assert.equal(await findIdempotencyRecord(db, 'AK1', 'k:old'), undefined);
  assert.ok(await findIdempotencyRecord(db, 'AK1', 'k:young'));
});

testOnBothDatabases('a claim is taken once, answered or released by its holder, and taken over only from the claim time seen', async (db) => {
  const claim = { publicKey: 'AK1', accountId: 60000001, requestHash: 'h', createdAt: 1_000 };
  assert.equal(await claimIdempotencyKey(db, { ...claim, key: 'k:c' }), true);
  assert.equal(await claimIdempotencyKey(db, { ...claim, key: 'k:c' }), false);
  assert.equal((await findIdempotencyRecord(db, 'AK1', 'k:c'))?.answer, PENDING_ANSWER);
  assert.equal(await takeOverIdempotencyClaim(db, 'AK1', 'k:c', 999, 5_000), false, 'not from a claim time it did not see');
  assert.equal(await takeOverIdempotencyClaim(db, 'AK1', 'k:c', 1_000, 5_000), true);
  assert.equal(await takeOverIdempotencyClaim(db, 'AK1', 'k:c', 1_000, 6_000), false, 'a second taker loses');
  await answerIdempotencyClaim(db, 'AK1', 'k:c', '{"RetCode":0}');
  assert.deepEqual(await findIdempotencyRecord(db, 'AK1', 'k:c'), { requestHash: 'h', answer: '{"RetCode":0}', createdAt: 5_000 });
  await releaseIdempotencyClaim(db, 'AK1', 'k:c');
  assert.ok(await findIdempotencyRecord(db, 'AK1', 'k:c'), 'an answered record is never released');
  assert.equal(await takeOverIdempotencyClaim(db, 'AK1', 'k:c', 5_000, 7_000), false, 'nor taken over');

  assert.equal(await claimIdempotencyKey(db, { ...claim, key: 'k:gone' }), true);
  await releaseIdempotencyClaim(db, 'AK1', 'k:gone');
  assert.equal(await findIdempotencyRecord(db, 'AK1', 'k:gone'), undefined);
  assert.equal(await claimIdempotencyKey(db, { ...claim, key: 'k:gone' }), true, 'a released key can be claimed again');
});
