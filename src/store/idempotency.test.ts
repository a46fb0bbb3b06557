import assert from 'node:assert/strict';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from './db.ts';
import { findIdempotencyRecord, IdempotencyConflict, IDEMPOTENCY_TTL_MS, pruneIdempotencyRecords, type IdempotencyRecord } from './idempotency.ts';
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
  assert.deepEqual(await writeUnits(db, [{ sessions: [session('s1', 2)], record: record('k:a', 'first') }]), new Set());
  const lost = await writeUnits(db, [
    { sessions: [session('s2', 3)], record: record('k:a', 'second') },
    { sessions: [session('s3')] },
    { sessions: [], record: record('n:b', 'read answer') },
  ]);
  assert.deepEqual(lost, new Set([0]));
  assert.deepEqual(await sessionNos(db), ['s1', 's3']);
  assert.equal(await messageCount(db), 3);
  assert.deepEqual(await findIdempotencyRecord(db, 'AK1', 'k:a'), { requestHash: 'h-first', answer: 'first' });
  assert.deepEqual(await findIdempotencyRecord(db, 'AK1', 'n:b'), { requestHash: 'h-read answer', answer: 'read answer' });
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
