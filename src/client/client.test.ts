import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsmsApiError, UsmsClient, UsmsRequestError, UsmsUsageError, sign } from './index.ts';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fake fetch answering from a script: a response object, an Error to throw, or 'hang'. */
function fakeFetch(script: Array<{ status?: number; body: unknown } | Error | 'hang'>) {
  const seen: Seen[] = [];
  const impl = (async (url: string, init: RequestInit) => {
    seen.push({ url, method: String(init.method), headers: { ...(init.headers as Record<string, string>) }, body: init.body as string | undefined });
    const step = script[Math.min(seen.length - 1, script.length - 1)]!;
    if (step === 'hang') {
      return new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    }
    if (step instanceof Error) throw step;
    const text = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    return new Response(text, { status: step.status ?? 200 });
  }) as unknown as typeof fetch;
  return { impl, seen };
}

const opts = { url: 'http://usms.test/', publicKey: 'pk', privateKey: 'secret', retryDelayMs: 1 };
const ok = { body: { RetCode: 0, Action: 'SendUSMSMessageResponse', Message: '', SessionNo: 's-1' } };

test('uspeedo: signed JSON to /api?Action=, X-* headers, AccountId from the options', async () => {
  const f = fakeFetch([ok]);
  const c = new UsmsClient({ ...opts, accountId: 7, fetch: f.impl });
  const res = await c.sendUSMSMessage({ PhoneNumbers: ['185'], TemplateId: 'T1', TemplateParams: [1234] });
  assert.equal(res.SessionNo, 's-1');
  const r = f.seen[0]!;
  assert.equal(r.url, 'http://usms.test/api?Action=SendUSMSMessage');
  assert.equal(r.method, 'POST');
  const body = JSON.parse(r.body!);
  assert.deepEqual(body, { Action: 'SendUSMSMessage', AccountId: 7, PhoneNumbers: ['185'], TemplateId: 'T1', TemplateParams: [1234] });
  assert.equal(r.headers['x-access-key-id'], 'pk');
  assert.equal(r.headers['x-signature'], await sign(body, 'secret'));
  assert.match(r.headers['x-nonce']!, /^[0-9a-f]{32}$/);
  assert.ok(Math.abs(Number(r.headers['x-timestamp']) - Date.now() / 1000) < 5);
  assert.ok(r.headers['idempotency-key']);
});

test('ucloud: flattened form with base64 TaskContent, PublicKey, ProjectId and a Signature over the form', async () => {
  const f = fakeFetch([{ body: { RetCode: 0, Message: 'submit success', SessionNo: 's', SuccessCount: 1, FailContent: [] } }]);
  const c = new UsmsClient({ ...opts, dialect: 'ucloud', projectId: 'org-1', fetch: f.impl });
  const tasks = [{ TemplateId: 'T', SigContent: 'S', Target: [{ Phone: '185', TemplateParams: ['开心果'] }] }];
  await c.sendBatchUSMSMessage({ TaskContent: tasks });
  const r = f.seen[0]!;
  assert.equal(r.url, 'http://usms.test/');
  assert.equal(r.headers['content-type'], 'application/x-www-form-urlencoded');
  const form = Object.fromEntries(new URLSearchParams(r.body));
  assert.deepEqual(JSON.parse(Buffer.from(form.TaskContent!, 'base64').toString('utf8')), tasks);
  assert.equal(form.PublicKey, 'pk');
  assert.equal(form.ProjectId, 'org-1');
  const { Signature, ...rest } = form;
  assert.equal(Signature, await sign(rest, 'secret'));

  await c.getUSMSSendReceipt({ SessionNoSet: ['a', 'b'] });
  const form2 = Object.fromEntries(new URLSearchParams(f.seen[1]!.body));
  assert.equal(form2['SessionNoSet.0'], 'a');
  assert.equal(form2['SessionNoSet.1'], 'b');
});

test('rest: Basic auth on the documented routes; other actions are a usage error before any request', async () => {
  const f = fakeFetch([{ body: { RetCode: 0, Message: 'success', Data: [] } }]);
  const c = new UsmsClient({ ...opts, dialect: 'rest', fetch: f.impl });
  await c.getUSMSSendReceipt({ SessionNoSet: ['a', 'b'] });
  const r = f.seen[0]!;
  assert.equal(r.url, 'http://usms.test/api/v1/usms/USMSSendReceipt?id=a&id=b');
  assert.equal(r.method, 'GET');
  assert.equal(r.headers.authorization, 'Basic ' + Buffer.from('pk:secret').toString('base64'));
  assert.equal(r.headers['idempotency-key'], undefined);
  await c.sendBatchUSMSMessage({ TaskContent: [{ TemplateId: 'T', SenderId: 'S', Target: [{ Phone: '1' }] }] }, { idempotencyKey: 'k-1' });
  assert.equal(f.seen[1]!.url, 'http://usms.test/api/v1/usms/SendBatchUSMSMessage');
  assert.equal(f.seen[1]!.headers['idempotency-key'], 'k-1');
  await c.deleteUSMSTemplate({ TemplateIds: ['x', 'y'] });
  assert.equal(f.seen[2]!.method, 'DELETE');
  assert.equal(f.seen[2]!.url, 'http://usms.test/api/v1/usms/USMSTemplate?TemplateIds=x&TemplateIds=y');
  await assert.rejects(c.sendUSMSMessage({ PhoneNumbers: ['1'], TemplateId: 'T' }), (e: unknown) => {
    assert.ok(e instanceof UsmsUsageError);
    assert.match(e.message, /SendUSMSMessage has no REST v1 route/);
    return true;
  });
  await assert.rejects(c.pullUSMSReport(), UsmsUsageError);
  assert.equal(f.seen.length, 3);
});

test('RetCode != 0 is a UsmsApiError with retCode, message, action, reqUuid and the whole answer; not retried', async () => {
  const answer = { RetCode: 18017, Action: 'SendBatchUSMSMessageResponse', Message: 'template T does not exist', ReqUuid: 'r-1', FailContent: [{ TemplateId: 'T' }] };
  const f = fakeFetch([{ body: answer }]);
  const c = new UsmsClient({ ...opts, fetch: f.impl });
  await assert.rejects(c.sendBatchUSMSMessage({ TaskContent: [] }), (e: unknown) => {
    assert.ok(e instanceof UsmsApiError);
    assert.equal(e.retCode, 18017);
    assert.equal(e.message, 'template T does not exist');
    assert.equal(e.action, 'SendBatchUSMSMessage');
    assert.equal(e.reqUuid, 'r-1');
    assert.deepEqual(e.response, answer);
    return true;
  });
  assert.equal(f.seen.length, 1);
});

test('network errors, 5xx and transient RetCodes are retried with the same body, key and nonce', async () => {
  const f = fakeFetch([new TypeError('fetch failed'), { status: 502, body: 'bad gateway' }, { body: { RetCode: 18004, Message: 'retry later' } }, ok]);
  const c = new UsmsClient({ ...opts, fetch: f.impl });
  const res = await c.sendUSMSMessage({ PhoneNumbers: ['185'], TemplateId: 'T1' });
  assert.equal(res.SessionNo, 's-1');
  assert.equal(f.seen.length, 4);
  for (const r of f.seen) {
    assert.equal(r.body, f.seen[0]!.body);
    assert.equal(r.headers['idempotency-key'], f.seen[0]!.headers['idempotency-key']);
    assert.equal(r.headers['x-nonce'], f.seen[0]!.headers['x-nonce']);
  }
  // A new logical call gets a new key and nonce.
  await c.sendUSMSMessage({ PhoneNumbers: ['185'], TemplateId: 'T1' });
  assert.notEqual(f.seen[4]!.headers['idempotency-key'], f.seen[0]!.headers['idempotency-key']);
  assert.notEqual(f.seen[4]!.headers['x-nonce'], f.seen[0]!.headers['x-nonce']);
});

test('retries run out: UsmsRequestError with the attempts and the key to retry with', async () => {
  const f = fakeFetch([new TypeError('fetch failed')]);
  const c = new UsmsClient({ ...opts, retries: 2, fetch: f.impl });
  await assert.rejects(c.sendUSMSMessage({ PhoneNumbers: ['1'], TemplateId: 'T' }, { idempotencyKey: 'mine' }), (e: unknown) => {
    assert.ok(e instanceof UsmsRequestError);
    assert.equal(e.attempts, 3);
    assert.equal(e.idempotencyKey, 'mine');
    assert.match(e.message, /network error/);
    return true;
  });
  assert.equal(f.seen.length, 3);
});

test('a timeout per attempt, retried; an answer that is not JSON is not retried', async () => {
  const f = fakeFetch(['hang']);
  const c = new UsmsClient({ ...opts, retries: 1, timeoutMs: 50, fetch: f.impl });
  await assert.rejects(c.sendUSMSMessage({ PhoneNumbers: ['1'], TemplateId: 'T' }), /no answer within 50 ms after 2 attempt/);
  assert.equal(f.seen.length, 2);

  const g = fakeFetch([{ status: 200, body: '<html>proxy</html>' }]);
  const d = new UsmsClient({ ...opts, fetch: g.impl });
  await assert.rejects(d.sendUSMSMessage({ PhoneNumbers: ['1'], TemplateId: 'T' }), (e: unknown) => e instanceof UsmsRequestError && e.httpStatus === 200);
  assert.equal(g.seen.length, 1);
});

test("the caller's AbortSignal stops the call without retrying", async () => {
  const f = fakeFetch(['hang']);
  const c = new UsmsClient({ ...opts, fetch: f.impl });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(c.sendUSMSMessage({ PhoneNumbers: ['1'], TemplateId: 'T' }, { signal: ac.signal }), { name: 'AbortError' });
  assert.equal(f.seen.length, 1);
});

test('bad options are usage errors', () => {
  assert.throws(() => new UsmsClient({ ...opts, dialect: 'soap' as never }), UsmsUsageError);
  assert.throws(() => new UsmsClient({ ...opts, privateKey: '' }), UsmsUsageError);
  const c = new UsmsClient({ ...opts, fetch: fakeFetch([ok]).impl });
  return assert.rejects(c.call('SendUSMSMessage', {}, { idempotencyKey: 'has space' }), UsmsUsageError);
});
