import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Exchange {
  n: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  status?: number;
  responseHeaders?: IncomingHttpHeaders;
  response?: string;
}

/**
 * What to do with the server's answer to request n (1-based): pass it on, drop it (the connection is
 * destroyed after the server has answered: "the answer was lost"), or hold it (never answer).
 */
export type Policy = (ex: Exchange) => 'pass' | 'drop' | 'hold';

/** An HTTP proxy in front of the test server (127.0.0.1, OS-chosen port) that can lose answers. */
export class LossyProxy {
  readonly exchanges: Exchange[] = [];
  private sockets = new Set<Socket>();
  private held: ServerResponse[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string, policy: Policy): Promise<LossyProxy> {
    const to = new URL(target);
    let proxy!: LossyProxy;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ex: Exchange = { n: proxy.exchanges.length + 1, method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        proxy.exchanges.push(ex);
        const up = request(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
          (upRes) => {
            const parts: Buffer[] = [];
            upRes.on('data', (c: Buffer) => parts.push(c));
            upRes.on('end', () => {
              ex.status = upRes.statusCode;
              ex.responseHeaders = upRes.headers;
              ex.response = Buffer.concat(parts).toString('utf8');
              const action = policy(ex);
              if (action === 'drop') req.socket.destroy();
              else if (action === 'hold') proxy.held.push(res);
              else res.writeHead(upRes.statusCode!, { 'content-type': String(upRes.headers['content-type'] ?? 'application/json') }).end(ex.response);
              for (const w of proxy.waiters.splice(0)) w();
            });
          },
        );
        up.on('error', () => req.socket.destroy());
        up.end(Buffer.concat(chunks));
      });
    });
    server.on('connection', (s: Socket) => {
      proxy?.sockets.add(s);
      s.on('close', () => proxy?.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new LossyProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Resolves once `n` exchanges have been answered by the server (passed, dropped or held). */
  async answered(n: number, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.exchanges.filter((e) => e.response !== undefined).length < n) {
      if (Date.now() > until) throw new Error(`proxy: ${n} answers expected, got ${this.exchanges.length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.held = [];
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
