import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Receipt } from '../sms/carrier-events.ts';
import type { HttpSettings } from './http-settings.ts';
import { decodeForm, formEntries, readText } from './http-template.ts';

/** A receipt request as it reached us. */
export interface WebhookRequest {
  method: string;
  /** The full public URL the provider called, query included (what a signature covers). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body ('' for none). */
  body: string;
}

export type WebhookResult =
  | {
      ok: true;
      receipts: Receipt[];
      /** Receipts with a provider status the settings do not map: not final as far as we know, so left out. */
      ignored: Array<{ carrierMsgId: string; status: string }>;
    }
  | { ok: false; status: number; error: string };

/** Provider times further back than this, or ahead of our clock by more than the skew, are not believed. */
const MAX_AGE_MS = 7 * 24 * 3600_000;
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Reads the delivery receipts of one webhook request of an HTTP carrier. Pure: the route answers with
 * `status` when not ok (403 for a bad signature or another account's receipt, 400 for what cannot be
 * read) and hands the receipts to the carrier events otherwise.
 *
 * Each receipt's provider status goes through `statusMap`: intermediate ones the map lists (Twilio
 * `sent`, Vonage `buffered`) become ENROUTE / ACCEPTD receipts, which change no message's status;
 * statuses it does not list are returned in `ignored`, since whether they are final is not known.
 * desc carries the provider's status and error code; `at` is the provider's time when given and sane.
 */
export function parseReceiptWebhook(settings: HttpSettings, secret: string, req: WebhookRequest, now = Date.now()): WebhookResult {
  const r = settings.receipt;
  const method = req.method.toUpperCase();
  const contentType = header(req.headers, 'content-type') ?? '';
  const format = r.format !== 'auto' ? r.format : method === 'GET' || method === 'HEAD' || req.body.trim() === '' ? 'query' : /json/i.test(contentType) || /^\s*[[{]/.test(req.body) ? 'json' : 'form';

  if (r.signature !== 'none') {
    if (!secret) return { ok: false, status: 500, error: 'receipt signatures are checked but the carrier has no secret' };
    const bad = r.signature === 'twilio' ? checkTwilio(secret, req, format) : checkHmac(secret, req, r.signatureHeader || 'X-Signature');
    if (bad) return { ok: false, status: 403, error: bad };
  }

  let records: unknown[];
  try {
    records = parseRecords(req, format);
  } catch (err) {
    return { ok: false, status: 400, error: (err as Error).message };
  }

  const map = new Map(Object.entries(r.statusMap).map(([k, v]) => [k.toLowerCase(), v]));
  const receipts: Receipt[] = [];
  const ignored: Array<{ carrierMsgId: string; status: string }> = [];
  for (const rec of records) {
    const carrierMsgId = readText(rec, r.idPath)?.trim();
    const status = readText(rec, r.statusPath)?.trim();
    if (!carrierMsgId) return { ok: false, status: 400, error: `receipt without a message id (${r.idPath})` };
    if (!status) return { ok: false, status: 400, error: `receipt for ${carrierMsgId} without a status (${r.statusPath})` };
    const account = readText(rec, r.accountPath);
    // Only when the receipt names an account: it must be ours.
    if (account !== undefined && account !== settings.username) return { ok: false, status: 403, error: `receipt for another account (${account})` };
    const code = map.get(status.toLowerCase());
    if (!code) {
      ignored.push({ carrierMsgId, status });
      continue;
    }
    const error = readText(rec, r.errorCodePath)?.trim();
    const desc = error && error !== '0' ? `${status}, error ${error}` : status;
    receipts.push({ carrierMsgId, code, desc, at: providerTime(readText(rec, r.timestampPath), now) ?? now });
  }
  return { ok: true, receipts, ignored };
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === want) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

function parseRecords(req: WebhookRequest, format: 'form' | 'json' | 'query'): unknown[] {
  if (format === 'form') return [decodeForm(req.body)];
  if (format === 'query') {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new Error('the request URL cannot be read');
    }
    return [decodeForm(url.search.slice(1))];
  }
  let json: unknown;
  try {
    json = JSON.parse(req.body);
  } catch {
    throw new Error('the body is not JSON');
  }
  // Some providers batch receipts into one array.
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0 || list.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) throw new Error('the body is not a receipt object or a list of them');
  return list;
}

/**
 * X-Twilio-Signature: base64 HMAC-SHA1, keyed with the auth token, of the URL followed by each form field's
 * name and value, sorted by name. A JSON body is signed through the URL alone, whose bodySHA256 parameter
 * must then be the body's hex SHA-256. The URL is tried with and without its default port, as proxies
 * differ on it. Returns what is wrong, or undefined.
 */
function checkTwilio(secret: string, req: WebhookRequest, format: 'form' | 'json' | 'query'): string | undefined {
  const given = header(req.headers, 'x-twilio-signature');
  if (!given) return 'X-Twilio-Signature is missing';
  let fields = '';
  if (format === 'form') {
    const entries = formEntries(req.body);
    // Stable sort: values of a repeated name keep their order.
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    fields = entries.map(([k, v]) => k + v).join('');
  } else if (format === 'json') {
    let declared: string | null = null;
    try {
      declared = new URL(req.url).searchParams.get('bodySHA256');
    } catch {
      return 'the request URL cannot be read';
    }
    const actual = createHash('sha256').update(req.body, 'utf8').digest('hex');
    if (!declared || !sameText(declared.toLowerCase(), actual)) return 'the JSON body does not match its bodySHA256';
  }
  for (const url of urlSpellings(req.url)) {
    const expected = createHmac('sha1', secret).update(url + fields, 'utf8').digest('base64');
    if (sameText(given, expected)) return undefined;
  }
  return 'X-Twilio-Signature does not match';
}

/** HMAC-SHA256 of the raw body (the full URL for a request without one), hex or base64, maybe `sha256=`-prefixed. */
function checkHmac(secret: string, req: WebhookRequest, name: string): string | undefined {
  const raw = header(req.headers, name);
  if (!raw) return `${name} is missing`;
  const given = raw.trim().replace(/^sha256=/i, '');
  const digest = createHmac('sha256', secret).update(req.body === '' ? req.url : req.body, 'utf8').digest();
  if (sameText(given.toLowerCase(), digest.toString('hex')) || sameText(given, digest.toString('base64'))) return undefined;
  return `${name} does not match`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The URL as given, and with its default port added or removed. */
function urlSpellings(url: string): string[] {
  const m = /^(https?):\/\/([^/?#:]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest] = m;
  const standard = scheme!.toLowerCase() === 'https' ? '443' : '80';
  if (port === undefined) return [url, `${scheme}://${host}:${standard}${rest}`];
  if (port === standard) return [url, `${scheme}://${host}${rest}`];
  return [url];
}

/**
 * A provider's time: YYMMDDhhmm[ss] (SMPP-style, UTC), `YYYY-MM-DD hh:mm:ss` (UTC unless a zone is given),
 * ISO 8601 / RFC 2822, or Unix seconds / milliseconds. Undefined when absent, unreadable or not sane.
 */
export function providerTime(text: string | undefined, now: number): number | undefined {
  if (!text) return undefined;
  const s = text.trim();
  let at: number | undefined;
  const compact = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(s);
  if (compact) {
    const [yy, mo, dd, hh, mi, ss] = compact.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
    if (mo! >= 1 && mo! <= 12 && dd! >= 1 && dd! <= 31 && hh! <= 23 && mi! <= 59 && ss! <= 59) at = Date.UTC(2000 + yy!, mo! - 1, dd!, hh!, mi!, ss!);
  }
  if (at === undefined && /^\d{10}$/.test(s)) at = Number(s) * 1000;
  else if (at === undefined && /^\d{13}$/.test(s)) at = Number(s);
  else if (at === undefined) {
    const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(s);
    const parsed = Date.parse(local ? `${local[1]}T${local[2]}Z` : s);
    if (Number.isFinite(parsed)) at = parsed;
  }
  if (at === undefined || !Number.isFinite(at) || at > now + MAX_SKEW_MS || at < now - MAX_AGE_MS) return undefined;
  return at;
}
