import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Services } from '../actions/context.ts';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { openDatabase } from '../store/db.ts';
import { claimIdempotencyKey } from '../store/idempotency.ts';
import { SessionWriter, type NewSession } from '../store/sessions.ts';
import { canonicalJson, IdempotencyGuard, idempotencyKeyHeader, isReplay, requestHash, type KeyedRequest } from './idempotency.ts';

async function withGuard(body: (guard: IdempotencyGuard, services: Services) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'usms-guard-'));
  const db = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true });
  const services = { db, writer: new SessionWriter(db), log: pino({ level: 'silent' }) } as unknown as Services;
  try {
    await body(new IdempotencyGuard(services), services);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const req = (key: string, hash = 'h1', kind: KeyedRequest['kind'] = 'header'): KeyedRequest => ({ publicKey: 'AK', accountId: 1, kind, key, hash, lookup: true, claim: false });
const asAnswer = (e: UsmsError) => ({ RetCode: e.retCode, Message: e.message });
const session = (no: string): NewSession => ({
  sessionNo: no, accountId: 1, action: 'SendUSMSMessage', reqUuid: 'r',
  messages: [{ phone: '1', e164: '+861', region: 'CN', templateId: 'T', sender: 's', content: 'x', encoding: 'GSM7', segments: 1, userId: '', extendCode: '' }],
});

test('canonical hashing ignores key order and whitespace, not values', () => {
  assert.equal(canonicalJson({ b: [1, { y: 2, x: 'a' }], a: null, u: undefined }), '{"a":null,"b":[1,{"x":"a","y":2}]}');
  assert.equal(requestHash('s', { a: 1, b: 2 }), requestHash('s', { b: 2, a: 1 }));
  assert.notEqual(requestHash('s', { a: 1 }), requestHash('s', { a: '1' }));
  assert.notEqual(requestHash('s', { a: 1 }), requestHash('t', { a: 1 }));
});

test('Idempotency-Key header: 1-255 visible ASCII characters, else 18003', () => {
  assert.equal(idempotencyKeyHeader(undefined), undefined);
  assert.equal(idempotencyKeyHeader('abc-123_X'), 'abc-123_X');
  for (const bad of ['', 'has space', 'x'.repeat(256), 'ключ', ['a', 'b']]) {
    assert.throws(() => idempotencyKeyHeader(bad as string), (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.InvalidParameter);
  }
});

test('the first answer is replayed, staged sessions are committed once; another body is refused by kind', () =>
  withGuard(async (guard, services) => {
    let runs = 0;
    const exec = async (svc: Services) => {
      runs++;
      await svc.writer.write(session('S' + runs));
      return { RetCode: 0, Message: 'ok', SessionNo: 'S' + runs };
    };
    const first = await guard.run(req('k1'), exec, asAnswer);
    assert.equal(isReplay(first), false);
    const again = await guard.run(req('k1'), exec, asAnswer);
    assert.equal(isReplay(again), true);
    assert.deepEqual(again, first);
    assert.equal(JSON.stringify(again), JSON.stringify(first));
    assert.equal(runs, 1);
    const rows = await services.db.selectFrom('sessions').select('session_no').execute();
    assert.deepEqual(rows.map((r) => r.session_no), ['S1']);
    await assert.rejects(guard.run(req('k1', 'h2'), exec, asAnswer), (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.InvalidParameter && /Idempotency-Key/.test(e.message));
    await guard.run(req('n1', 'h1', 'nonce'), exec, asAnswer);
    await assert.rejects(guard.run(req('n1', 'h2', 'nonce'), exec, asAnswer), (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.SignatureInvalid && /X-Nonce/.test(e.message));
    // Header keys and nonces are separate namespaces.
    assert.equal(runs, 2);
  }));

test('concurrent duplicates wait for the first; a refusal (UsmsError) is recorded, a transient failure is not', () =>
  withGuard(async (guard) => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      runs++;
      await gate;
      return { RetCode: 0, Message: 'ok', N: runs };
    };
    const all = Promise.all([guard.run(req('c'), slow, asAnswer), guard.run(req('c'), slow, asAnswer), guard.run(req('c'), slow, asAnswer)]);
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(guard.run(req('c', 'other'), slow, asAnswer), UsmsError);
    release();
    const answers = await all;
    assert.equal(runs, 1);
    assert.deepEqual(answers.map((a) => a.N), [1, 1, 1]);

    let refusals = 0;
    const refuse = async () => {
      refusals++;
      throw new UsmsError(RetCode.TemplateNotApproved, 'no such template');
    };
    assert.deepEqual(await guard.run(req('r'), refuse, asAnswer), { RetCode: 18017, Message: 'no such template' });
    assert.deepEqual(await guard.run(req('r'), refuse, asAnswer), { RetCode: 18017, Message: 'no such template' });
    assert.equal(refusals, 1);

    let tries = 0;
    const flaky = async () => {
      if (++tries === 1) throw new UsmsError(RetCode.ServiceError, 'database busy');
      return { RetCode: 0, Message: 'ok' };
    };
    await assert.rejects(guard.run(req('t'), flaky, asAnswer), /database busy/);
    assert.equal((await guard.run(req('t'), flaky, asAnswer)).RetCode, 0);
    assert.equal(tries, 2);
  }));

const claiming = (key: string, hash = 'h1'): KeyedRequest => ({ ...req(key, hash), claim: true });

test('an action that writes directly claims its key: a duplicate on another thread or node waits and gets the first answer', () =>
  withGuard(async (first, services) => {
    const other = new IdempotencyGuard(services); // another HTTP thread or API node: its own in-flight map
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const create = async () => {
      runs++;
      await gate;
      return { RetCode: 0, Message: 'ok', TemplateId: 'UTA' + runs };
    };
    const a = first.run(claiming('tpl'), create, asAnswer);
    await new Promise((r) => setTimeout(r, 30));
    const b = other.run(claiming('tpl'), create, asAnswer);
    await assert.rejects(other.run(claiming('tpl', 'another body'), create, asAnswer), (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.InvalidParameter);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(runs, 1, 'the duplicate did not run while the first held the claim');
    release();
    const [answerA, answerB] = await Promise.all([a, b]);
    assert.equal(runs, 1);
    assert.deepEqual(answerB, answerA);
    assert.equal(isReplay(answerA), false);
    assert.equal(isReplay(answerB), true);
    assert.deepEqual(await other.run(claiming('tpl'), create, asAnswer), answerA);
  }));

test('a claim is released when its request did nothing, and a stale claim (its holder died) is taken over', () =>
  withGuard(async (guard, services) => {
    let tries = 0;
    const flaky = async () => {
      if (++tries === 1) throw new UsmsError(RetCode.ServiceError, 'database busy');
      return { RetCode: 0, Message: 'ok' };
    };
    await assert.rejects(guard.run(claiming('t'), flaky, asAnswer), /database busy/);
    assert.equal((await guard.run(claiming('t'), flaky, asAnswer)).RetCode, 0);
    assert.equal(tries, 2);

    // A claim left by a process that crashed 61 s ago, and one that is still fresh.
    const claim = { publicKey: 'AK', accountId: 1, requestHash: 'h1' };
    assert.equal(await claimIdempotencyKey(services.db, { ...claim, key: 'k:stale', createdAt: Date.now() - 61_000 }), true);
    assert.equal(await claimIdempotencyKey(services.db, { ...claim, key: 'k:fresh', createdAt: Date.now() }), true);
    assert.equal(await claimIdempotencyKey(services.db, { ...claim, key: 'k:fresh', createdAt: Date.now() }), false);
    let runs = 0;
    const run = async () => ({ RetCode: 0, Message: 'ok', N: ++runs });
    assert.deepEqual(await guard.run(claiming('stale'), run, asAnswer), { RetCode: 0, Message: 'ok', N: 1 });
    const started = Date.now();
    await assert.rejects(guard.run(claiming('fresh'), run, asAnswer), (e: unknown) => e instanceof UsmsError && e.retCode === RetCode.ServiceError && /still being processed/.test(e.message));
    assert.ok(Date.now() - started >= 4_500, 'it waited for the holder before answering 18004');
    assert.equal(runs, 1);
  }));
