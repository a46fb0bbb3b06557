import { PLACEHOLDERS, placeholdersIn } from './http-template.ts';

/**
 * The settings of an HTTP carrier: how to build the submit request, how to read its answer, how to read
 * the receipts the provider posts back. Plain JSON (kept in the carriers table); the secret (auth token,
 * API secret, bearer token, HMAC key) is not part of them: it is sealed at rest and passed separately.
 * Presets for known providers are in `http-presets.ts`.
 */
export interface HttpSettings {
  preset: HttpPreset;
  /** e.g. https://api.twilio.com, without a trailing slash. */
  baseUrl: string;
  /** Twilio Account SID, Vonage api_key, the basic-auth user. */
  username: string;
  /** The sender every message goes out with; '' uses the message's own sender. */
  from: string;
  request: HttpRequestSettings;
  response: HttpResponseSettings;
  receipt: HttpReceiptSettings;
  /** Requests in flight at most. */
  concurrency: number;
  /** Requests a second at most; 0: no cap. */
  throughput: number;
  /** Per request, answer included. */
  timeoutMs: number;
  /** Retries inside one submit of a 429, a 5xx, a temporary provider status or a connection never made. */
  retries: number;
}

export type HttpPreset = 'twilio' | 'vonage' | 'custom';

export interface HttpRequestSettings {
  /** GET sends the rendered body as the query string. */
  method: 'POST' | 'PUT' | 'GET';
  /** May hold placeholders (`http-template.ts`): {baseUrl} as is, the others URL-encoded. */
  url: string;
  /**
   * basic: username + secret; bearer: the secret as a bearer token; hmac: hex HMAC-SHA256 of the body
   * (of the query string for GET) keyed with the secret, in `hmacHeader`.
   */
  auth: 'none' | 'basic' | 'bearer' | 'hmac';
  hmacHeader?: string;
  format: 'json' | 'form';
  /** Field -> template. A field whose value renders to '' is left out. */
  body: Record<string, string>;
}

/**
 * Where the answer to a submit keeps what we need. Paths are dotted (`messages.0.message-id`); `a|b` takes
 * the first of several that is present. With `partsPath` the answer is a list of parts (a provider that
 * splits long text itself answers one entry per part) and the other paths are read in each entry.
 */
export interface HttpResponseSettings {
  idPath: string;
  /** The provider's own status; absent: any 2xx answer with an id is an acceptance. */
  statusPath?: string;
  /** Statuses that mean accepted (required with statusPath). */
  okValues?: string[];
  /** Statuses that mean "not now, try again" (throttled); any other status not in okValues is permanent. */
  temporaryValues?: string[];
  errorCodePath?: string;
  errorTextPath?: string;
  partsPath?: string;
  /** Put before the provider's error code in a failure's code, e.g. TWILIO_ -> TWILIO_21211. */
  codePrefix?: string;
}

export const RECEIPT_CODES = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN', 'ENROUTE', 'ACCEPTD'] as const;
export type ReceiptCode = (typeof RECEIPT_CODES)[number];

/** How receipts reach the webhook (`http-webhook.ts`). Paths as in the response, read in each receipt. */
export interface HttpReceiptSettings {
  /** auto: the query for a GET or an empty body, JSON for a JSON body, else a form. */
  format: 'form' | 'json' | 'query' | 'auto';
  idPath: string;
  statusPath: string;
  errorCodePath?: string;
  /** The provider's time of the event, used when it is sane (else the time it arrived). */
  timestampPath?: string;
  /** When set, the value there must equal `username` (a receipt for another account is refused). */
  accountPath?: string;
  /** Provider status (compared case-insensitively) -> receipt code. A status not listed is ignored. */
  statusMap: Record<string, ReceiptCode>;
  /**
   * twilio: X-Twilio-Signature (HMAC-SHA1 of the URL and the sorted form fields, keyed with the secret);
   * hmac-sha256: hex or base64 HMAC-SHA256 of the raw body (of the full URL for a GET) in `signatureHeader`.
   */
  signature: 'twilio' | 'hmac-sha256' | 'none';
  signatureHeader?: string;
}

/** What may be given over a preset: the top-level fields, and the sections field by field. */
export type HttpSettingsOverrides = Partial<Omit<HttpSettings, 'preset' | 'request' | 'response' | 'receipt'>> & {
  request?: Partial<HttpRequestSettings>;
  response?: Partial<HttpResponseSettings>;
  receipt?: Partial<HttpReceiptSettings>;
};

export const HTTP_DEFAULTS = { concurrency: 10, throughput: 0, timeoutMs: 10_000, retries: 2 } as const;
export const DEFAULT_SIGNATURE_HEADER = 'X-Signature';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Fills the defaults of a stored or typed-in settings object and checks it; throws an Error saying what is wrong. */
export function normalizeHttpSettings(input: unknown): HttpSettings {
  if (!isObject(input)) throw new Error('HTTP carrier settings must be an object');
  const s = input as Partial<HttpSettings>;
  const out: HttpSettings = {
    preset: s.preset ?? 'custom',
    baseUrl: typeof s.baseUrl === 'string' ? s.baseUrl.replace(/\/+$/, '') : (s.baseUrl ?? ''),
    username: s.username ?? '',
    from: s.from ?? '',
    request: s.request as HttpRequestSettings,
    response: s.response as HttpResponseSettings,
    receipt: s.receipt as HttpReceiptSettings,
    concurrency: s.concurrency ?? HTTP_DEFAULTS.concurrency,
    throughput: s.throughput ?? HTTP_DEFAULTS.throughput,
    timeoutMs: s.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
    retries: s.retries ?? HTTP_DEFAULTS.retries,
  };
  validateHttpSettings(out);
  if (out.request.auth === 'hmac') out.request = { ...out.request, hmacHeader: out.request.hmacHeader || DEFAULT_SIGNATURE_HEADER };
  if (out.receipt.signature === 'hmac-sha256') out.receipt = { ...out.receipt, signatureHeader: out.receipt.signatureHeader || DEFAULT_SIGNATURE_HEADER };
  return out;
}

/** Checks complete settings; throws an Error naming the first field that is wrong. */
export function validateHttpSettings(s: HttpSettings): void {
  const fail = (field: string, why: string): never => {
    throw new Error(`HTTP carrier settings: ${field ? `${field} ` : ''}${why}`);
  };
  if (!isObject(s)) fail('', 'must be an object');
  oneOf(s.preset, ['twilio', 'vonage', 'custom'], 'preset', fail);
  str(s.baseUrl, 'baseUrl', fail);
  str(s.username, 'username', fail);
  str(s.from, 'from', fail);
  if (s.baseUrl !== '' && !isHttpUrl(s.baseUrl)) fail('baseUrl', `must be an http(s) URL, not "${s.baseUrl}"`);

  const r = s.request;
  if (!isObject(r)) fail('request', 'must be an object');
  oneOf(r.method, ['POST', 'PUT', 'GET'], 'request.method', fail);
  oneOf(r.auth, ['none', 'basic', 'bearer', 'hmac'], 'request.auth', fail);
  oneOf(r.format, ['json', 'form'], 'request.format', fail);
  str(r.url, 'request.url', fail);
  if (r.url === '') fail('request.url', 'is required');
  if (r.auth === 'basic' && s.username === '') fail('username', 'is required with basic auth');
  if (r.hmacHeader !== undefined && (typeof r.hmacHeader !== 'string' || (r.hmacHeader !== '' && !HEADER_NAME.test(r.hmacHeader)))) fail('request.hmacHeader', 'must be a header name');
  if (!isObject(r.body)) fail('request.body', 'must be an object of field -> template');
  for (const [key, value] of Object.entries(r.body)) {
    if (key === '') fail('request.body', 'has an empty field name');
    str(value, `request.body.${key}`, fail);
    knownPlaceholders(value, `request.body.${key}`, fail);
  }
  knownPlaceholders(r.url, 'request.url', fail);
  if (r.url.includes('{baseUrl}') && s.baseUrl === '') fail('baseUrl', 'is required: request.url uses {baseUrl}');
  const sample = r.url.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'baseUrl' ? s.baseUrl : 'x'));
  if (!isHttpUrl(sample)) fail('request.url', `must give an http(s) URL, not "${sample}"`);

  const a = s.response;
  if (!isObject(a)) fail('response', 'must be an object');
  path(a.idPath, 'response.idPath', true, fail);
  for (const k of ['statusPath', 'errorCodePath', 'errorTextPath', 'partsPath', 'codePrefix'] as const) {
    if (a[k] !== undefined) str(a[k], `response.${k}`, fail);
  }
  for (const k of ['statusPath', 'errorCodePath', 'errorTextPath', 'partsPath'] as const) if (a[k]) path(a[k], `response.${k}`, false, fail);
  for (const k of ['okValues', 'temporaryValues'] as const) {
    const v = a[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) fail(`response.${k}`, 'must be a list of strings');
  }
  if (a.statusPath && !a.okValues?.length) fail('response.okValues', 'must list the accepted statuses when statusPath is set');

  const c = s.receipt;
  if (!isObject(c)) fail('receipt', 'must be an object');
  oneOf(c.format, ['form', 'json', 'query', 'auto'], 'receipt.format', fail);
  oneOf(c.signature, ['twilio', 'hmac-sha256', 'none'], 'receipt.signature', fail);
  path(c.idPath, 'receipt.idPath', true, fail);
  path(c.statusPath, 'receipt.statusPath', true, fail);
  for (const k of ['errorCodePath', 'timestampPath', 'accountPath'] as const) {
    if (c[k] !== undefined) {
      str(c[k], `receipt.${k}`, fail);
      if (c[k]) path(c[k], `receipt.${k}`, false, fail);
    }
  }
  if (c.accountPath && s.username === '') fail('username', 'is required: receipt.accountPath checks it');
  if (c.signatureHeader !== undefined && (typeof c.signatureHeader !== 'string' || (c.signatureHeader !== '' && !HEADER_NAME.test(c.signatureHeader)))) fail('receipt.signatureHeader', 'must be a header name');
  if (!isObject(c.statusMap) || Object.keys(c.statusMap).length === 0) fail('receipt.statusMap', 'must map at least one provider status to a receipt code');
  for (const [status, code] of Object.entries(c.statusMap)) {
    if (!(RECEIPT_CODES as readonly string[]).includes(code)) fail(`receipt.statusMap.${status}`, `must be one of ${RECEIPT_CODES.join(', ')}, not "${String(code)}"`);
  }

  int(s.concurrency, 'concurrency', 1, 1000, fail);
  int(s.timeoutMs, 'timeoutMs', 100, 300_000, fail);
  int(s.retries, 'retries', 0, 10, fail);
  if (typeof s.throughput !== 'number' || !Number.isFinite(s.throughput) || s.throughput < 0) fail('throughput', 'must be a number of requests a second, 0 for no cap');
}

type Fail = (field: string, why: string) => never;

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function str(v: unknown, field: string, fail: Fail): void {
  if (typeof v !== 'string') fail(field, 'must be a string');
}

function oneOf(v: unknown, allowed: string[], field: string, fail: Fail): void {
  if (typeof v !== 'string' || !allowed.includes(v)) fail(field, `must be one of ${allowed.join(', ')}, not "${String(v)}"`);
}

function int(v: unknown, field: string, min: number, max: number, fail: Fail): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `must be a whole number from ${min} to ${max}`);
}

function path(v: unknown, field: string, required: boolean, fail: Fail): void {
  str(v, field, fail);
  if (required && v === '') fail(field, 'is required');
  if ((v as string).split('|').some((p) => p.split('.').some((seg) => seg === ''))) fail(field, `is not a dotted path: "${String(v)}"`);
}

function knownPlaceholders(template: string, field: string, fail: Fail): void {
  for (const name of placeholdersIn(template)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) fail(field, `uses the unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
  }
}
