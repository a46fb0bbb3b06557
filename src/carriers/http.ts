import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Fifo } from '../fifo.ts';
import { newCarrierCounters, type AcceptedPart } from '../sms/carrier-events.ts';
import { isGsm7 } from '../sms/gsm7.ts';
import { TokenBucket } from '../smpp/token-bucket.ts';
import type { Capacity, Carrier, CarrierEvents, CarrierState, Failure, OutboundMessage, SubmitResult } from './carrier.ts';
import { validateHttpSettings, type HttpSettings } from './http-settings.ts';
import { encodeForm, readPath, readText, renderFields, renderUrl, type TemplateValues } from './http-template.ts';
import { PerSecond } from './per-second.ts';

export interface HttpCarrierOptions {
  /** Whether a message whose outcome is unknown may be submitted again. */
  atLeastOnce: boolean;
  /** The public URL of this carrier's receipt webhook, for {receipt_url}; '' when there is none. */
  receiptUrl: string;
  log?: Logger;
  /** Node's global fetch unless given. */
  fetch?: typeof fetch;
  /** The first retry's delay inside a submit, doubling after (default 500 ms). */
  backoffMs?: number;
}

/** Backoff between retries inside one submit never exceeds this; a longer Retry-After ends the retries. */
const MAX_DELAY_MS = 5_000;
/** Connection errors that mean the request never reached the provider: safe to send again. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

interface Job {
  message: OutboundMessage;
  resolve: (result: SubmitResult) => void;
}

interface Prepared {
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
}

/** One request's outcome, and whether it may be tried again within the submit. */
interface Attempt {
  result: SubmitResult;
  retry: boolean;
  retryAfterMs?: number;
}

/**
 * A carrier reached over an HTTP API (Twilio, Vonage, or one described by settings): one request per
 * message, at most `concurrency` in flight (the rest wait in order: the backlog) and `throughput` a second.
 *
 * Outcomes per message: a 2xx answer with an id and an accepted status -> sent. A 4xx (but 408 and 429) or a
 * refusing provider status -> permanent, with the provider's code and text. A 408, 429, 5xx, a throttling
 * provider status, or a connection never made -> retried `retries` times (backoff doubling from
 * `backoffMs`, or the Retry-After asked for if not too long), then temporary: counted, so the delivery
 * layer may move the message to another carrier. No answer in time, or the connection lost after the
 * request went out -> unknown. A provider that splits long text itself (Vonage) answers per part: each
 * accepted part is reported, and the first part's id is the message's carrier id.
 *
 * Receipts come through the carrier's webhook (`http-webhook.ts`), not through this object.
 */
export class HttpCarrier implements Carrier {
  readonly kind = 'http';
  readonly atLeastOnce: boolean;
  readonly capacity: Capacity;
  private readonly fetch: typeof fetch;
  private readonly backoffMs: number;
  private readonly bucket: TokenBucket;
  private readonly queue = new Fifo<Job>();
  private readonly running = new Set<Promise<void>>();
  /** Ends every wait (backoff, rate cap) when the carrier stops. */
  private readonly halt = new AbortController();
  private pumpTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private stopped = false;
  // Kept for the interface: receipts and inbound messages of HTTP carriers reach the events through the webhook.
  private events: CarrierEvents | undefined;
  private readonly counters = newCarrierCounters();
  private readonly second = new PerSecond();
  private lastError = '';

  constructor(
    readonly name: string,
    readonly settings: HttpSettings,
    private readonly secret: string,
    private readonly options: HttpCarrierOptions,
  ) {
    validateHttpSettings(settings);
    this.atLeastOnce = options.atLeastOnce;
    this.capacity = { window: settings.concurrency, prefetch: settings.concurrency, throughput: settings.throughput };
    this.fetch = options.fetch ?? globalThis.fetch;
    this.backoffMs = options.backoffMs ?? 500;
    this.bucket = new TokenBucket(settings.throughput);
  }

  async start(events: CarrierEvents): Promise<void> {
    this.events = events;
  }

  /** Queues every message and returns at once, one promise per message; after stop() each is temporary STOPPED. */
  async submit(messages: OutboundMessage[]): Promise<Array<Promise<SubmitResult>>> {
    const results = messages.map((message) =>
      this.stopped ? Promise.resolve(stoppedResult(message)) : new Promise<SubmitResult>((resolve) => this.queue.push({ message, resolve })),
    );
    this.pump();
    return results;
  }

  ready(): boolean {
    return !this.stopped;
  }

  backlog(): number {
    return this.queue.length;
  }

  status(): CarrierState {
    const state = this.stopped ? 'closed' : 'ready';
    const now = Date.now();
    const perSecond = this.second.rate(now);
    return {
      state,
      binds: JSON.stringify([{ mode: 'http', state }]),
      window_used: this.inFlight,
      window_size: this.settings.concurrency,
      queued: this.queue.length,
      rate_limit: this.settings.throughput,
      sent_per_second: perSecond,
      ...this.counters,
      last_error: this.lastError.slice(0, 500),
    };
  }

  /** Refuses new messages and those still queued (temporary STOPPED), ends backoffs, waits for requests in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.events = undefined;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    for (const job of this.queue.take()) job.resolve(stoppedResult(job.message));
    this.halt.abort();
    await Promise.allSettled([...this.running]);
  }

  // ---- the queue ---------------------------------------------------------------------------------

  /** Starts queued messages while the concurrency and the rate cap allow; comes back when a token is due. */
  private pump(): void {
    while (!this.stopped && this.inFlight < this.settings.concurrency && this.queue.length > 0) {
      const wait = this.bucket.take();
      if (wait > 0) {
        this.pumpTimer ??= setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      const job = this.queue.take(1)[0]!;
      this.inFlight++;
      const run: Promise<void> = this.run(job.message)
        .catch((err: Error): SubmitResult => ({ ok: false, kind: 'unknown', code: 'INTERNAL', desc: err.message }))
        .then((result) => {
          this.count(result);
          job.resolve(result);
        })
        .finally(() => {
          this.inFlight--;
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  private async run(m: OutboundMessage): Promise<SubmitResult> {
    // The provider splits the text itself: parts of an earlier attempt cannot be resumed.
    const extra = m.priorParts.length > 0 ? { dropPrior: true } : {};
    const req = this.prepare(m);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(m, req);
      const tooLong = outcome.retryAfterMs !== undefined && outcome.retryAfterMs > MAX_DELAY_MS;
      if (!outcome.retry || attempt >= this.settings.retries || tooLong || this.stopped) return { ...outcome.result, ...extra };
      await this.sleep(outcome.retryAfterMs ?? Math.min(MAX_DELAY_MS, this.backoffMs * 2 ** attempt));
      await this.paced();
      if (this.stopped) return { ...outcome.result, ...extra };
    }
  }

  /** Waits for a token of the rate cap (the first request of a message got its token in pump). */
  private async paced(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const wait = this.bucket.take();
      if (wait === 0) return;
      await this.sleep(Math.ceil(wait));
    }
  }

  private async sleep(ms: number): Promise<void> {
    try {
      await delay(ms, undefined, { signal: this.halt.signal });
    } catch {
      // stopped
    }
  }

  // ---- one request -------------------------------------------------------------------------------

  private prepare(m: OutboundMessage): Prepared {
    const s = this.settings;
    const values: TemplateValues = {
      to: m.e164,
      to_digits: m.e164.replace(/^\+/, ''),
      from: s.from || m.sender,
      text: m.content,
      id: String(m.id),
      receipt_url: this.options.receiptUrl,
      username: s.username,
      baseUrl: s.baseUrl,
      secret: this.secret,
      type: m.encoding.toUpperCase().startsWith('UCS') || !isGsm7(m.content) ? 'unicode' : 'text',
    };
    let url = renderUrl(s.request.url, values);
    const fields = renderFields(s.request.body, values);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'usms' };
    let body: string | undefined;
    if (s.request.method === 'GET') {
      const query = encodeForm(fields);
      if (query) url += (url.includes('?') ? '&' : '?') + query;
    } else {
      body = s.request.format === 'json' ? JSON.stringify(fields) : encodeForm(fields);
      headers['content-type'] = s.request.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    }
    const auth = s.request.auth;
    if (auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${s.username}:${this.secret}`).toString('base64')}`;
    else if (auth === 'bearer') headers.authorization = `Bearer ${this.secret}`;
    else if (auth === 'hmac') {
      const signed = body ?? new URL(url).search.slice(1);
      headers[(s.request.hmacHeader || 'X-Signature').toLowerCase()] = createHmac('sha256', this.secret).update(signed, 'utf8').digest('hex');
    }
    return { url, init: { method: s.request.method, headers, body } };
  }

  private async attempt(m: OutboundMessage, req: Prepared): Promise<Attempt> {
    this.counters.submitted++;
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      // A redirect is not followed: a POST turned into a GET elsewhere would not send the message.
      const res = await this.fetch(req.url, { ...req.init, redirect: 'manual', signal: AbortSignal.timeout(this.settings.timeoutMs) });
      status = res.status;
      headers = res.headers;
      text = await res.text();
    } catch (err) {
      return this.connectionFailure(err as Error);
    }
    if (status >= 200 && status < 300) return this.answered(m, text, status);
    return this.refused(status, headers, text);
  }

  /** A 2xx answer: the message, or each of its parts, accepted or refused by the provider's own status. */
  private answered(m: OutboundMessage, text: string, status: number): Attempt {
    const r = this.settings.response;
    const json = parseJson(text);
    let list: unknown[] = json === undefined ? [] : [json];
    if (r.partsPath) {
      const entries = readPath(json, r.partsPath);
      list = Array.isArray(entries) ? entries : [];
    }
    if (list.length === 0) {
      return { retry: false, result: failure('unknown', 'BAD_ANSWER', `HTTP ${status} without a readable answer: ${snippet(text)}`) };
    }
    const total = list.length;
    const ok = new Set((r.okValues ?? []).map((v) => v.toLowerCase()));
    const temporary = new Set((r.temporaryValues ?? []).map((v) => v.toLowerCase()));
    const where = (i: number) => (total > 1 ? `part ${i + 1}/${total}: ` : '');
    const parts: AcceptedPart[] = [];
    let accepted = 0;
    let first: string | undefined;
    let worst: Failure | undefined;
    list.forEach((entry, i) => {
      const providerStatus = readText(entry, r.statusPath)?.trim();
      if (!r.statusPath || (providerStatus !== undefined && ok.has(providerStatus.toLowerCase()))) {
        const id = readText(entry, r.idPath)?.trim();
        if (!id) {
          worst = worse(worst, failure('unknown', 'BAD_ANSWER', `${where(i)}accepted without an id (${r.idPath}): ${snippet(text)}`));
          return;
        }
        accepted++;
        if (i === 0) first = id;
        if (total > 1) parts.push({ messageId: m.id, partNo: i + 1, total, carrierMsgId: id, ref: 0, e164: m.e164 });
        return;
      }
      const isTemporary = providerStatus !== undefined && temporary.has(providerStatus.toLowerCase());
      if (isTemporary) this.counters.throttled++;
      const code = (r.codePrefix ?? '') + (readText(entry, r.errorCodePath)?.trim() || providerStatus || 'ERROR');
      const reason = readText(entry, r.errorTextPath)?.trim();
      const desc = `${where(i)}provider status ${providerStatus ?? '(none)'}${reason ? `: ${reason}` : ''}`;
      worst = worse(worst, failure(isTemporary ? 'temporary' : 'permanent', code, desc));
    });
    const withParts = parts.length ? { parts } : {};
    if (worst) {
      // Sending again is safe only while the provider has kept no part of the message.
      return { retry: worst.kind === 'temporary' && accepted === 0, result: { ...worst, ...withParts } };
    }
    return { retry: false, result: { ok: true, carrierMsgId: first!, ...withParts } };
  }

  /** A non-2xx answer. */
  private refused(status: number, headers: Headers, text: string): Attempt {
    const r = this.settings.response;
    const json = parseJson(text);
    const providerCode = readText(json, r.errorCodePath)?.trim();
    const reason = readText(json, r.errorTextPath)?.trim() || (json === undefined ? snippet(text) : '');
    const code = providerCode ? (r.codePrefix ?? '') + providerCode : `HTTP_${status}`;
    const desc = `HTTP ${status}${reason ? `: ${reason}` : ''}`;
    if (status === 408 || status === 429 || status >= 500) {
      if (status === 429) this.counters.throttled++;
      return { retry: true, retryAfterMs: retryAfter(headers.get('retry-after')), result: failure('temporary', code, desc) };
    }
    return { retry: false, result: failure('permanent', code, desc) };
  }

  private connectionFailure(err: Error): Attempt {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      return { retry: false, result: failure('unknown', 'TIMEOUT', `no answer within ${this.settings.timeoutMs} ms: the provider may or may not have the message`) };
    }
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (err as Error & { code?: string }).code ?? '';
    const why = cause?.message ? `${err.message}: ${cause.message}` : err.message;
    if (NOT_SENT.has(code)) return { retry: true, result: failure('temporary', 'CONNECT', `not sent: ${why}`) };
    return { retry: false, result: failure('unknown', 'CONNECTION', `${why}${code ? ` (${code})` : ''}: the provider may or may not have the message`) };
  }

  private count(result: SubmitResult): void {
    if (result.ok) {
      this.counters.accepted++;
      this.second.add();
      return;
    }
    this.counters.errors++;
    if (result.kind === 'unknown') this.counters.unknown++;
    this.lastError = `${result.code}: ${result.desc}`;
    if (result.code !== 'STOPPED') this.options.log?.[result.kind === 'permanent' ? 'debug' : 'warn']({ carrier: this.name, code: result.code, kind: result.kind }, result.desc);
  }
}

function failure(kind: Failure['kind'], code: string, desc: string): Failure {
  return { ok: false, kind, code, desc };
}

function stoppedResult(m: OutboundMessage): SubmitResult {
  return { ...failure('temporary', 'STOPPED', 'the carrier is stopping'), ...(m.priorParts.length > 0 ? { dropPrior: true } : {}) };
}

const RANK: Record<Failure['kind'], number> = { permanent: 3, unknown: 2, temporary: 1 };

/** The worse of two part failures: permanent > unknown > temporary. */
function worse(a: Failure | undefined, b: Failure): Failure {
  return a && RANK[a.kind] >= RANK[b.kind] ? a : b;
}

function parseJson(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}...` : t || '(empty)';
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
