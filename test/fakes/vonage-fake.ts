import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProviderFake } from './provider-fake.ts';

/**
 * A stand-in for the Vonage SMS API on 127.0.0.1: `POST /sms/json` (a form or JSON body; GET with a query
 * too), credentials as api_key / api_secret, always answered 200 with
 * {"message-count": "N", "messages": [...]}, one entry per part, each with its own status ("0" accepted).
 * Long text is split as Vonage does (153 / 67 per part). Delivery receipts go to the message's `callback`
 * (or `defaultCallback`), one per part, as a GET query, a JSON POST or a form POST.
 */
export interface VonageFakeOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Every answer waits this long (the request still counts as in flight). */
  latencyMs?: number;
  /** Sends receipts for every part this long after each accepted message. */
  autoReceipt?: { delayMs: number; status: string; errCode?: string };
  /** How receipts are sent (default GET, the query string). */
  receiptMethod?: VonageReceiptMethod;
  /** Where receipts go for a message sent without `callback` (the account's default webhook). */
  defaultCallback?: string;
}

export type VonageReceiptMethod = 'GET' | 'POST-JSON' | 'POST-FORM';

export interface VonageRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  /** The HTTP status answered, and the first entry's status. */
  answered: number;
  status: string;
}

export interface VonageMessage {
  /** The first part's message-id. */
  id: string;
  /** Every part's message-id, in order. */
  ids: string[];
  to: string;
  from: string;
  text: string;
  type: string;
  callback?: string;
  clientRef?: string;
  /** Receipt statuses sent, in order (one per part each time). */
  receipts: string[];
}

const PRICE = 0.0333;
const NETWORK = '23410';

export class VonageFake extends ProviderFake {
  readonly apiKey: string;
  readonly apiSecret: string;
  autoReceipt: VonageFakeOptions['autoReceipt'];
  receiptMethod: VonageReceiptMethod;
  defaultCallback: string | undefined;
  readonly requests: VonageRequest[] = [];
  readonly messages: VonageMessage[] = [];
  balance = 10;
  private httpFail: { status: number; left: number } | undefined;
  private statusFail: { status: string; left: number; text: string } | undefined;

  private constructor(options: VonageFakeOptions) {
    super(options.latencyMs ?? 0);
    this.apiKey = options.apiKey ?? randomBytes(4).toString('hex');
    this.apiSecret = options.apiSecret ?? randomBytes(8).toString('hex');
    this.autoReceipt = options.autoReceipt;
    this.receiptMethod = options.receiptMethod ?? 'GET';
    this.defaultCallback = options.defaultCallback;
  }

  static async start(options: VonageFakeOptions = {}): Promise<VonageFake> {
    const fake = new VonageFake(options);
    await fake.listen();
    return fake;
  }

  /** Answers the next `times` requests (default: all until recover()) with this HTTP status (429, 500, 503...). */
  failWith(httpStatus: number, opts: { times?: number } = {}): void {
    this.httpFail = { status: httpStatus, left: opts.times ?? Infinity };
  }

  /** Answers the next `times` requests 200 with this per-message status ("1" throttled, "2" missing parameters...). */
  rejectWith(status: string, opts: { times?: number; text?: string } = {}): void {
    this.statusFail = { status, left: opts.times ?? Infinity, text: opts.text ?? STATUS_TEXT[status] ?? `Error ${status}` };
  }

  recover(): void {
    this.httpFail = undefined;
    this.statusFail = undefined;
  }

  /** The message one of whose parts has this message-id. */
  message(id: string): VonageMessage | undefined {
    return this.messages.find((m) => m.ids.includes(id));
  }

  /**
   * Sends a delivery receipt for every part of the message with this (any part's) message-id; resolves with
   * the HTTP status our webhook answered (the first that is not 2xx, else the last).
   */
  async sendReceipt(id: string, status: string, opts: { errCode?: string; method?: VonageReceiptMethod } = {}): Promise<number> {
    const m = this.message(id);
    if (!m) throw new Error(`no message ${id}`);
    const target = m.callback ?? this.defaultCallback;
    if (!target) throw new Error(`message ${id} has no callback`);
    const method = opts.method ?? this.receiptMethod;
    const errCode = opts.errCode ?? (status === 'delivered' || status === 'accepted' || status === 'buffered' ? '0' : '1');
    let answered = 200;
    for (const messageId of m.ids) {
      const now = new Date();
      const fields: Record<string, string> = {
        msisdn: m.to,
        to: m.from,
        'network-code': NETWORK,
        messageId,
        price: PRICE.toFixed(8),
        status,
        scts: compactTime(now),
        'err-code': errCode,
        'api-key': this.apiKey,
        ...(m.clientRef ? { 'client-ref': m.clientRef } : {}),
        'message-timestamp': now.toISOString().slice(0, 19).replace('T', ' '),
      };
      const query = new URLSearchParams(fields).toString();
      const webhookAnswer =
        method === 'GET'
          ? await this.callback(target + (target.includes('?') ? '&' : '?') + query)
          : await this.callback(target, {
              method: 'POST',
              headers: { 'content-type': method === 'POST-JSON' ? 'application/json' : 'application/x-www-form-urlencoded' },
              body: method === 'POST-JSON' ? JSON.stringify(fields) : query,
            });
      if (answered >= 200 && answered < 300) answered = webhookAnswer;
    }
    m.receipts.push(status);
    return answered;
  }

  protected handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const params = readParams(url, raw, req.headers['content-type']);
    const log: VonageRequest = { method: req.method ?? '', path: url.pathname, params, answered: 0, status: '' };
    this.requests.push(log);
    const answer = (status: number, body: string, type = 'application/json') => {
      log.answered = status;
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const refuse = (status: string, text: string) => {
      log.status = status;
      answer(200, JSON.stringify({ 'message-count': '1', messages: [{ status, 'error-text': text }] }));
    };

    if (url.pathname !== '/sms/json' || (req.method !== 'POST' && req.method !== 'GET')) return answer(404, 'Not Found', 'text/plain');
    if (this.httpFail) {
      const f = this.httpFail;
      if (--f.left <= 0) this.httpFail = undefined;
      return answer(f.status, f.status === 429 ? 'Too Many Requests' : 'Service Unavailable', 'text/plain');
    }
    for (const name of ['api_key', 'api_secret']) if (!params[name]) return refuse('2', `Missing ${name}`);
    if (params.api_key !== this.apiKey || params.api_secret !== this.apiSecret) return refuse('4', 'Bad Credentials');
    if (this.statusFail) {
      const f = this.statusFail;
      if (--f.left <= 0) this.statusFail = undefined;
      return refuse(f.status, f.text);
    }
    for (const name of ['from', 'to', 'text']) if (!params[name]) return refuse('2', `Missing ${name} param`);
    if (!/^[1-9]\d{6,14}$/.test(params.to!)) return refuse('3', 'Invalid to param');
    const type = params.type ?? 'text';
    if (type !== 'text' && type !== 'unicode') return refuse('3', 'Invalid type param');

    const parts = partCount(params.text!, type);
    const ids = Array.from({ length: parts }, () => randomBytes(8).toString('hex').toUpperCase());
    const m: VonageMessage = { id: ids[0]!, ids, to: params.to!, from: params.from!, text: params.text!, type, callback: params.callback, clientRef: params['client-ref'], receipts: [] };
    this.messages.push(m);
    log.status = '0';
    const entries = ids.map((id) => {
      this.balance -= PRICE;
      return { to: m.to, 'message-id': id, status: '0', 'remaining-balance': this.balance.toFixed(8), 'message-price': PRICE.toFixed(8), network: NETWORK };
    });
    answer(200, JSON.stringify({ 'message-count': String(parts), messages: entries }));
    const auto = this.autoReceipt;
    if (auto && (m.callback ?? this.defaultCallback)) this.later(auto.delayMs, () => void this.sendReceipt(m.id, auto.status, { errCode: auto.errCode }).catch(() => {}));
  }
}

const STATUS_TEXT: Record<string, string> = {
  '1': 'Throughput Rate Exceeded - please wait [ 10 ] and retry',
  '2': 'Missing to param',
  '3': 'Invalid to param',
  '4': 'Bad Credentials',
  '5': 'Internal Error',
  '6': 'Invalid Message',
  '7': 'Number Barred',
  '8': 'Partner Account Barred',
  '9': 'Partner Quota Violation',
  '15': 'Illegal Sender Address - rejected',
};

function readParams(url: URL, raw: string, contentType: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(url.searchParams);
  if (!raw) return out;
  if (/json/i.test(contentType ?? '')) {
    const json = JSON.parse(raw) as Record<string, unknown>;
    for (const [k, v] of Object.entries(json)) out[k] = String(v);
    return out;
  }
  return { ...out, ...Object.fromEntries(new URLSearchParams(raw)) };
}

/** YYMMDDHHMM in UTC, as in `scts`. */
function compactTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes());
}

/** Parts as Vonage splits: type text counts GSM-7 septets (160, else 153 a part), unicode UTF-16 units (70, else 67). */
function partCount(text: string, type: string): number {
  const units = type === 'unicode' ? text.length : [...text].reduce((n, c) => n + ('^{}\\[~]|€'.includes(c) ? 2 : 1), 0);
  const [single, multi] = type === 'unicode' ? [70, 67] : [160, 153];
  return units <= single ? 1 : Math.ceil(units / multi);
}
