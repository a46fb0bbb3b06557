import { request } from 'undici';

/** A console user's browser, as far as the JSON API sees it: the session cookie and the CSRF token. */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  user: { UserId: number; Email: string; Role: string; AccountId: number | null } | undefined;

  constructor(readonly baseUrl: string) {}

  static async login(baseUrl: string, email: string, password: string): Promise<ConsoleClient> {
    const c = new ConsoleClient(baseUrl);
    const res = await c.call('POST', '/login', { Email: email, Password: password });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return c;
  }

  /** One API call; writes carry the CSRF token unless `csrf` is false (or another token is given). */
  async call(method: string, path: string, body?: unknown, opts: { csrf?: string | false; headers?: Record<string, string>; raw?: string; contentType?: string } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && opts.csrf !== false) headers['x-csrf-token'] = opts.csrf ?? this.csrf;
    let payload: string | undefined;
    if (opts.raw !== undefined) {
      payload = opts.raw;
      headers['content-type'] = opts.contentType ?? 'text/csv';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await request(`${this.baseUrl}/console/api${path}`, { method: method as 'GET', headers, body: payload });
    const setCookie = res.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const pair = line.split(';')[0]!;
      if (pair.startsWith('usms_console=')) this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.body.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (parsed && typeof parsed.Csrf === 'string') this.csrf = parsed.Csrf;
    if (parsed?.User) this.user = parsed.User;
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  get(path: string) {
    return this.call('GET', path);
  }
  post(path: string, body?: unknown) {
    return this.call('POST', path, body ?? {});
  }
  put(path: string, body: unknown) {
    return this.call('PUT', path, body);
  }
  delete(path: string) {
    return this.call('DELETE', path);
  }
}
