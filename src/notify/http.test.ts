import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postPush } from './http.ts';

let server: Server;
let base: string;
const seen: Array<{ path: string; body: string; headers: Record<string, unknown> }> = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url!, body, headers: req.headers });
      switch (req.url) {
        case '/ok': return void res.end('{"code":0,"message":"ok"}');
        case '/ok-string': return void res.end('{"code":"0"}');
        case '/code1': return void res.end('{"code":1,"message":"busy"}');
        case '/garbage': return void res.end('<html>hello</html>');
        case '/500': res.statusCode = 500; return void res.end('{"code":0}');
        case '/redirect': res.statusCode = 302; res.setHeader('location', '/ok'); return void res.end();
        case '/slow': return void setTimeout(() => res.end('{"code":0}'), 1000);
        case '/huge': return void res.end('{"code":0,"pad":"' + 'x'.repeat(200_000) + '"}');
        default: res.statusCode = 404; return void res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const opts = { timeoutMs: 300, maxResponseBytes: 64 * 1024 };

test('ok only for 2xx with JSON code 0; the body and headers arrive as given', async () => {
  assert.deepEqual(await postPush(`${base}/ok`, '{"MsgType":2,"Data":[]}', { 'x-usms-signature': 'sha256=ab' }, opts), { ok: true, status: 200 });
  const last = seen.at(-1)!;
  assert.equal(last.body, '{"MsgType":2,"Data":[]}');
  assert.equal(last.headers['x-usms-signature'], 'sha256=ab');
  assert.match(String(last.headers['content-type']), /^application\/json/);
  assert.deepEqual(await postPush(`${base}/ok-string`, '{}', {}, opts), { ok: true, status: 200 });
});

test('everything else is a failure with a reason', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/code1', /code is not 0/],
    ['/garbage', /not JSON: <html>hello/],
    ['/500', /^HTTP 500/],
    ['/redirect', /^HTTP 302/],
    ['/slow', /no answer within 300 ms/],
    ['/huge', /larger than 65536 bytes/],
  ];
  for (const [path, reason] of cases) {
    const r = await postPush(`${base}${path}`, '{}', {}, opts);
    assert.equal(r.ok, false, path);
    assert.match(r.error!, reason, path);
  }
});

test('connection refused is a failure, not an exception', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const r = await postPush(`http://127.0.0.1:${port}/`, '{}', {}, opts);
  assert.equal(r.ok, false);
  assert.match(r.error!, /ECONNREFUSED/);
});
