import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpPreset, httpSettingsFor } from './http-presets.ts';
import { normalizeHttpSettings, validateHttpSettings, type HttpSettings } from './http-settings.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';

test('the Twilio preset: the Messages resource, basic auth, a form body, signed status callbacks', () => {
  const s = httpSettingsFor('twilio', { username: SID, from: '+15005550006' });
  assert.equal(s.baseUrl, 'https://api.twilio.com');
  assert.deepEqual(s.request, {
    method: 'POST',
    url: '{baseUrl}/2010-04-01/Accounts/{username}/Messages.json',
    auth: 'basic',
    format: 'form',
    body: { To: '{to}', From: '{from}', Body: '{text}', StatusCallback: '{receipt_url}' },
  });
  assert.equal(s.response.idPath, 'sid');
  assert.equal(s.response.codePrefix, 'TWILIO_');
  assert.equal(s.receipt.signature, 'twilio');
  assert.equal(s.receipt.statusMap.delivered, 'DELIVRD');
  assert.equal(s.receipt.statusMap.sent, 'ENROUTE');
  assert.deepEqual([s.concurrency, s.throughput, s.timeoutMs, s.retries], [10, 0, 10_000, 2]);
});

test('the Vonage preset: /sms/json, credentials in the body, parts in messages', () => {
  const s = httpSettingsFor('vonage', { username: 'abcd1234', from: 'ACME' });
  assert.equal(s.baseUrl, 'https://rest.nexmo.com');
  assert.equal(s.request.url, '{baseUrl}/sms/json');
  assert.equal(s.request.auth, 'none');
  assert.deepEqual(s.request.body, {
    api_key: '{username}',
    api_secret: '{secret}',
    from: '{from}',
    to: '{to_digits}',
    text: '{text}',
    type: '{type}',
    callback: '{receipt_url}',
    'client-ref': '{id}',
  });
  assert.equal(s.response.partsPath, 'messages');
  assert.deepEqual(s.response.okValues, ['0']);
  assert.deepEqual(s.response.temporaryValues, ['1']);
  assert.equal(s.receipt.idPath, 'messageId');
  assert.equal(s.receipt.statusMap.expired, 'EXPIRED');
  assert.equal(s.receipt.signature, 'none');
});

test('overrides merge section by section; body fields and the status map key by key; nothing is shared with the preset', () => {
  const s = httpSettingsFor('twilio', {
    username: SID,
    baseUrl: 'http://127.0.0.1:9999/',
    concurrency: 3,
    request: { body: { MessagingServiceSid: 'MG1', StatusCallback: '' } },
    response: { okValues: ['queued'] },
    receipt: { statusMap: { sent: 'DELIVRD' } },
  });
  assert.equal(s.baseUrl, 'http://127.0.0.1:9999', 'trailing slash dropped');
  assert.equal(s.concurrency, 3);
  assert.equal(s.request.method, 'POST');
  assert.deepEqual(s.request.body, { To: '{to}', From: '{from}', Body: '{text}', StatusCallback: '', MessagingServiceSid: 'MG1' });
  assert.deepEqual(s.response.okValues, ['queued']);
  assert.equal(s.receipt.statusMap.sent, 'DELIVRD');
  assert.equal(s.receipt.statusMap.delivered, 'DELIVRD');
  s.receipt.statusMap.delivered = 'UNDELIV';
  s.response.okValues!.push('x');
  const again = httpSettingsFor('twilio', { username: SID });
  assert.equal(again.receipt.statusMap.delivered, 'DELIVRD');
  assert.equal(httpPreset('twilio').response.okValues!.includes('x'), false);
});

test('settings survive JSON (the carriers table) and normalise to the same', () => {
  const s = httpSettingsFor('vonage', { username: 'k', throughput: 30 });
  assert.deepEqual(normalizeHttpSettings(JSON.parse(JSON.stringify(s))), s);
});

test('normalizeHttpSettings fills the numeric defaults and the signature headers', () => {
  const s = normalizeHttpSettings({
    preset: 'custom',
    request: { method: 'POST', url: 'https://sms.example.com/send', auth: 'hmac', format: 'json', body: { to: '{to}', text: '{text}' } },
    response: { idPath: 'id' },
    receipt: { format: 'json', idPath: 'id', statusPath: 'state', statusMap: { ok: 'DELIVRD' }, signature: 'hmac-sha256' },
  });
  assert.deepEqual([s.baseUrl, s.username, s.from, s.concurrency, s.throughput, s.timeoutMs, s.retries], ['', '', '', 10, 0, 10_000, 2]);
  assert.equal(s.request.hmacHeader, 'X-Signature');
  assert.equal(s.receipt.signatureHeader, 'X-Signature');
});

test('a custom preset must say where to send and how to read the answer', () => {
  assert.throws(() => httpSettingsFor('custom'), /request\.url is required/);
  assert.throws(() => httpSettingsFor('custom', { request: { url: 'https://x.example/send' } }), /response\.idPath is required/);
  assert.throws(() => httpSettingsFor('custom', { request: { url: 'https://x.example/send' }, response: { idPath: 'id' } }), /receipt\.idPath is required/);
  const ok = httpSettingsFor('custom', {
    request: { url: 'https://x.example/send', body: { to: '{to}' } },
    response: { idPath: 'data.id' },
    receipt: { idPath: 'id', statusPath: 'stat' },
  });
  assert.equal(ok.receipt.statusMap.DELIVRD, 'DELIVRD');
  assert.equal(ok.receipt.statusMap.delivered, 'DELIVRD');
});

test('validation names the field that is wrong', () => {
  const good = httpSettingsFor('twilio', { username: SID });
  const bad = (change: (s: HttpSettings) => void): HttpSettings => {
    const s = structuredClone(good);
    change(s);
    return s;
  };
  const cases: Array<[(s: HttpSettings) => void, RegExp]> = [
    [(s) => ((s as { preset: string }).preset = 'plivo'), /preset must be one of/],
    [(s) => (s.baseUrl = 'ftp://x'), /baseUrl must be an http\(s\) URL/],
    [(s) => (s.username = ''), /username is required with basic auth/],
    [(s) => ((s.request as { method: string }).method = 'PATCH'), /request\.method must be one of POST, PUT, GET/],
    [(s) => (s.request.body.Body = '{message}'), /request\.body\.Body uses the unknown placeholder \{message\}/],
    [(s) => (s.request.url = '{baseUrl}/{account}'), /request\.url uses the unknown placeholder \{account\}/],
    [(s) => ((s.request.body as Record<string, unknown>).To = 5), /request\.body\.To must be a string/],
    [(s) => (s.response.idPath = 'a..b'), /response\.idPath is not a dotted path/],
    [(s) => (s.response.okValues = undefined), /response\.okValues must list the accepted statuses/],
    [(s) => ((s.receipt.statusMap as Record<string, string>).sent = 'SENT'), /receipt\.statusMap\.sent must be one of DELIVRD/],
    [(s) => ((s.receipt as { signature: string }).signature = 'md5'), /receipt\.signature must be one of/],
    [(s) => (s.receipt.signatureHeader = 'Bad Header'), /receipt\.signatureHeader must be a header name/],
    [(s) => (s.concurrency = 0), /concurrency must be a whole number from 1 to 1000/],
    [(s) => (s.timeoutMs = 1.5), /timeoutMs must be a whole number/],
    [(s) => (s.retries = -1), /retries must be a whole number from 0 to 10/],
    [(s) => (s.throughput = -1), /throughput must be a number/],
  ];
  for (const [change, message] of cases) assert.throws(() => validateHttpSettings(bad(change)), message);
  assert.throws(() => httpSettingsFor('nope' as 'custom'), /preset must be one of twilio, vonage, custom/);
  assert.throws(() => normalizeHttpSettings('{}'), /must be an object/);
});
