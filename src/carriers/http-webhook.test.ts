import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { httpSettingsFor } from './http-presets.ts';
import { parseReceiptWebhook, providerTime, type WebhookRequest } from './http-webhook.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token';
const NOW = Date.UTC(2026, 2, 15, 12, 0, 0);
const twilio = httpSettingsFor('twilio', { username: SID });
const vonage = httpSettingsFor('vonage', { username: 'vkey' });

/** Twilio's signature, spelled out here on its own: URL, then name+value of each field sorted by name. */
function sign(url: string, fields: Record<string, string>, token = TOKEN): string {
  const data = url + Object.keys(fields).sort().map((k) => k + fields[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

function twilioCallback(fields: Record<string, string>, opts: { url?: string; signedUrl?: string; token?: string; signature?: string } = {}): WebhookRequest {
  const url = opts.url ?? 'https://sms.example.com/carriers/tw/receipts';
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': opts.signature ?? sign(opts.signedUrl ?? url, fields, opts.token) },
    body: new URLSearchParams(fields).toString(),
  };
}

const base = { AccountSid: SID, ApiVersion: '2010-04-01', From: '+15005550006', To: '+447700900123', MessageSid: 'SM1', SmsSid: 'SM1' };

test('Twilio: a signed status callback becomes a receipt; the provider status and error code are in desc', () => {
  const delivered = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, MessageStatus: 'delivered', SmsStatus: 'delivered', RawDlrDoneDate: '2603151158' }), NOW);
  assert.deepEqual(delivered, { ok: true, receipts: [{ carrierMsgId: 'SM1', code: 'DELIVRD', desc: 'delivered', at: Date.UTC(2026, 2, 15, 11, 58) }], ignored: [] });
  const undelivered = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, MessageStatus: 'undelivered', ErrorCode: '30003' }), NOW);
  assert.deepEqual(undelivered, { ok: true, receipts: [{ carrierMsgId: 'SM1', code: 'UNDELIV', desc: 'undelivered, error 30003', at: NOW }], ignored: [] });
  const failed = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, MessageStatus: 'failed', ErrorCode: '30008' }), NOW);
  assert.equal(failed.ok && failed.receipts[0]!.code, 'REJECTD');
});

test('Twilio: intermediate statuses give ENROUTE / ACCEPTD; statuses the map does not list are ignored', () => {
  const sent = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, MessageStatus: 'sent' }), NOW);
  assert.equal(sent.ok && sent.receipts[0]!.code, 'ENROUTE');
  const queued = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, MessageStatus: 'Queued' }), NOW);
  assert.equal(queued.ok && queued.receipts[0]!.code, 'ACCEPTD', 'statuses compare case-insensitively');
  const odd = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, MessageStatus: 'partially_delivered' }), NOW);
  assert.deepEqual(odd, { ok: true, receipts: [], ignored: [{ carrierMsgId: 'SM1', status: 'partially_delivered' }] });
});

test('Twilio: a missing, wrong or stale signature is refused with 403', () => {
  const fields = { ...base, MessageStatus: 'delivered' };
  const missing = twilioCallback(fields);
  delete missing.headers['x-twilio-signature'];
  assert.deepEqual(parseReceiptWebhook(twilio, TOKEN, missing, NOW), { ok: false, status: 403, error: 'X-Twilio-Signature is missing' });
  assert.equal((parseReceiptWebhook(twilio, TOKEN, twilioCallback(fields, { token: 'other' }), NOW) as { status: number }).status, 403);
  const tampered = twilioCallback(fields);
  tampered.body = tampered.body.replace('delivered', 'undelivered');
  assert.equal((parseReceiptWebhook(twilio, TOKEN, tampered, NOW) as { status: number }).status, 403);
  const otherUrl = twilioCallback(fields, { signedUrl: 'https://sms.example.com/carriers/other/receipts' });
  assert.equal((parseReceiptWebhook(twilio, TOKEN, otherUrl, NOW) as { status: number }).status, 403);
  assert.equal((parseReceiptWebhook(twilio, '', twilioCallback(fields), NOW) as { status: number }).status, 500, 'no secret to check with');
});

test('Twilio: the URL is checked with and without its default port; the query counts', () => {
  const fields = { ...base, MessageStatus: 'delivered' };
  const withPort = twilioCallback(fields, { url: 'https://sms.example.com/r?c=tw', signedUrl: 'https://sms.example.com:443/r?c=tw' });
  assert.equal(parseReceiptWebhook(twilio, TOKEN, withPort, NOW).ok, true);
  const without = twilioCallback(fields, { url: 'http://sms.example.com:80/r', signedUrl: 'http://sms.example.com/r' });
  assert.equal(parseReceiptWebhook(twilio, TOKEN, without, NOW).ok, true);
  const otherPort = twilioCallback(fields, { url: 'https://sms.example.com:8443/r', signedUrl: 'https://sms.example.com/r' });
  assert.equal(parseReceiptWebhook(twilio, TOKEN, otherPort, NOW).ok, false);
});

test('Twilio: a JSON body is signed through the URL and its bodySHA256', () => {
  const body = JSON.stringify({ MessageSid: 'SM9', MessageStatus: 'delivered', AccountSid: SID });
  const url = `https://sms.example.com/r?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
  const settings = httpSettingsFor('twilio', { username: SID, receipt: { format: 'json' } });
  const req = { method: 'POST', url, headers: { 'x-twilio-signature': sign(url, {}) }, body };
  assert.deepEqual(parseReceiptWebhook(settings, TOKEN, req, NOW), { ok: true, receipts: [{ carrierMsgId: 'SM9', code: 'DELIVRD', desc: 'delivered', at: NOW }], ignored: [] });
  assert.equal(parseReceiptWebhook(settings, TOKEN, { ...req, body: body.replace('delivered', 'failed') }, NOW).ok, false);
});

test('a receipt naming another account is refused', () => {
  const r = parseReceiptWebhook(twilio, TOKEN, twilioCallback({ ...base, AccountSid: 'ACother', MessageStatus: 'delivered' }), NOW);
  assert.deepEqual(r, { ok: false, status: 403, error: 'receipt for another account (ACother)' });
});

const dlr = {
  msisdn: '447700900123',
  to: 'ACME',
  'network-code': '23410',
  messageId: '0C000000217B7F02',
  price: '0.03330000',
  status: 'delivered',
  scts: '2603151159',
  'err-code': '0',
  'api-key': 'vkey',
  'client-ref': '42',
  'message-timestamp': '2026-03-15 11:59:30',
};

test('Vonage: receipts as a GET query, a JSON POST and a form POST', () => {
  const want = { ok: true, receipts: [{ carrierMsgId: '0C000000217B7F02', code: 'DELIVRD', desc: 'delivered', at: Date.UTC(2026, 2, 15, 11, 59) }], ignored: [] };
  const query = new URLSearchParams(dlr).toString();
  assert.deepEqual(parseReceiptWebhook(vonage, '', { method: 'GET', url: `https://sms.example.com/r/vonage?${query}`, headers: {}, body: '' }, NOW), want);
  assert.deepEqual(parseReceiptWebhook(vonage, '', { method: 'POST', url: 'https://sms.example.com/r', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dlr) }, NOW), want);
  assert.deepEqual(parseReceiptWebhook(vonage, '', { method: 'POST', url: 'https://sms.example.com/r', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: query }, NOW), want);
});

test('Vonage: statuses map through the table, err-code goes to desc, message-timestamp when scts is not there', () => {
  const read = (fields: Record<string, string>) => {
    const r = parseReceiptWebhook(vonage, '', { method: 'POST', url: 'https://x.example/r', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) }, NOW);
    assert.ok(r.ok);
    return r.receipts[0];
  };
  assert.deepEqual(read({ ...dlr, status: 'expired', 'err-code': '2' }), { carrierMsgId: dlr.messageId, code: 'EXPIRED', desc: 'expired, error 2', at: Date.UTC(2026, 2, 15, 11, 59) });
  assert.equal(read({ ...dlr, status: 'failed', 'err-code': '4' })!.code, 'UNDELIV');
  assert.equal(read({ ...dlr, status: 'rejected' })!.code, 'REJECTD');
  assert.equal(read({ ...dlr, status: 'buffered' })!.code, 'ENROUTE');
  assert.equal(read({ ...dlr, status: 'accepted' })!.code, 'ACCEPTD');
  assert.equal(read({ ...dlr, status: 'unknown' })!.code, 'UNKNOWN');
  const { scts: _, ...noScts } = dlr;
  assert.equal(read(noScts)!.at, Date.UTC(2026, 2, 15, 11, 59, 30));
  assert.equal(read({ ...dlr, scts: '0001010000', 'message-timestamp': '1999-01-01 00:00:00' })!.at, NOW, 'not sane: the arrival time');
  const { 'api-key': __, ...noKey } = dlr;
  assert.equal(read(noKey)!.code, 'DELIVRD', 'the account is checked only when the receipt names one');
});

test('what cannot be read is refused with 400; a JSON list is a batch', () => {
  const post = (body: string) => parseReceiptWebhook(vonage, '', { method: 'POST', url: 'https://x.example/r', headers: { 'content-type': 'application/json' }, body }, NOW);
  assert.deepEqual(post('{nope'), { ok: false, status: 400, error: 'the body is not JSON' });
  assert.deepEqual(post('[1]'), { ok: false, status: 400, error: 'the body is not a receipt object or a list of them' });
  assert.deepEqual(post(JSON.stringify({ status: 'delivered' })), { ok: false, status: 400, error: 'receipt without a message id (messageId)' });
  assert.deepEqual(post(JSON.stringify({ messageId: 'X' })), { ok: false, status: 400, error: 'receipt for X without a status (status)' });
  const batch = post(JSON.stringify([dlr, { ...dlr, messageId: 'P2', status: 'expired' }]));
  assert.ok(batch.ok);
  assert.deepEqual(batch.receipts.map((r) => [r.carrierMsgId, r.code]), [[dlr.messageId, 'DELIVRD'], ['P2', 'EXPIRED']]);
});

test('hmac-sha256 receipts: hex, base64 or sha256= prefixed over the raw body; over the URL for a GET', () => {
  const settings = httpSettingsFor('vonage', { username: 'vkey', receipt: { signature: 'hmac-sha256', signatureHeader: 'X-Vonage-Sig' } });
  const body = JSON.stringify(dlr);
  const mac = createHmac('sha256', 'k3y').update(body).digest();
  const post = (sig: string | undefined, secret = 'k3y') =>
    parseReceiptWebhook(settings, secret, { method: 'POST', url: 'https://x.example/r', headers: { 'content-type': 'application/json', ...(sig ? { 'x-vonage-sig': sig } : {}) }, body }, NOW);
  assert.equal(post(mac.toString('hex')).ok, true);
  assert.equal(post(mac.toString('hex').toUpperCase()).ok, true);
  assert.equal(post(mac.toString('base64')).ok, true);
  assert.equal(post(`sha256=${mac.toString('hex')}`).ok, true);
  assert.deepEqual(post('00'), { ok: false, status: 403, error: 'X-Vonage-Sig does not match' });
  assert.deepEqual(post(undefined), { ok: false, status: 403, error: 'X-Vonage-Sig is missing' });
  assert.equal((post(mac.toString('hex'), '') as { status: number }).status, 500);
  const url = `https://x.example/r?${new URLSearchParams(dlr)}`;
  const sig = createHmac('sha256', 'k3y').update(url).digest('hex');
  assert.equal(parseReceiptWebhook(settings, 'k3y', { method: 'GET', url, headers: { 'x-vonage-sig': [sig] }, body: '' }, NOW).ok, true);
});

test('providerTime reads the usual spellings and refuses times that are not sane', () => {
  assert.equal(providerTime('2603151158', NOW), Date.UTC(2026, 2, 15, 11, 58));
  assert.equal(providerTime('260315115830', NOW), Date.UTC(2026, 2, 15, 11, 58, 30));
  assert.equal(providerTime('2026-03-15 11:58:30', NOW), Date.UTC(2026, 2, 15, 11, 58, 30));
  assert.equal(providerTime('2026-03-15T12:58:30+01:00', NOW), Date.UTC(2026, 2, 15, 11, 58, 30));
  assert.equal(providerTime('Sun, 15 Mar 2026 11:58:30 +0000', NOW), Date.UTC(2026, 2, 15, 11, 58, 30));
  assert.equal(providerTime(String(NOW / 1000 - 60), NOW), NOW - 60_000, 'Unix seconds (not a valid YYMMDDhhmm)');
  assert.equal(providerTime(String(NOW - 1000), NOW), NOW - 1000);
  assert.equal(providerTime('2603151300', NOW), undefined, 'an hour ahead');
  assert.equal(providerTime('2502010000', NOW), undefined, 'more than a week old');
  assert.equal(providerTime('soon', NOW), undefined);
  assert.equal(providerTime('', NOW), undefined);
  assert.equal(providerTime(undefined, NOW), undefined);
});
