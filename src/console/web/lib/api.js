// The client of the console's JSON API (/console/api/*): CSRF header on writes, errors as ApiError,
// and a 401 handed to whoever registered for it (the app, which shows the login page).

const BASE = '/console/api';

let csrfToken = '';
let unauthenticated = () => {};

export function setCsrf(token) {
  csrfToken = token || '';
}

export function onUnauthenticated(handler) {
  unauthenticated = handler;
}

/** A refusal from the server: `status` is the HTTP status, `code` the answer's Error.Code. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** The server could not be reached (or answered something that is not JSON): safe to retry an idempotent request. */
export class NetworkError extends Error {
  constructor(cause) {
    super(cause && cause.message ? cause.message : 'network error');
    this.code = 'network';
  }
}

/** `?a=1&b=x` from an object, leaving out empty values. */
export function queryString(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * One request. `body` is sent as JSON, `text` as text/csv; `headers` are added (Idempotency-Key).
 * Paths that answer 401 as part of their job (login, reset, the first /me) pass `quiet401`.
 */
export async function request(method, path, { query, body, text, headers, quiet401 } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET' && csrfToken) init.headers['X-CSRF-Token'] = csrfToken;
  if (text !== undefined) {
    init.headers['Content-Type'] = 'text/csv; charset=utf-8';
    init.body = text;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path + queryString(query), init);
  } catch (err) {
    throw new NetworkError(err);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    if (response.ok || response.status >= 500) throw new NetworkError(new Error(`HTTP ${response.status}`));
  }
  if (!response.ok) {
    const error = (data && data.Error) || {};
    const retryAfter = Number(error.RetryAfter ?? (data && data.RetryAfter) ?? response.headers.get('Retry-After')) || undefined;
    const failure = new ApiError(response.status, error.Code || `http-${response.status}`, error.Message || response.statusText, retryAfter);
    if (response.status === 401 && !quiet401) unauthenticated();
    throw failure;
  }
  return data ?? {};
}

export const api = {
  get: (path, query, options) => request('GET', path, { query, ...options }),
  post: (path, body, options) => request('POST', path, { body: body ?? {}, ...options }),
  put: (path, body, options) => request('PUT', path, { body: body ?? {}, ...options }),
  del: (path, query, options) => request('DELETE', path, { query, ...options }),
};

/** A path segment, escaped: ids and phones go into URLs. */
export const seg = (value) => encodeURIComponent(String(value));
