import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProviderFake } from './provider-fake.ts';

/**
 * A stand-in for Twilio Programmable Messaging on 127.0.0.1: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`
 * with HTTP basic auth and a form body, answered in Twilio's documented shapes (201 with the Message resource;
 * errors as {code, message, more_info, status}). Status callbacks go to each message's StatusCallback as
 * signed form POSTs (X-Twilio-Signature). The signature is computed here on its own, not with the code under test.
 */
export interface TwilioFakeOptions {
  accountSid?: string;
  authToken?: string;
  /** Every answer waits this long (the request still counts as in flight). */
  latencyMs?: number;
  /** Sends a status callback this long after each accepted message. */
  autoReceipt?: { delayMs: number; status: string; errorCode?: string };
}

export interface TwilioRequest {
  method: string;
  path: string;
  /** The form fields as sent. */
  params: Record<string, string>;
  authorized: boolean;
  /** The HTTP status answered. */
  answered: number;
}

export interface TwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  status: string;
  /** Statuses sent to the StatusCallback, in order. */
  callbacks: string[];
}

interface FailMode {
  status: number;
  /** Answers left to fail; Infinity until recover(). */
  left: number;
  code: number;
  message: string;
  retryAfter?: number;
}

const DEFAULT_FAILURES: Record<number, { code: number; message: string }> = {
  400: { code: 21211, message: "The 'To' number is not a valid phone number." },
  401: { code: 20003, message: 'Authenticate' },
  429: { code: 20429, message: 'Too Many Requests' },
  500: { code: 20500, message: 'Internal Server Error' },
  503: { code: 20503, message: 'Service Unavailable' },
};

export class TwilioFake extends ProviderFake {
  readonly accountSid: string;
  readonly authToken: string;
  autoReceipt: TwilioFakeOptions['autoReceipt'];
  readonly requests: TwilioRequest[] = [];
  readonly messages: TwilioMessage[] = [];
  private fail: FailMode | undefined;

  private constructor(options: TwilioFakeOptions) {
    super(options.latencyMs ?? 0);
    this.accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.autoReceipt = options.autoReceipt;
  }

  static async start(options: TwilioFakeOptions = {}): Promise<TwilioFake> {
    const fake = new TwilioFake(options);
    await fake.listen();
    return fake;
  }

  /** Answers the next `times` requests (default: all until recover()) with this HTTP status and a Twilio error body. */
  failWith(status: number, opts: { times?: number; code?: number; message?: string; retryAfter?: number } = {}): void {
    const known = DEFAULT_FAILURES[status] ?? { code: 20000 + status, message: `HTTP ${status}` };
    this.fail = { status, left: opts.times ?? Infinity, code: opts.code ?? known.code, message: opts.message ?? known.message, retryAfter: opts.retryAfter };
  }

  recover(): void {
    this.fail = undefined;
  }

  message(sid: string): TwilioMessage | undefined {
    return this.messages.find((m) => m.sid === sid);
  }

  /**
   * Posts a status callback for an accepted message to its StatusCallback, signed with the auth token;
   * resolves with the HTTP status our webhook answered.
   */
  async sendReceipt(sid: string, status: string, opts: { errorCode?: string } = {}): Promise<number> {
    const m = this.message(sid);
    if (!m) throw new Error(`no message ${sid}`);
    if (!m.statusCallback) throw new Error(`message ${sid} has no StatusCallback`);
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      From: m.from,
      MessageSid: sid,
      MessageStatus: status,
      SmsSid: sid,
      SmsStatus: status,
      To: m.to,
    };
    const errorCode = opts.errorCode ?? (status === 'undelivered' ? '30003' : status === 'failed' ? '30008' : undefined);
    if (errorCode) params.ErrorCode = errorCode;
    if (status === 'delivered' || status === 'undelivered') params.RawDlrDoneDate = yymmddhhmm(new Date());
    const signature = twilioSignature(this.authToken, m.statusCallback, params);
    const answered = await this.callback(m.statusCallback, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-twilio-signature': signature,
        'i-twilio-idempotency-token': randomUUID(),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    m.status = status;
    m.callbacks.push(status);
    return answered;
  }

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const params = Object.fromEntries(new URLSearchParams(raw));
    const log: TwilioRequest = { method: req.method ?? '', path, params, authorized: false, answered: 0 };
    this.requests.push(log);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.answered = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
      answer(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);

    const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!route || req.method !== 'POST') return error(404, 20404, `The requested resource ${path} was not found`);
    const [user, pass] = basicAuth(req.headers.authorization);
    if (user !== this.accountSid || pass !== this.authToken || decodeURIComponent(route[1]!) !== this.accountSid) return error(401, 20003, 'Authenticate');
    log.authorized = true;

    if (this.fail) {
      const f = this.fail;
      if (--f.left <= 0) this.fail = undefined;
      return error(f.status, f.code, f.message, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    }
    const { To: to, From: from, Body: body, StatusCallback: statusCallback } = params;
    if (!to) return error(400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return error(400, 21603, "A 'From' phone number is required.");
    if (!body) return error(400, 21602, 'Message body is required.');
    if (body.length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const m: TwilioMessage = { sid, to, from, body, statusCallback, status: 'queued', callbacks: [] };
    this.messages.push(m);
    const now = rfc2822(new Date());
    answer(201, {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(segments(body)),
      price: null,
      price_unit: 'USD',
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
    });
    const auto = this.autoReceipt;
    if (auto && statusCallback) this.later(auto.delayMs, () => void this.sendReceipt(sid, auto.status, { errorCode: auto.errorCode }).catch(() => {}));
  }
}

/** base64 HMAC-SHA1 of the URL and each parameter's name and value, sorted by name. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .map((k) => k + params[k])
    .join('');
  return createHmac('sha1', authToken).update(url + data, 'utf8').digest('base64');
}

function basicAuth(header: string | undefined): [string, string] | [] {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return [];
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? [] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function yymmddhhmm(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes());
}

/** Segments as a handset counts them, roughly: GSM-7 text by characters, anything else by UTF-16 units. */
function segments(text: string): number {
  const gsm = /^[A-Za-z0-9 @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/.test(text);
  const units = gsm ? [...text].reduce((n, c) => n + ('^{}\\[~]|€'.includes(c) ? 2 : 1), 0) : text.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}
