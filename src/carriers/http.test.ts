import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioFake } from '../../test/fakes/twilio-fake.ts';
import { VonageFake } from '../../test/fakes/vonage-fake.ts';
import type { Receipt } from '../sms/carrier-events.ts';
import type { OutboundMessage, SubmitResult } from './carrier.ts';
import { HttpCarrier, type HttpCarrierOptions } from './http.ts';
import { httpSettingsFor } from './http-presets.ts';
import type { HttpSettings, HttpSettingsOverrides } from './http-settings.ts';
import { parseReceiptWebhook } from './http-webhook.ts';

const LONG = 'The quick brown fox jumps over the lazy dog. '.repeat(5).trim(); // 224 GSM-7 characters: 2 parts

function msg(id: number, o: Partial<OutboundMessage> = {}): OutboundMessage {
  return { id, e164: '+447700900123', region: 'GB', sender: 'ACME', content: 'Your code is 1234', encoding: 'GSM7', segments: 1, extendCode: '', attempts: 1, priorParts: [], ...o };
}

const FAST: Partial<HttpCarrierOptions> = { backoffMs: 5 };

function twilioCarrier(fake: TwilioFake, o: HttpSettingsOverrides = {}, opts: Partial<HttpCarrierOptions> = {}, token = fake.authToken): HttpCarrier {
  const settings = httpSettingsFor('twilio', { baseUrl: fake.url, username: fake.accountSid, from: '+15005550006', ...o });
  return new HttpCarrier('tw', settings, token, { atLeastOnce: false, receiptUrl: '', ...FAST, ...opts });
}

function vonageCarrier(fake: VonageFake, o: HttpSettingsOverrides = {}, opts: Partial<HttpCarrierOptions> = {}, secret = fake.apiSecret): HttpCarrier {
  const settings = httpSettingsFor('vonage', { baseUrl: fake.url, username: fake.apiKey, from: 'ACME', ...o });
  return new HttpCarrier('vg', settings, secret, { atLeastOnce: false, receiptUrl: '', ...FAST, ...opts });
}

async function sendOne(carrier: HttpCarrier, m: OutboundMessage): Promise<SubmitResult> {
  const [result] = await carrier.submit([m]);
  return result!;
}

/** Our receipt webhook: hands each request to parseReceiptWebhook, answers its status, keeps the receipts. */
async function webhook(settings: HttpSettings, secret: string): Promise<{ url: string; receipts: Receipt[]; close(): Promise<void> }> {
  const receipts: Receipt[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
    const r = parseReceiptWebhook(settings, secret, { method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    if (r.ok) receipts.push(...r.receipts);
    res.writeHead(r.ok ? 200 : r.status).end(r.ok ? '' : r.error);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/carriers/x/receipts`,
    receipts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('Twilio: a message is created with To, From, Body and StatusCallback; the sid is the carrier id', async () => {
  const fake = await TwilioFake.start();
  try {
    const carrier = twilioCarrier(fake, {}, { receiptUrl: 'https://sms.example.com/carriers/tw/receipts' });
    await carrier.start({ receipts: async () => {}, inbound: async () => {} });
    const result = await sendOne(carrier, msg(7, { content: 'Ünïcode & more' }));
    assert.equal(result.ok, true);
    const m = fake.messages[0]!;
    assert.deepEqual(result, { ok: true, carrierMsgId: m.sid });
    assert.deepEqual([m.to, m.from, m.body, m.statusCallback], ['+447700900123', '+15005550006', 'Ünïcode & more', 'https://sms.example.com/carriers/tw/receipts']);
    const s = carrier.status();
    assert.deepEqual([s.state, s.submitted, s.accepted, s.errors, s.window_size, s.window_used, s.queued], ['ready', 1, 1, 0, 10, 0, 0]);
    assert.deepEqual(carrier.capacity, { window: 10, prefetch: 10, throughput: 0 });
    assert.equal(carrier.kind, 'http');
    await carrier.stop();
  } finally {
    await fake.close();
  }
});

test('Twilio: without a receipt URL or a carrier sender, StatusCallback is left out and From is the message sender', async () => {
  const fake = await TwilioFake.start();
  try {
    const carrier = twilioCarrier(fake, { from: '' });
    assert.equal((await sendOne(carrier, msg(1, { sender: '+15005550009' }))).ok, true);
    assert.deepEqual(Object.keys(fake.requests[0]!.params).sort(), ['Body', 'From', 'To']);
    assert.equal(fake.messages[0]!.from, '+15005550009');
  } finally {
    await fake.close();
  }
});

test('Twilio: status callbacks reach the webhook signed, and a wrong auth token there is refused', async () => {
  const fake = await TwilioFake.start();
  const settings = httpSettingsFor('twilio', { baseUrl: fake.url, username: fake.accountSid, from: '+15005550006' });
  const hook = await webhook(settings, fake.authToken);
  const wrong = await webhook(settings, 'not-the-token');
  try {
    const carrier = new HttpCarrier('tw', settings, fake.authToken, { atLeastOnce: false, receiptUrl: hook.url });
    const sent = await sendOne(carrier, msg(1));
    assert.ok(sent.ok);
    assert.equal(await fake.sendReceipt(sent.carrierMsgId, 'sent'), 200);
    assert.equal(await fake.sendReceipt(sent.carrierMsgId, 'delivered'), 200);
    assert.deepEqual(hook.receipts.map((r) => [r.carrierMsgId, r.code, r.desc]), [
      [sent.carrierMsgId, 'ENROUTE', 'sent'],
      [sent.carrierMsgId, 'DELIVRD', 'delivered'],
    ]);
    const other = new HttpCarrier('tw', settings, fake.authToken, { atLeastOnce: false, receiptUrl: wrong.url });
    const again = await sendOne(other, msg(2));
    assert.ok(again.ok);
    assert.equal(await fake.sendReceipt(again.carrierMsgId, 'undelivered'), 403);
    assert.equal(wrong.receipts.length, 0);
  } finally {
    await fake.close();
    await hook.close();
    await wrong.close();
  }
});

test('Twilio: automatic receipts after a delay', async () => {
  const fake = await TwilioFake.start({ autoReceipt: { delayMs: 10, status: 'undelivered', errorCode: '30005' } });
  const settings = httpSettingsFor('twilio', { baseUrl: fake.url, username: fake.accountSid, from: '+15005550006' });
  const hook = await webhook(settings, fake.authToken);
  try {
    const carrier = new HttpCarrier('tw', settings, fake.authToken, { atLeastOnce: false, receiptUrl: hook.url });
    const sent = await sendOne(carrier, msg(1));
    assert.ok(sent.ok);
    while (fake.messages[0]!.callbacks.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(hook.receipts.map((r) => [r.carrierMsgId, r.code, r.desc]), [[sent.carrierMsgId, 'UNDELIV', 'undelivered, error 30005']]);
  } finally {
    await fake.close();
    await hook.close();
  }
});

test('Twilio: a 400 is permanent with the provider code; bad credentials too', async () => {
  const fake = await TwilioFake.start();
  try {
    const result = await sendOne(twilioCarrier(fake), msg(1, { e164: '+12' }));
    assert.deepEqual(result, { ok: false, kind: 'permanent', code: 'TWILIO_21211', desc: "HTTP 400: The 'To' number +12 is not a valid phone number." });
    assert.equal(fake.requests.length, 1, 'not retried');
    const denied = await sendOne(twilioCarrier(fake, {}, {}, 'wrong-token'), msg(2));
    assert.deepEqual(denied, { ok: false, kind: 'permanent', code: 'TWILIO_20003', desc: 'HTTP 401: Authenticate' });
  } finally {
    await fake.close();
  }
});

test('Twilio: a 429 is retried and then succeeds', async () => {
  const fake = await TwilioFake.start();
  try {
    fake.failWith(429, { times: 1 });
    const carrier = twilioCarrier(fake);
    const result = await sendOne(carrier, msg(1));
    assert.equal(result.ok, true);
    assert.deepEqual(fake.requests.map((r) => r.answered), [429, 201]);
    const s = carrier.status();
    assert.deepEqual([s.submitted, s.accepted, s.throttled, s.errors], [2, 1, 1, 0]);
  } finally {
    await fake.close();
  }
});

test('a 503 every time: temporary after the retries, counted (not uncounted) so the message may move on', async () => {
  const fake = await TwilioFake.start();
  try {
    fake.failWith(503);
    const carrier = twilioCarrier(fake, { retries: 2 });
    const result = await sendOne(carrier, msg(1));
    assert.deepEqual(result, { ok: false, kind: 'temporary', code: 'TWILIO_20503', desc: 'HTTP 503: Service Unavailable' });
    assert.equal(fake.requests.length, 3);
    assert.equal(carrier.status().errors, 1);
    assert.match(carrier.status().last_error, /TWILIO_20503/);
    fake.recover();
    assert.equal((await sendOne(carrier, msg(2))).ok, true);
  } finally {
    await fake.close();
  }
});

test('a Retry-After longer than the carrier waits ends the retries at once', async () => {
  const fake = await TwilioFake.start();
  try {
    fake.failWith(429, { retryAfter: 60 });
    const result = await sendOne(twilioCarrier(fake), msg(1));
    assert.deepEqual(result, { ok: false, kind: 'temporary', code: 'TWILIO_20429', desc: 'HTTP 429: Too Many Requests' });
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

test('Vonage: a long message is split by the provider; each part is reported, the first id is the carrier id', async () => {
  const fake = await VonageFake.start();
  try {
    const carrier = vonageCarrier(fake, {}, { receiptUrl: 'https://sms.example.com/carriers/vg/receipts' });
    const result = await sendOne(carrier, msg(42, { content: LONG, segments: 2 }));
    const m = fake.messages[0]!;
    assert.equal(m.ids.length, 2);
    assert.deepEqual(result, {
      ok: true,
      carrierMsgId: m.ids[0],
      parts: [
        { messageId: 42, partNo: 1, total: 2, carrierMsgId: m.ids[0], ref: 0, e164: '+447700900123' },
        { messageId: 42, partNo: 2, total: 2, carrierMsgId: m.ids[1], ref: 0, e164: '+447700900123' },
      ],
    });
    assert.deepEqual([m.to, m.from, m.type, m.clientRef, m.callback], ['447700900123', 'ACME', 'text', '42', 'https://sms.example.com/carriers/vg/receipts']);
    const params = fake.requests[0]!.params;
    assert.deepEqual([params.api_key, params.api_secret], [fake.apiKey, fake.apiSecret]);
    assert.equal((await sendOne(carrier, msg(43, { content: 'Привет', encoding: 'UCS2' }))).ok, true);
    assert.equal(fake.messages[1]!.type, 'unicode');
    assert.equal((await sendOne(carrier, msg(44, { content: 'naïve ☃', encoding: 'GSM7' }))).ok, true);
    assert.equal(fake.messages[2]!.type, 'unicode', 'text that is not GSM-7 goes as unicode whatever the encoding says');
  } finally {
    await fake.close();
  }
});

test('Vonage: receipts per part reach the webhook as a GET query and as JSON', async () => {
  const fake = await VonageFake.start();
  const settings = httpSettingsFor('vonage', { baseUrl: fake.url, username: fake.apiKey, from: 'ACME' });
  const hook = await webhook(settings, '');
  try {
    const carrier = new HttpCarrier('vg', settings, fake.apiSecret, { atLeastOnce: false, receiptUrl: hook.url });
    const sent = await sendOne(carrier, msg(42, { content: LONG }));
    assert.ok(sent.ok);
    assert.equal(await fake.sendReceipt(sent.carrierMsgId, 'delivered'), 200);
    assert.equal(await fake.sendReceipt(sent.carrierMsgId, 'expired', { method: 'POST-JSON', errCode: '2' }), 200);
    assert.equal(await fake.sendReceipt(sent.carrierMsgId, 'rejected', { method: 'POST-FORM', errCode: '6' }), 200);
    const ids = fake.messages[0]!.ids;
    assert.deepEqual(hook.receipts.map((r) => [r.carrierMsgId, r.code, r.desc]), [
      [ids[0], 'DELIVRD', 'delivered'],
      [ids[1], 'DELIVRD', 'delivered'],
      [ids[0], 'EXPIRED', 'expired, error 2'],
      [ids[1], 'EXPIRED', 'expired, error 2'],
      [ids[0], 'REJECTD', 'rejected, error 6'],
      [ids[1], 'REJECTD', 'rejected, error 6'],
    ]);
  } finally {
    await fake.close();
    await hook.close();
  }
});

test('Vonage: status 1 (throttled) is retried, and temporary when it lasts', async () => {
  const fake = await VonageFake.start();
  try {
    const carrier = vonageCarrier(fake, { retries: 1 });
    fake.rejectWith('1', { times: 1 });
    assert.equal((await sendOne(carrier, msg(1))).ok, true);
    fake.rejectWith('1');
    const result = await sendOne(carrier, msg(2));
    assert.deepEqual(result, { ok: false, kind: 'temporary', code: 'VONAGE_1', desc: 'provider status 1: Throughput Rate Exceeded - please wait [ 10 ] and retry' });
    assert.equal(fake.requests.length, 4);
    assert.equal(carrier.status().throttled, 3);
  } finally {
    await fake.close();
  }
});

test('Vonage: other statuses are permanent: missing parameters, bad credentials', async () => {
  const fake = await VonageFake.start();
  try {
    const missing = await sendOne(vonageCarrier(fake, { from: '' }), msg(1, { sender: '' }));
    assert.deepEqual(missing, { ok: false, kind: 'permanent', code: 'VONAGE_2', desc: 'provider status 2: Missing from param' });
    assert.equal(fake.requests.length, 1, 'not retried');
    const denied = await sendOne(vonageCarrier(fake, {}, {}, 'wrong'), msg(2));
    assert.deepEqual(denied, { ok: false, kind: 'permanent', code: 'VONAGE_4', desc: 'provider status 4: Bad Credentials' });
  } finally {
    await fake.close();
  }
});

test('Vonage: an HTTP 503 without a JSON body is temporary with the HTTP status as code', async () => {
  const fake = await VonageFake.start();
  try {
    fake.failWith(503);
    const result = await sendOne(vonageCarrier(fake, { retries: 0 }), msg(1));
    assert.deepEqual(result, { ok: false, kind: 'temporary', code: 'HTTP_503', desc: 'HTTP 503: Service Unavailable' });
  } finally {
    await fake.close();
  }
});

test('the concurrency cap holds: never more requests in flight than allowed; the rest wait as the backlog', async () => {
  const fake = await TwilioFake.start({ latencyMs: 20 });
  try {
    const carrier = twilioCarrier(fake, { concurrency: 3 });
    const pending = await carrier.submit(Array.from({ length: 15 }, (_, i) => msg(i + 1)));
    assert.equal(pending.length, 15);
    assert.equal(carrier.backlog(), 12);
    assert.deepEqual([carrier.status().window_used, carrier.status().queued], [3, 12]);
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r.ok));
    assert.equal(new Set(results.map((r) => r.ok && r.carrierMsgId)).size, 15);
    assert.ok(fake.maxInFlight <= 3, `at most 3 in flight, saw ${fake.maxInFlight}`);
    assert.equal(carrier.backlog(), 0);
  } finally {
    await fake.close();
  }
});

test('the rate cap: a burst of 100 ms worth goes at once, the rest waits as the backlog', async () => {
  const fake = await TwilioFake.start();
  try {
    const carrier = twilioCarrier(fake, { throughput: 20 });
    assert.deepEqual(carrier.capacity, { window: 10, prefetch: 10, throughput: 20 });
    const pending = await carrier.submit([msg(1), msg(2), msg(3)]);
    assert.equal(carrier.backlog(), 1);
    assert.ok((await Promise.all(pending)).every((r) => r.ok));
    assert.equal(carrier.status().rate_limit, 20);
  } finally {
    await fake.close();
  }
});

test('no answer within the timeout: unknown, not retried', async () => {
  const fake = await TwilioFake.start({ latencyMs: 5_000 });
  try {
    const carrier = twilioCarrier(fake, { timeoutMs: 200 });
    const result = await sendOne(carrier, msg(1));
    assert.deepEqual(result, { ok: false, kind: 'unknown', code: 'TIMEOUT', desc: 'no answer within 200 ms: the provider may or may not have the message' });
    assert.deepEqual([carrier.status().submitted, carrier.status().unknown], [1, 1], 'one request, not retried');
  } finally {
    await fake.close();
  }
});

test('a connection reset after the request went out: unknown', async () => {
  const server = createServer((req) => {
    req.resume();
    req.on('end', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const carrier = twilioCarrier({ url, accountSid: 'AC1', authToken: 't' } as TwilioFake);
    const result = await sendOne(carrier, msg(1));
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.kind, 'unknown');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('connection refused: never sent, retried, then temporary', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const carrier = twilioCarrier({ url, accountSid: 'AC1', authToken: 't' } as TwilioFake);
  const result = await sendOne(carrier, msg(1));
  assert.equal(!result.ok && result.kind, 'temporary');
  assert.equal(!result.ok && result.code, 'CONNECT');
  assert.equal(carrier.status().submitted, 3, 'two retries');
});

test('stop: queued messages and new ones are refused as temporary STOPPED; in-flight ones finish', async () => {
  const fake = await TwilioFake.start({ latencyMs: 30 });
  try {
    const carrier = twilioCarrier(fake, { concurrency: 1 });
    const pending = await carrier.submit([msg(1), msg(2), msg(3)]);
    await carrier.stop();
    const results = await Promise.all(pending);
    assert.equal(results[0]!.ok, true, 'the request in flight finished');
    for (const r of results.slice(1)) assert.deepEqual(r, { ok: false, kind: 'temporary', code: 'STOPPED', desc: 'the carrier is stopping' });
    assert.equal(carrier.ready(), false);
    assert.equal(carrier.status().state, 'closed');
    const [late] = await carrier.submit([msg(4)]);
    assert.equal((await late!).ok, false);
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

test('parts of an earlier attempt cannot be resumed: the result says to drop them', async () => {
  const fake = await VonageFake.start();
  try {
    const prior = [{ partNo: 1, total: 2, ref: 0, carrier: 'vg', carrierMsgId: 'OLD1' }];
    const result = await sendOne(vonageCarrier(fake), msg(1, { content: LONG, attempts: 2, priorParts: prior }));
    assert.equal(result.ok, true);
    assert.equal(result.dropPrior, true);
    assert.equal(result.parts?.length, 2);
  } finally {
    await fake.close();
  }
});

test('custom: JSON body with a bearer token, nested id and status; and GET with an HMAC-signed query', async () => {
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const refuse = req.url!.includes('bad') || seen.at(-1)!.body.includes('bad');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(refuse ? { data: { state: 'refused', err: { code: 'E17', text: 'blocked number' } } } : { data: { id: `id-${seen.length}`, state: 'OK' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const response = { idPath: 'data.id', statusPath: 'data.state', okValues: ['ok'], errorCodePath: 'data.err.code', errorTextPath: 'data.err.text', codePrefix: 'ACME_' };
    const receipt = { idPath: 'id', statusPath: 'stat' };
    const json = httpSettingsFor('custom', {
      baseUrl,
      request: { url: '{baseUrl}/v1/sms', auth: 'bearer', format: 'json', body: { to: '{to}', text: '{text}', ref: '{id}', sender: '{from}' } },
      response,
      receipt,
    });
    const carrier = new HttpCarrier('acme', json, 'tok', { atLeastOnce: true, receiptUrl: '' });
    assert.equal(carrier.atLeastOnce, true);
    assert.deepEqual(await sendOne(carrier, msg(5)), { ok: true, carrierMsgId: 'id-1' });
    assert.equal(seen[0]!.headers.authorization, 'Bearer tok');
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen[0]!.body), { to: '+447700900123', text: 'Your code is 1234', ref: '5', sender: 'ACME' });
    assert.deepEqual(await sendOne(carrier, msg(6, { content: 'bad' })), { ok: false, kind: 'permanent', code: 'ACME_E17', desc: 'provider status refused: blocked number' });

    const get = httpSettingsFor('custom', {
      baseUrl,
      request: { method: 'GET', url: '{baseUrl}/send?user={username}', auth: 'hmac', hmacHeader: 'X-Acme-Sig', body: { to: '{to_digits}', msg: '{text}' } },
      username: 'u 1',
      response,
      receipt,
    });
    assert.deepEqual(await sendOne(new HttpCarrier('acme', get, 'k', { atLeastOnce: false, receiptUrl: '' }), msg(7)), { ok: true, carrierMsgId: 'id-3' });
    const last = seen[2]!;
    assert.equal(last.method, 'GET');
    assert.equal(last.url, '/send?user=u%201&to=447700900123&msg=Your+code+is+1234');
    assert.equal(last.headers['x-acme-sig'], createHmac('sha256', 'k').update('user=u%201&to=447700900123&msg=Your+code+is+1234').digest('hex'));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a 2xx answer without an id is unknown: the provider may have the message', async () => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await sendOne(twilioCarrier({ url, accountSid: 'AC1', authToken: 't' } as TwilioFake), msg(1));
    assert.deepEqual(result, { ok: false, kind: 'unknown', code: 'BAD_ANSWER', desc: 'HTTP 200 without a readable answer: <html>maintenance</html>' });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
