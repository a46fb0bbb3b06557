import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Push signing. Every request to a customer's callback URL carries
 *   X-USMS-Key-Id:    the public key whose secret signed it (the account's oldest active API key)
 *   X-USMS-Timestamp: unix seconds when this attempt was signed (each retry is signed anew)
 *   X-USMS-Signature: sha256=<lower-case hex HMAC-SHA256(secret, timestamp + "." + body)>
 * where body is the exact bytes of the request body. A receiver recomputes the HMAC over the raw
 * body, compares in constant time, and rejects timestamps too far from its clock (replays).
 */
export const SIGNATURE_HEADER = 'x-usms-signature';
export const TIMESTAMP_HEADER = 'x-usms-timestamp';
export const KEY_ID_HEADER = 'x-usms-key-id';

export function pushSignature(secret: string, timestamp: number | string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return 'sha256=' + mac.digest('hex');
}

export function signPush(key: { publicKey: string; secret: string }, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    [KEY_ID_HEADER]: key.publicKey,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: pushSignature(key.secret, timestamp, body),
  };
}

/** What a receiver does: true when the signature matches the raw body and the timestamp is fresh. */
export function verifyPush(
  secretKey: string,
  body: string | Buffer,
  headers: Record<string, string | string[] | undefined>,
  opts: { nowMs?: number; toleranceSeconds?: number } = {},
): boolean {
  const ts = header(headers, TIMESTAMP_HEADER);
  const sig = header(headers, SIGNATURE_HEADER);
  if (!ts || !sig || !/^\d{1,12}$/.test(ts)) return false;
  const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - Number(ts)) > (opts.toleranceSeconds ?? 300)) return false;
  const want = Buffer.from(pushSignature(secretKey, ts, body));
  const got = Buffer.from(sig);
  return got.length === want.length && timingSafeEqual(got, want);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}
