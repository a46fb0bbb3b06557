import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { sign } from '../src/auth/signature.ts';
import { RetCode } from '../src/sms/errors.ts';
import { ServerProcess, basicAuth, ucloudGet, uspeedoPost, type Credentials } from './harness.ts';

/*
 * Hostile input against the real server: deep nesting, huge key counts, malformed HTTP, shutdown. Every
 * answer must be a documented RetCode, never a 5xx or a service error, and nothing may reach the log
 * with a stack trace. The query-string limit is only reachable with larger headers than Node's default
 * 16 KiB, hence --max-http-header-size here.
 */

const KNOWN_CODES = new Set<number>(Object.values(RetCode));
const SERVICE_ERRORS = new Set<number>([RetCode.ServiceError, 18007, RetCode.RestServerError]);
const HEADER_LIMIT = 131_072;

const deepArray = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const manyKeys = (n: number, prefix = '') => Array.from({ length: n }, (_, i) => `"K${i}":"v"`).join(',').replace(/^/, prefix);

interface RawAnswer {
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `bytes` on a fresh connection, half-closes it, and reads the first answer (if any) until the server closes. */
function rawExchange(url: string, bytes: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
    socket.write(bytes);
    socket.end();
  });
}

function parseAnswer(buf: Buffer): RawAnswer {
  const text = buf.toString('latin1');
  const head = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || head < 0) return { headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, head).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = buf.subarray(Buffer.byteLength(text.slice(0, head + 4), 'latin1'));
  if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
}

/** The rules every answer keeps; returns the parsed body when it is JSON. */
function checkAnswer(status: number | undefined, contentType: string | undefined, body: string, what: string): any {
  if (status !== undefined) assert.ok(status < 500, `${what}: HTTP ${status} ${body.slice(0, 200)}`);
  if (!body || !/json/.test(contentType ?? '')) return undefined;
  const parsed = JSON.parse(body);
  assert.ok(Number.isInteger(parsed.RetCode), `${what}: no integer RetCode in ${body.slice(0, 200)}`);
  assert.ok(KNOWN_CODES.has(parsed.RetCode), `${what}: RetCode ${parsed.RetCode} is not in the catalogue`);
  assert.ok(!SERVICE_ERRORS.has(parsed.RetCode), `${what}: service error ${body.slice(0, 200)}`);
  return parsed;
}

async function send(url: string, path: string, init: RequestInit, what: string): Promise<{ status: number; body: any }> {
  let res: Response;
  try {
    res = await fetch(url + path, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${what}: ${init.method ?? 'GET'} ${path.slice(0, 80)}: ${(err as Error).message} (${cause?.code ?? ''} ${cause?.message ?? ''})`, { cause: err });
  }
  const text = await res.text();
  return { status: res.status, body: checkAnswer(res.status, res.headers.get('content-type') ?? undefined, text, what) };
}

function uspeedoHeaders(creds: Credentials, signature: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-access-key-id': creds.PublicKey,
    'x-signature': signature,
    'x-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-nonce': randomUUID().replace(/-/g, ''),
    ...extra,
  };
}

/** The UCloud params with PublicKey, ProjectId and a valid Signature. */
function ucloudSigned(creds: Credentials, params: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { ...params, PublicKey: creds.PublicKey, ProjectId: creds.ProjectId };
  all.Signature = sign(all, creds.PrivateKey);
  return all;
}

/** The log has no stack trace and no error line. */
function assertCleanLog(server: ServerProcess): void {
  for (const line of server.output) {
    assert.doesNotMatch(line, /"stack"|\n\s+at |"level":(50|60)/, `server log: ${line.slice(0, 500)}`);
  }
}

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}

describe('hostile input, end to end', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let tpl: string;
  /** Only the valid probes use it: the fuzz may update or delete `tpl`. */
  let probeTpl: string;

  before(async () => {
    server = await ServerProcess.start({
      USMS_RATE_LIMIT: '1000000',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-http-header-size=${HEADER_LIMIT}`.trim(),
    });
    const a = await server.setupAccount({ templates: ['Your code is {1}', 'Your probe code is {1}'] });
    creds = a.creds;
    [tpl, probeTpl] = a.templateIds as [string, string];
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  const rest = (path: string, method: string, body: string, auth = basicAuth(creds)) =>
    send(server.url, path, { method, headers: { 'content-type': 'application/json', authorization: auth }, body }, `REST ${method} ${path}`);

  test('nesting 10,000 and 100,000 deep: 18000 (REST v1 215392, HTTP 200) before any signature work, with or without the secret', async () => {
    for (const deep of [deepArray(10_000), deepObject(10_000), deepArray(100_000)]) {
      const raw = `{"Action":"GetUSMSSendReceipt","AccountId":${creds.AccountId},"SessionNoSet":${deep}}`;
      for (const signature of ['0'.repeat(40), 'not-a-signature']) {
        const r = await send(server.url, '/api', { method: 'POST', headers: uspeedoHeaders(creds, signature), body: raw }, 'uSpeedo deep');
        assert.equal(r.status, 200);
        assert.equal(r.body.RetCode, RetCode.JsonParseError);
        assert.match(r.body.Message, /nests deeper than 32 levels/);
      }
      const u = await send(server.url, '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw }, 'UCloud JSON deep');
      assert.equal(u.body.RetCode, RetCode.JsonParseError);
      for (const auth of [basicAuth(creds), 'Basic AAAA']) {
        const r = await rest('/api/v1/usms/SendBatchUSMSMessage', 'POST', `{"TaskContent":${deep}}`, auth);
        assert.deepEqual([r.status, r.body.RetCode], [200, RetCode.RestParameterError]);
      }
    }
    // Deep inside an otherwise valid REST batch, where the answer would echo it back.
    const batch = `{"TaskContent":[{"TemplateId":"${tpl}","SenderId":"usms","Target":[{"Phone":"13800138000","TemplateParams":[${deepArray(10_000)}]}]}]}`;
    const r = await rest('/api/v1/usms/SendBatchUSMSMessage', 'POST', batch);
    assert.deepEqual([r.status, r.body.RetCode], [200, RetCode.RestParameterError]);
    const idem = await send(server.url, '/api/v1/usms/USMSTemplate', {
      method: 'PUT', headers: { 'content-type': 'application/json', authorization: basicAuth(creds), 'idempotency-key': randomUUID() },
      body: `{"TemplateId":"${tpl}","X":${deepArray(10_000)}}`,
    }, 'REST keyed deep');
    assert.deepEqual([idem.status, idem.body.RetCode], [200, RetCode.RestParameterError]);
  });

  test('TaskContent JSON nested too deep, in every form it travels, is 18000 (REST v1 215392)', async () => {
    const tasks = `[{"TemplateId":"${tpl}","SigContent":"usms","Target":[{"Phone":"13800138000","TemplateParams":[${deepArray(10_000)}]}]}]`;
    for (const taskContent of [Buffer.from(tasks).toString('base64'), tasks]) {
      const r = await ucloudGet(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: taskContent });
      checkAnswer(r.status, 'application/json', JSON.stringify(r.body), 'UCloud TaskContent');
      assert.equal(r.body.RetCode, RetCode.JsonParseError);
      assert.match(r.body.Message, /^TaskContent nests deeper than 32 levels/);
    }
    const u = await uspeedoPost(server.url, creds, { Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: tasks });
    assert.equal(u.body.RetCode, RetCode.JsonParseError);
    const r = await rest('/api/v1/usms/SendBatchUSMSMessage', 'POST', JSON.stringify({ TaskContent: tasks }));
    assert.deepEqual([r.status, r.body.RetCode], [200, RetCode.RestParameterError]);
  });

  test('key counts: 100,000 keys with a valid signature are 18000 at once; 49,000 are served', async (t) => {
    const body = (n: number) => `{"Action":"GetUSMSSendReceipt","AccountId":${creds.AccountId},"SessionNoSet":["none"],${manyKeys(n)}}`;
    const signed = (raw: string) => sign(JSON.parse(raw) as Record<string, unknown>, creds.PrivateKey);
    const big = body(100_000);
    const bigHeaders = uspeedoHeaders(creds, signed(big));
    let started = performance.now();
    const refused = await send(server.url, '/api', { method: 'POST', headers: bigHeaders, body: big }, '100k keys');
    const refusedMs = performance.now() - started;
    assert.equal(refused.body.RetCode, RetCode.JsonParseError);
    assert.match(refused.body.Message, /holds more than 50000 keys and array items/);
    const fits = body(49_000);
    const fitsHeaders = uspeedoHeaders(creds, signed(fits));
    started = performance.now();
    const served = await send(server.url, '/api', { method: 'POST', headers: fitsHeaders, body: fits }, '49k keys');
    const servedMs = performance.now() - started;
    assert.equal(served.body.RetCode, 0);
    assert.equal(served.body.Data[0].SessionNo, 'none');
    t.diagnostic(`100k keys refused in ${refusedMs.toFixed(0)} ms, 49k keys served in ${servedMs.toFixed(0)} ms`);
    const rest100k = await rest('/api/v1/usms/USMSTemplate', 'PUT', `{"TemplateId":"${tpl}",${manyKeys(100_000)}}`);
    assert.deepEqual([rest100k.status, rest100k.body.RetCode], [200, RetCode.RestParameterError]);
  });

  test('a form or query string of more than 10,000 params is 18003, signature or not', async () => {
    const params: Record<string, string> = { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': 'none' };
    for (let i = 0; i < 10_001; i++) params[`P${i}`] = '';
    const form = new URLSearchParams(ucloudSigned(creds, params)).toString();
    const f = await send(server.url, '/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }, 'big form');
    assert.equal(f.body.RetCode, RetCode.InvalidParameter);
    assert.match(f.body.Message, /more than 10000 params/);
    const q = await send(server.url, `/?${form}`, { method: 'GET' }, 'big query');
    assert.equal(q.body.RetCode, RetCode.InvalidParameter);
    assert.match(q.body.Message, /query string has more than 10000 params/);
    // 1000 numbers and the other params of the largest UCloud send are far below it.
    const ok: Record<string, string> = { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': 'none' };
    for (let i = 0; i < 1100; i++) ok[`P${i}`] = '';
    const s = await send(server.url, '/', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(ucloudSigned(creds, ok)).toString(),
    }, 'form of 1100');
    assert.equal(s.body.RetCode, 0);
  });

  test('a NUL character in any text is 18003 (REST v1 215392), never a database error', async () => {
    const u = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: ['a\u0000b'] });
    assert.deepEqual([u.body.RetCode, u.body.Message], [RetCode.InvalidParameter, 'request body holds the NUL character (U+0000)']);
    const g = await ucloudGet(server.url, creds, { Action: 'QueryUSMSTemplate', 'TemplateId.0': '\u0000' });
    assert.equal(g.body.RetCode, RetCode.InvalidParameter);
    const f = await send(server.url, '/', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(ucloudSigned(creds, { Action: 'QueryUSMSTemplate', 'TemplateId.0': 'x\u0000' })).toString(),
    }, 'form NUL');
    assert.equal(f.body.RetCode, RetCode.InvalidParameter);
    const tasks = JSON.stringify([{ TemplateId: tpl, SigContent: 'usms', Target: [{ Phone: '13800138000', TemplateParams: ['\u0000'] }] }]);
    const b = await ucloudGet(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from(tasks).toString('base64') });
    assert.equal(b.body.RetCode, RetCode.InvalidParameter);
    const r = await rest('/api/v1/usms/USMSTemplate', 'POST', JSON.stringify({ Template: 'code {1}\u0000', TemplateName: 'n', Purpose: 1 }));
    assert.deepEqual([r.status, r.body.RetCode], [200, RetCode.RestParameterError]);
    const q = await send(server.url, `/api/v1/usms/USMSSendReceipt?id=%00`, { headers: { authorization: basicAuth(creds) } }, 'REST query NUL');
    assert.deepEqual([q.status, q.body.RetCode], [200, RetCode.RestParameterError]);
  });

  test("Fastify's and Node's own refusals carry a RetCode", async () => {
    const badUrl = await send(server.url, '/%zz', { method: 'GET' }, 'bad url');
    assert.deepEqual([badUrl.status, badUrl.body.RetCode], [200, RetCode.BadFormat]);
    const badRestUrl = await send(server.url, '/api/v1/usms/%E0%A4%A', { method: 'GET' }, 'bad REST url');
    assert.deepEqual([badRestUrl.status, badRestUrl.body.RetCode], [400, RetCode.RestParameterError]);
    const media = await send(server.url, '/api/v1/usms/USMSTemplate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }, '415');
    assert.deepEqual([media.status, media.body.RetCode], [415, RetCode.RestParameterError]);
    // Node's HTTP parser: garbage, a bad header, headers over the limit.
    for (const bytes of [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(HEADER_LIMIT + 10)}\r\n\r\n`,
    ]) {
      const a = await rawExchange(server.url, bytes);
      assert.ok(a.status === 400 || a.status === 431, `${JSON.stringify(bytes.slice(0, 40))}: ${a.status} ${a.body}`);
      assert.equal(checkAnswer(a.status, a.headers['content-type'], a.body, 'client error').RetCode, RetCode.BadFormat);
    }
    // Declared over the body limit: refused from the header, before the body is read.
    const big = await rawExchange(server.url, 'POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{}');
    assert.deepEqual([big.status, checkAnswer(big.status, big.headers['content-type'], big.body, '413').RetCode], [200, RetCode.BadFormat]);
  });

  test('a URL over the header limit is answered (431, 18002) even while the client is still writing it', async () => {
    // Closing with the rest of the URL unread would reset the connection and lose the answer in flight.
    for (let i = 0; i < 30; i++) {
      const size = [HEADER_LIMIT * 2, 1_000_000, 4_000_000][i % 3]!;
      const a = await send(server.url, `/?Action=GetUSMSSendReceipt&TaskContent=${'a'.repeat(size)}`, { method: 'GET' }, `${size}-byte URL`);
      assert.deepEqual([a.status, a.body.RetCode], [431, RetCode.BadFormat]);
    }
  });

  test('fuzz: thousands of hostile requests per dialect, valid requests still answered in between', async (t) => {
    const seed = Number(process.env.USMS_FUZZ_SEED ?? 20261207);
    const perDialect = Number(process.env.USMS_FUZZ_REQUESTS ?? 1500);
    const r = prng(seed);
    t.diagnostic(`fuzz seed ${seed} (USMS_FUZZ_SEED), ${perDialect} requests per dialect`);
    const started = performance.now();

    const bigKeys = `{"Action":"GetUSMSSendReceipt","AccountId":${creds.AccountId},${manyKeys(120_000)}}`;
    const bigItems = '[' + '0,'.repeat(300_000) + '0]';
    const oversize = `{"x":"${'a'.repeat(2 * 1024 * 1024 + 10)}"}`;
    const actions = ['SendUSMSMessage', 'SendBatchUSMSMessage', 'GetUSMSSendReceipt', 'QueryUSMSTemplate', 'CreateUSMSTemplate', 'UpdateUSMSTemplate',
      'PullUSMSReport', 'GetUSMSSendStatistics', 'AddUSMSSignature', 'NoSuchAction', '', '__proto__', 'constructor', 'toString'];
    const strings = ['', ' ', '0', '-1', '1e400', 'null', 'true', '[]', '{}', '\u0000', '\ud800', '😀'.repeat(50), 'a'.repeat(5000), '%zz', '../../etc/passwd',
      "' or 1=1 --", '<script>', '13800138000', '(86)13800138000', '+8613800138000', tpl, 'UTA0000', 'usms'];

    const randomValue = (depth: number): unknown => {
      const kind = r.int(depth > 0 ? 9 : 6);
      switch (kind) {
        case 0: return null;
        case 1: return r.chance(0.5);
        case 2: return r.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 1000, 32]);
        case 3: case 4: case 5: return r.pick(strings);
        case 6: case 7: return Array.from({ length: r.int(5) }, () => randomValue(depth - 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = r.int(5); i > 0; i--) o[r.pick(['Phone', 'TemplateParams', 'Target', 'TemplateId', '__proto__', 'constructor', 'x', ''])] = randomValue(depth - 1);
          return o;
        }
      }
    };
    const hostileObject = (): Record<string, unknown> => {
      const o: Record<string, unknown> = { Action: r.chance(0.8) ? r.pick(actions) : randomValue(2), AccountId: r.chance(0.7) ? creds.AccountId : randomValue(1) };
      for (const field of ['TaskContent', 'PhoneNumbers', 'TemplateId', 'TemplateParams', 'SessionNoSet', 'SenderId', 'Template', 'TemplateIds', 'Limit']) {
        if (r.chance(0.4)) o[field] = randomValue(3);
      }
      return o;
    };
    /** A JSON text that is hostile in one of many ways; `sig` signs it when it can be signed. */
    const hostileJson = (): { text: string | Uint8Array<ArrayBuffer>; object?: Record<string, unknown> } => {
      // Mostly small bodies: the big ones are few (2%), each costs the server a full scan.
      const kind = r.int(50);
      switch (kind < 5 ? 0 : kind === 5 ? 1 : kind < 11 ? 2 : kind < 16 ? 3 : kind < 21 ? 4 : 5) {
        case 0: return { text: `{"Action":"GetUSMSSendReceipt","X":${r.chance(0.5) ? deepArray(r.pick([31, 33, 500, 10_000, 60_000])) : deepObject(r.pick([31, 33, 10_000]))}}` };
        case 1: return { text: r.chance(0.5) ? bigKeys : bigItems };
        case 2: {
          const text = JSON.stringify(hostileObject());
          return { text: text.slice(0, r.int(text.length)) }; // truncated
        }
        case 3: {
          const bytes = Buffer.from(JSON.stringify(hostileObject()));
          for (let i = 0; i < 3; i++) bytes[r.int(bytes.length)] = r.pick([0xff, 0xfe, 0xc0, 0x80, 0xed, 0x00, 0x22, 0x5c]);
          return { text: new Uint8Array(bytes) }; // bad UTF-8, broken quotes
        }
        case 4: return { text: r.pick(['', ' ', 'null', '[]', '"x"', '1', '{}', '{"Action":null}', 'nul', '\ufeff{}', '{"a":1}{"b":2}']) };
        default: {
          const object = hostileObject();
          return { text: JSON.stringify(object), object };
        }
      }
    };
    const contentType = () => r.chance(0.85) ? 'application/json' : r.pick(['text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-16',
      'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/JSON', 'application/json, text/html', ';;;', 'application/vnd.api+json', '']);
    const headerJunk = (): Record<string, string> => {
      const h: Record<string, string> = {};
      if (r.chance(0.2)) h['idempotency-key'] = r.pick(['', 'k', 'x'.repeat(300), 'has space', randomUUID()]);
      if (r.chance(0.1)) h['x-timestamp'] = r.pick(['', 'abc', '99999999999999', '-1', '1']);
      if (r.chance(0.1)) h['x-nonce'] = r.pick(['', 'n'.repeat(40), 'dup']);
      if (r.chance(0.05)) h['content-encoding'] = r.pick(['gzip', 'br', 'identity']);
      return h;
    };

    const uspeedo = async (valid: boolean) => {
      const { text, object } = hostileJson();
      const signature = valid && object ? sign(object, creds.PrivateKey) : r.pick(['0'.repeat(40), 'zz', '']);
      const headers: Record<string, string> = { ...uspeedoHeaders(creds, signature), ...headerJunk(), 'content-type': contentType() };
      if (!headers['content-type']) delete headers['content-type'];
      if (!headers['x-signature']) delete headers['x-signature'];
      await send(server.url, r.pick(['/api', '/api?Action=SendUSMSMessage', '/']), { method: 'POST', headers, body: text }, `uSpeedo ${valid ? 'valid key' : 'wrong signature'}`);
    };
    const ucloud = async () => {
      const params: Record<string, string> = { Action: r.chance(0.8) ? r.pick(actions) : String(randomValue(0)) };
      for (let i = r.int(6); i > 0; i--) params[r.pick(['PhoneNumbers.0', 'PhoneNumbers.9999', 'TemplateParams.0', 'TemplateId', 'SessionNoSet.0', 'Limit', 'x.y.z', 'TaskContent', '__proto__'])] = String(r.pick(strings));
      if (r.chance(0.3)) {
        const { text } = hostileJson();
        params.TaskContent = r.chance(0.5) ? Buffer.from(text).toString('base64') : String(text);
      }
      const all = r.chance(0.6) ? ucloudSigned(creds, params) : { ...params, PublicKey: r.pick([creds.PublicKey, 'nokey', '']), Signature: r.pick(['x', '']) };
      const how = r.int(4);
      if (how === 0) {
        await send(server.url, `/?${new URLSearchParams(all)}`, { method: 'GET', headers: headerJunk() }, 'UCloud GET');
      } else if (how === 1) {
        let body = new URLSearchParams(all).toString();
        if (r.chance(0.2)) body = body.slice(0, r.int(body.length)) + r.pick(['%', '%zz', '&&&', '=', '%C0%80', '\u0000']);
        await send(server.url, '/', { method: 'POST', headers: { 'content-type': r.chance(0.9) ? 'application/x-www-form-urlencoded' : contentType(), ...headerJunk() }, body }, 'UCloud form');
      } else if (how === 2) {
        await send(server.url, '/', { method: 'POST', headers: { 'content-type': 'application/json', ...headerJunk() }, body: JSON.stringify(all) }, 'UCloud JSON');
      } else {
        const { text } = hostileJson();
        await send(server.url, r.pick(['/', '/api']), { method: 'POST', headers: { 'content-type': contentType() }, body: text }, 'UCloud hostile body');
      }
    };
    const restV1 = async () => {
      const auth = r.chance(0.7) ? basicAuth(creds) : r.pick(['Basic', 'Basic !!!', 'Basic ' + Buffer.from('nocolon').toString('base64'), 'Bearer x', basicAuth({ ...creds, PrivateKey: 'wrong' })]);
      const route = r.pick([
        ['POST', '/api/v1/usms/SendBatchUSMSMessage'], ['GET', '/api/v1/usms/USMSSendReceipt'], ['POST', '/api/v1/usms/USMSTemplate'],
        ['GET', '/api/v1/usms/USMSTemplate'], ['PUT', '/api/v1/usms/USMSTemplate'], ['DELETE', '/api/v1/usms/USMSTemplate'], ['PATCH', '/api/v1/usms/USMSTemplate'],
        ['POST', '/api/v1/usms/Nope'], ['GET', '/api/v1/'],
      ] as const);
      const [method, path] = route;
      const query = r.chance(0.3) ? '?' + r.pick(['id=', 'id=a&id=b', 'TemplateId=' + tpl, 'TemplateIds=%zz', 'Page=-1&NumPerPage=1e9', 'id[]=x', 'a'.repeat(2000)]) : '';
      const hasBody = method !== 'GET' && r.chance(0.9);
      let body: string | Uint8Array<ArrayBuffer> | undefined;
      if (hasBody) {
        const { text } = hostileJson();
        body = r.chance(0.3) ? JSON.stringify({ TaskContent: r.chance(0.5) ? String(text) : randomValue(4) }) : text;
      }
      await send(server.url, path + query, { method, headers: { authorization: auth, 'content-type': contentType(), ...headerJunk() }, body }, `REST ${method} ${path}`);
    };
    const rawGarbage = async () => {
      const choice = r.int(10);
      let bytes: string | Buffer;
      if (choice === 0) bytes = Buffer.from(Array.from({ length: 1 + r.int(300) }, () => r.int(256)));
      else if (choice === 1) bytes = `POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${1000 + r.int(1000)}\r\n\r\n{"Action":"Send`; // truncated
      else if (choice === 2) bytes = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n';
      else if (choice === 3) bytes = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}';
      else if (choice === 4) bytes = `${r.pick(['GET', 'BREW', 'G\u0000T', 'get'])} ${r.pick(['/', '*', 'http://x/', '/\r', '/ /'])} ${r.pick(['HTTP/1.1', 'HTTP/9.9', 'HTTP/1.1 x', ''])}\r\nHost: x\r\n\r\n`;
      else if (choice === 5) bytes = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
      else if (choice === 6) bytes = `GET / HTTP/1.1\r\nHost: x\r\n${r.pick(['X: \u0000', 'X:\r\n y', ': empty', 'X-Access-Key-Id: ' + creds.PublicKey + '\r\nX-Access-Key-Id: b', 'Content-Length: 1\r\nContent-Length: 2'])}\r\n\r\n`;
      else if (choice === 7) bytes = Buffer.concat([Buffer.from('POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 6\r\n\r\n'), Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0xc0, 0x7d])]);
      else if (choice === 8) bytes = `POST /api/v1/usms/SendBatchUSMSMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${3 * 1024 * 1024}\r\n\r\n{`;
      else bytes = `GET /?${'a=1&'.repeat(r.int(3000))} HTTP/1.1\r\nHost: x\r\n\r\n`;
      const a = await rawExchange(server.url, bytes);
      checkAnswer(a.status, a.headers['content-type'], a.body, `raw ${JSON.stringify(bytes.toString().slice(0, 60))}`);
      if (a.status !== undefined && a.body) assert.match(a.headers['content-type'] ?? '', /json/, `raw: answer without JSON: ${a.body.slice(0, 100)}`);
    };

    // Valid requests, one per dialect, answered correctly.
    const valid = async () => {
      const u = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: ['probe'] });
      assert.equal(u.body.RetCode, 0, JSON.stringify(u.body));
      assert.equal(u.body.Data[0].SessionNo, 'probe');
      const c = await ucloudGet(server.url, creds, { Action: 'QueryUSMSTemplate', 'TemplateId.0': probeTpl });
      assert.equal(c.body.RetCode, 0, JSON.stringify(c.body));
      assert.equal(c.body.Data[0].TemplateId, probeTpl);
      const t = await send(server.url, `/api/v1/usms/USMSTemplate?TemplateId=${probeTpl}`, { headers: { authorization: basicAuth(creds) } }, 'REST valid');
      assert.equal(t.body.RetCode, 0, JSON.stringify(t.body));
      assert.equal(t.body.Data[0].TemplateId, probeTpl);
    };

    const jobs: Array<() => Promise<void>> = [];
    for (let i = 0; i < perDialect; i++) {
      jobs.push(() => uspeedo(true), () => uspeedo(false), ucloud, restV1);
      if (i % 4 === 0) jobs.push(rawGarbage);
      // The server answers an oversize body (RetCode 18002) and closes without reading the rest: a client still
      // writing may get EPIPE/ECONNRESET instead of reading that answer. Either is fine; nothing else is.
      if (i % 200 === 100) jobs.push(() => send(server.url, '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: oversize }, 'oversize').then(
        () => {},
        (err: Error) => assert.match(err.message, /\((EPIPE|ECONNRESET|UND_ERR_SOCKET) /, err.message),
      ));
      if (i % 200 === 0) jobs.push(valid);
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await jobs[next++]!();
    };
    try {
      await Promise.all(Array.from({ length: 6 }, worker));
    } catch (err) {
      // What the server logged explains a service error better than its answer.
      const logged = server.output.filter((l) => /"level":(40|50|60)/.test(l)).slice(-5).map((l) => l.slice(0, 1500));
      throw new Error(`${(err as Error).message}\nserver log:\n${logged.join('\n')}`, { cause: err });
    }
    await valid();
    // And a real send goes through.
    const sent = await uspeedoPost(server.url, creds, { Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: probeTpl, TemplateParams: ['1234'], PhoneNumbers: ['13800138000'] });
    assert.equal(sent.body.RetCode, 0, JSON.stringify(sent.body));
    assert.match(sent.body.SessionNo, /^[0-9a-f-]{36}$/);
    t.diagnostic(`${jobs.length} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assertCleanLog(server);
  });

  test('the log has no stack trace for any of it', () => {
    assertCleanLog(server);
  });
});

describe('shutting down', () => {
  test('a request arriving while the server closes is answered "service unavailable" with a RetCode, not a bare 503', async () => {
    const server = await ServerProcess.start({ USMS_LOG_LEVEL: 'info' });
    const { hostname, port } = new URL(server.url);
    // Open connections whose request line has arrived but not the end of their headers: not idle, so kept open.
    const pending = [
      { path: '/api', head: 'POST /api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' },
      { path: '/api/v1/usms/USMSTemplate', head: 'GET /api/v1/usms/USMSTemplate HTTP/1.1\r\nHost: x\r\n' },
      { path: '/healthz', head: 'GET /healthz HTTP/1.1\r\nHost: x\r\n' },
    ].map(({ path, head }) => {
      const socket = connect({ host: hostname, port: Number(port) });
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', () => {});
      const closed = new Promise<RawAnswer>((resolve) => socket.on('close', () => resolve(parseAnswer(Buffer.concat(chunks)))));
      socket.write(head);
      return { path, socket, closed };
    });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const stopped = server.stop();
    const until = Date.now() + 10_000;
    while (!server.output.some((l) => l.includes('shutting down')) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    for (const p of pending) p.socket.end(p.path === '/api' ? 'Content-Length: 2\r\n\r\n{}' : '\r\n');
    const answers = await Promise.all(pending.map((p) => p.closed));
    const [action, restV1, health] = answers.map((a) => ({ status: a.status, body: checkAnswerShape(a) }));
    assert.deepEqual(action, { status: 200, body: { RetCode: RetCode.ServiceUnavailable, Message: 'service unavailable: the server is shutting down, retry the request' } });
    assert.deepEqual([restV1!.status, restV1!.body.RetCode], [503, RetCode.RestServerError]);
    assert.deepEqual([health!.status, health!.body.RetCode], [503, RetCode.ServiceUnavailable]);
    const t1 = Date.now();
    assert.equal(await stopped, 0);
    console.log('closing timing', t1 - t0, Date.now() - t1, server.output.filter((l) => /shutting|stopped/.test(l)));
  });
});

function checkAnswerShape(a: RawAnswer): any {
  assert.match(a.headers['content-type'] ?? '', /json/, `no JSON answer: ${a.status} ${a.body}`);
  assert.equal(a.headers.connection, 'close');
  return JSON.parse(a.body);
}
