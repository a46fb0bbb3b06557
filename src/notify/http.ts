/** The outcome of one push request: ok only when the receiver answered 2xx with JSON `{"code":0,...}`. */
export interface PushResult {
  ok: boolean;
  /** Why it did not count as delivered (for logs and `usms callbacks failed`). */
  error?: string;
}

export interface PostOptions {
  timeoutMs: number;
  /** Answers longer than this are not read (and do not count as ok). */
  maxResponseBytes: number;
}

/** POSTs one JSON body. Never throws: every problem (refused, timeout, non-2xx, garbage) is a failed result. */
export async function postPush(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PushResult> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'usms-callback/1', ...headers },
      body,
      // A redirect is not an answer: the customer's URL should point at the receiver itself.
      redirect: 'manual',
      signal,
    });
    const text = await readBounded(res, opts.maxResponseBytes);
    if (res.status < 200 || res.status > 299) return { ok: false, error: `HTTP ${res.status}${text ? `: ${snippet(text)}` : ''}` };
    if (text === undefined) return { ok: false, error: `answer larger than ${opts.maxResponseBytes} bytes` };
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return { ok: false, error: `answer is not JSON: ${snippet(text)}` };
    }
    const code = (answer as { code?: unknown } | null)?.code;
    if (code === 0 || code === '0') return { ok: true };
    return { ok: false, error: `answer code is not 0: ${snippet(text)}` };
  } catch (err) {
    if (signal.aborted) return { ok: false, error: `no answer within ${opts.timeoutMs} ms` };
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, error: `request failed: ${e.cause?.code ?? e.cause?.message ?? e.message}` };
  }
}

/** The body as text, or undefined when it is larger than `max` bytes (then the rest is not read). */
async function readBounded(res: Response, max: number): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? t.slice(0, 120) + '...' : t;
}
