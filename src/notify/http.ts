import http from 'node:http';
import https from 'node:https';

/** The outcome of one push request: ok only when the receiver answered 2xx with JSON `{"code":0,...}`. */
export interface PushResult {
  ok: boolean;
  /** Why it did not count as delivered (for logs and `usms callbacks failed`). */
  error?: string;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
}

export interface PostOptions {
  timeoutMs: number;
  /** Answers longer than this are not read (and do not count as ok). */
  maxResponseBytes: number;
}

// Keep-alive: a receiver gets many pushes in a row. node:http rather than fetch: fetch's streams cost
// about a millisecond of CPU per request, on the thread that pushes every receipt. An idle connection is
// dropped after 4 s, before common servers drop it (Node's default is 5 s): a push sent on a connection
// the server is closing at that moment would fail and wait for its retry.
const KEEP_IDLE = { keepAlive: true, maxSockets: 16, timeout: 4_000 };
const clients: Record<string, { agent: http.Agent; request: typeof http.request }> = {
  'http:': { agent: new http.Agent(KEEP_IDLE), request: http.request },
  'https:': { agent: new https.Agent(KEEP_IDLE), request: https.request },
};

/** POSTs one JSON body. Never throws: every problem (refused, timeout, non-2xx, garbage) is a failed result. */
export function postPush(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PushResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ ok: false, error: 'request failed: invalid URL' });
    }
    const client = clients[target.protocol];
    if (!client) return resolve({ ok: false, error: `request failed: unsupported protocol ${target.protocol}` });
    let settled = false;
    const done = (result: PushResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    // A redirect is not an answer (node:http never follows one): the URL should point at the receiver itself.
    const req = client.request(target, {
      method: 'POST',
      agent: client.agent,
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'usms-callback/1', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= opts.maxResponseBytes) return void chunks.push(chunk);
        done(ok2xx(status) ? { ok: false, error: `answer larger than ${opts.maxResponseBytes} bytes` } : { ok: false, error: `HTTP ${status}` });
        req.destroy();
      });
      res.on('end', () => done(judge(status, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', (err) => done({ ok: false, error: `request failed: ${err.message}` }));
    });
    const timer = setTimeout(() => {
      done({ ok: false, error: `no answer within ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: `request failed: ${err.code ?? err.message}` }));
    req.end(body);
  });
}

const ok2xx = (status: number) => status >= 200 && status <= 299;

/** A complete answer: delivered only for 2xx with JSON `{"code":0}` (or "0"). */
function judge(status: number, text: string): PushResult {
  if (!ok2xx(status)) return { ok: false, status, error: `HTTP ${status}${text ? `: ${snippet(text)}` : ''}` };
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return { ok: false, status, error: `answer is not JSON: ${snippet(text)}` };
  }
  const code = (answer as { code?: unknown } | null)?.code;
  if (code === 0 || code === '0') return { ok: true, status };
  return { ok: false, status, error: `answer code is not 0: ${snippet(text)}` };
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? t.slice(0, 120) + '...' : t;
}
