import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pushSignature, signPush, verifyPush } from './sign.ts';

const SECRET = 'NTk1Mzk0MAItOWI0My10MGM4LTg0NmMMNDM0ZGM5Y2ZkMmNk';
const BODY = '{"MsgType":2,"Data":[]}';

test('signature is HMAC-SHA256(secret, timestamp + "." + body) in hex (vector from openssl dgst -sha256 -hmac)', () => {
  assert.equal(pushSignature(SECRET, 1700000000, BODY), 'sha256=d2fbfa071de6caa98d35956864bc155cc21def3e9e26bad82d7b22bc92eb0dd8');
});

test('signPush sets the key id, the timestamp in seconds and the signature over the exact body', () => {
  const h = signPush({ publicKey: 'AKpub', secret: SECRET }, BODY, 1700000000_999);
  assert.deepEqual(h, {
    'x-usms-key-id': 'AKpub',
    'x-usms-timestamp': '1700000000',
    'x-usms-signature': 'sha256=d2fbfa071de6caa98d35956864bc155cc21def3e9e26bad82d7b22bc92eb0dd8',
  });
});

test('verifyPush accepts the signed body and rejects any change', () => {
  const now = 1700000000_000;
  const h = signPush({ publicKey: 'AKpub', secret: SECRET }, BODY, now);
  assert.equal(verifyPush(SECRET, BODY, h, { nowMs: now }), true);
  assert.equal(verifyPush(SECRET, Buffer.from(BODY), h, { nowMs: now }), true, 'raw bytes work too');
  // Header names as a client library may spell them.
  const upper = { 'X-USMS-Timestamp': h['x-usms-timestamp'], 'X-USMS-Signature': h['x-usms-signature'] };
  assert.equal(verifyPush(SECRET, BODY, upper, { nowMs: now }), true);
  assert.equal(verifyPush(SECRET, BODY + ' ', h, { nowMs: now }), false, 'body changed');
  assert.equal(verifyPush(SECRET.slice(1), BODY, h, { nowMs: now }), false, 'other secret');
  assert.equal(verifyPush(SECRET, BODY, { ...h, 'x-usms-timestamp': '1700000001' }, { nowMs: now }), false, 'timestamp changed');
  assert.equal(verifyPush(SECRET, BODY, { ...h, 'x-usms-signature': h['x-usms-signature']!.toUpperCase() }, { nowMs: now }), false);
  assert.equal(verifyPush(SECRET, BODY, { 'x-usms-timestamp': h['x-usms-timestamp'] }, { nowMs: now }), false, 'no signature');
});

test('verifyPush rejects a stale or future timestamp (replay window, default 300 s)', () => {
  const signedAt = 1700000000_000;
  const h = signPush({ publicKey: 'AKpub', secret: SECRET }, BODY, signedAt);
  assert.equal(verifyPush(SECRET, BODY, h, { nowMs: signedAt + 300_000 }), true);
  assert.equal(verifyPush(SECRET, BODY, h, { nowMs: signedAt + 301_000 }), false);
  assert.equal(verifyPush(SECRET, BODY, h, { nowMs: signedAt - 301_000 }), false);
  assert.equal(verifyPush(SECRET, BODY, h, { nowMs: signedAt + 3_600_000, toleranceSeconds: 3600 }), true);
});
