import { UsmsApiError, UsmsRequestError, UsmsUsageError } from './errors.ts';
import { base64Utf8, flattenParams } from './flatten.ts';
import { sign } from './signature.ts';
import type * as T from './types.ts';

export interface UsmsClientOptions {
  /** The server's root URL, e.g. `https://sms.example.com` (no `/api`). */
  url: string;
  /** PublicKey / X-Access-Key-Id / ACCESSKEY_ID. */
  publicKey: string;
  /** PrivateKey / ACCESSKEY_SECRET. */
  privateKey: string;
  /** Wire dialect, fixed for the client. Default 'uspeedo'. */
  dialect?: T.Dialect;
  /** UCloud dialect: ProjectId sent with every request. */
  projectId?: string;
  /** uSpeedo dialect: AccountId sent with every request. */
  accountId?: number;
  /** Per attempt. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt for network errors, timeouts, HTTP 5xx/429 and transient RetCodes. Default 3. */
  retries?: number;
  /** First backoff delay; doubles each retry (with jitter), at most 8 s. Default 250 ms. */
  retryDelayMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

export interface CallOptions {
  /**
   * Identifies one logical request across retries (and across runs, if you store it): the server answers a
   * repeat with the first answer and sends nothing again, for 24 h. Default: a fresh UUID per call.
   */
  idempotencyKey?: string;
  /** Aborts the call (no further retries). */
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
}

/** RetCodes that mean "nothing was done, try again later": service error, busy, rate limit. */
const TRANSIENT_RETCODES = new Set([200, 18004, 18007, 215400]);
const MAX_BACKOFF_MS = 8_000;

interface Prepared {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Headers that change per attempt (uSpeedo X-Timestamp). */
  perAttempt?: () => Record<string, string>;
}

interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Params sent in the query string (GET/DELETE); the rest of the routes send a JSON body. */
  query?: (p: Record<string, unknown>) => Array<[string, unknown]>;
}

/** The routes REST v1 documents; other actions have no REST v1 form. */
const REST_ROUTES: Record<string, RestRoute> = {
  SendBatchUSMSMessage: { method: 'POST', path: '/api/v1/usms/SendBatchUSMSMessage' },
  GetUSMSSendReceipt: { method: 'GET', path: '/api/v1/usms/USMSSendReceipt', query: (p) => [['id', p.SessionNoSet]] },
  CreateUSMSTemplate: { method: 'POST', path: '/api/v1/usms/USMSTemplate' },
  QueryUSMSTemplate: {
    method: 'GET',
    path: '/api/v1/usms/USMSTemplate',
    query: (p) => [['TemplateId', p.TemplateId], ['Page', p.Page], ['NumPerPage', p.NumPerPage]],
  },
  UpdateUSMSTemplate: { method: 'PUT', path: '/api/v1/usms/USMSTemplate' },
  DeleteUSMSTemplate: { method: 'DELETE', path: '/api/v1/usms/USMSTemplate', query: (p) => [['TemplateIds', p.TemplateIds]] },
};

/**
 * A USMS API client for one server, key and wire dialect. Every method resolves with the answer when
 * RetCode is 0 and rejects with UsmsApiError otherwise (UsmsRequestError when no answer came).
 */
export class UsmsClient {
  readonly dialect: T.Dialect;
  private readonly base: string;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(private readonly options: UsmsClientOptions) {
    this.dialect = options.dialect ?? 'uspeedo';
    if (!['ucloud', 'uspeedo', 'rest'].includes(this.dialect)) throw new UsmsUsageError(`unknown dialect "${String(this.dialect)}": use 'ucloud', 'uspeedo' or 'rest'`);
    if (!options.url) throw new UsmsUsageError('url is required');
    if (!options.publicKey || !options.privateKey) throw new UsmsUsageError('publicKey and privateKey are required');
    this.base = options.url.replace(/\/+$/, '');
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new UsmsUsageError('no fetch implementation: use Node 18+ or pass options.fetch');
    this.fetchImpl = f;
  }

  /** Any action by name. Prefer the typed methods below. */
  async call<R extends T.UsmsResponse = T.UsmsResponse>(action: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<R> {
    if (!/^[A-Za-z0-9]{1,64}$/.test(action)) throw new UsmsUsageError(`invalid action name "${action}"`);
    const key = opts.idempotencyKey ?? globalThis.crypto.randomUUID();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new UsmsUsageError('idempotencyKey must be 1 to 255 visible ASCII characters');
    const prepared = await this.prepare(action, params, key);
    return (await this.send(action, prepared, key, opts)) as R;
  }

  sendUSMSMessage(params: T.SendUSMSMessageParams, opts?: CallOptions) {
    return this.call<T.SendUSMSMessageResponse>('SendUSMSMessage', { ...params }, opts);
  }
  sendBatchUSMSMessage(params: T.SendBatchUSMSMessageParams, opts?: CallOptions) {
    return this.call<T.SendBatchUSMSMessageResponse>('SendBatchUSMSMessage', { ...params }, opts);
  }
  getUSMSSendReceipt(params: T.GetUSMSSendReceiptParams, opts?: CallOptions) {
    return this.call<T.GetUSMSSendReceiptResponse>('GetUSMSSendReceipt', { ...params }, opts);
  }
  pullUSMSReport(params: T.PullUSMSReportParams = {}, opts?: CallOptions) {
    return this.call<T.PullUSMSReportResponse>('PullUSMSReport', { ...params }, opts);
  }
  createUSMSTemplate(params: T.CreateUSMSTemplateParams, opts?: CallOptions) {
    return this.call<T.CreateUSMSTemplateResponse>('CreateUSMSTemplate', { ...params }, opts);
  }
  queryUSMSTemplate(params: T.QueryUSMSTemplateParams = {}, opts?: CallOptions) {
    return this.call<T.QueryUSMSTemplateResponse>('QueryUSMSTemplate', { ...params }, opts);
  }
  updateUSMSTemplate(params: T.UpdateUSMSTemplateParams, opts?: CallOptions) {
    return this.call<T.UsmsResponse>('UpdateUSMSTemplate', { ...params }, opts);
  }
  deleteUSMSTemplate(params: T.DeleteUSMSTemplateParams, opts?: CallOptions) {
    return this.call<T.UsmsResponse>('DeleteUSMSTemplate', { ...params }, opts);
  }
  createUSMSSignature(params: T.CreateUSMSSignatureParams, opts?: CallOptions) {
    return this.call<T.CreateUSMSSignatureResponse>('CreateUSMSSignature', { ...params }, opts);
  }
  queryUSMSSignature(params: T.QueryUSMSSignatureParams, opts?: CallOptions) {
    return this.call<T.QueryUSMSSignatureResponse>('QueryUSMSSignature', { ...params }, opts);
  }
  updateUSMSSignature(params: T.UpdateUSMSSignatureParams, opts?: CallOptions) {
    return this.call<T.UsmsResponse>('UpdateUSMSSignature', { ...params }, opts);
  }
  deleteUSMSSignature(params: T.DeleteUSMSSignatureParams, opts?: CallOptions) {
    return this.call<T.UsmsResponse>('DeleteUSMSSignature', { ...params }, opts);
  }
  getUSMSSendStatistics(params: T.GetUSMSSendStatisticsParams, opts?: CallOptions) {
    return this.call<T.GetUSMSSendStatisticsResponse>('GetUSMSSendStatistics', { ...params }, opts);
  }
  getUSMSTemplateSendStatistics(params: T.GetUSMSTemplateSendStatisticsParams, opts?: CallOptions) {
    return this.call<T.GetUSMSTemplateSendStatisticsResponse>('GetUSMSTemplateSendStatistics', { ...params }, opts);
  }

  /** Builds the request once per logical call: retries resend the same bytes (and the same key and nonce). */
  private async prepare(action: string, params: Record<string, unknown>, key: string): Promise<Prepared> {
    const { publicKey, privateKey } = this.options;
    if (this.dialect === 'ucloud') {
      const all: Record<string, unknown> = { ...params, Action: action };
      if (action === 'SendBatchUSMSMessage' && Array.isArray(all.TaskContent)) all.TaskContent = base64Utf8(JSON.stringify(all.TaskContent));
      const flat = flattenParams(all);
      flat.PublicKey = publicKey;
      if (this.options.projectId !== undefined && flat.ProjectId === undefined) flat.ProjectId = this.options.projectId;
      delete flat.Signature;
      flat.Signature = await sign(flat, privateKey);
      return {
        url: `${this.base}/`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': key },
        body: new URLSearchParams(flat).toString(),
      };
    }
    if (this.dialect === 'uspeedo') {
      const body: Record<string, unknown> = { Action: action };
      if (this.options.accountId !== undefined) body.AccountId = this.options.accountId;
      Object.assign(body, params);
      const text = JSON.stringify(body);
      // Sign what the server will parse (undefined fields dropped, Dates as strings...).
      const signature = await sign(JSON.parse(text) as Record<string, unknown>, privateKey);
      const nonce = globalThis.crypto.randomUUID().replace(/-/g, '');
      return {
        url: `${this.base}/api?Action=${action}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-access-key-id': publicKey,
          'x-signature': signature,
          'x-nonce': nonce,
          'idempotency-key': key,
        },
        body: text,
        perAttempt: () => ({ 'x-timestamp': String(Math.floor(Date.now() / 1000)) }),
      };
    }
    const route = Object.hasOwn(REST_ROUTES, action) ? REST_ROUTES[action] : undefined;
    if (!route) {
      throw new UsmsUsageError(
        `${action} has no REST v1 route (REST v1 documents ${Object.keys(REST_ROUTES).join(', ')}); use the 'uspeedo' or 'ucloud' dialect`,
      );
    }
    const headers: Record<string, string> = {
      authorization: 'Basic ' + base64Utf8(`${publicKey}:${privateKey}`),
      accept: 'application/json',
    };
    let url = this.base + route.path;
    let body: string | undefined;
    if (route.query) {
      const q = new URLSearchParams();
      for (const [name, value] of route.query(params)) {
        if (value === undefined || value === null) continue;
        for (const v of Array.isArray(value) ? value : [value]) q.append(name, String(v));
      }
      const qs = q.toString();
      if (qs) url += '?' + qs;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(params);
    }
    if (route.method !== 'GET') headers['idempotency-key'] = key;
    return { url, method: route.method, headers, body };
  }

  private async send(action: string, req: Prepared, key: string, opts: CallOptions): Promise<T.UsmsResponse> {
    const retries = Math.max(0, opts.retries ?? this.options.retries ?? 3);
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const baseDelay = this.options.retryDelayMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      const last = attempt > retries;
      opts.signal?.throwIfAborted();
      // A timer of our own (AbortSignal.timeout's does not keep the process alive).
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
      let status: number;
      let text: string;
      try {
        const res = await this.fetchImpl(req.url, {
          method: req.method,
          headers: { ...req.headers, ...req.perAttempt?.() },
          body: req.body,
          signal,
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        const what = timeout.signal.aborted ? `no answer within ${timeoutMs} ms` : `network error (${describe(err)})`;
        if (last) throw new UsmsRequestError(`${action}: ${what} after ${attempt} attempt(s)`, action, attempt, key, undefined, { cause: err });
        await sleep(backoff(baseDelay, attempt), opts.signal);
        continue;
      } finally {
        clearTimeout(timer);
      }
      const body = parseObject(text);
      if (body && typeof body.RetCode === 'number') {
        if (body.RetCode === 0) return body as T.UsmsResponse;
        if (!last && TRANSIENT_RETCODES.has(body.RetCode)) {
          await sleep(backoff(baseDelay, attempt), opts.signal);
          continue;
        }
        throw new UsmsApiError(action, body, status);
      }
      if (!last && (status >= 500 || status === 429)) {
        await sleep(backoff(baseDelay, attempt), opts.signal);
        continue;
      }
      const snippet = text.length > 200 ? text.slice(0, 200) + '...' : text;
      throw new UsmsRequestError(`${action}: HTTP ${status} without a RetCode: ${snippet}`, action, attempt, key, status);
    }
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err);
}

/** Exponential backoff with jitter: base * 2^(attempt-1), scaled by 0.5-1.0. */
function backoff(base: number, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
