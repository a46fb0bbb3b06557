import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake HTTP providers share: a server on 127.0.0.1, a latency every answer waits, the requests
 * in flight, callbacks sent to our webhooks (awaited on close), and timers cleared on close.
 */
export abstract class ProviderFake {
  latencyMs: number;
  inFlight = 0;
  maxInFlight = 0;
  url = '';
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sending = new Set<Promise<unknown>>();
  private readonly server: Server;

  protected constructor(latencyMs: number) {
    this.latencyMs = latencyMs;
    this.server = createServer((req, res) => void this.receive(req, res));
  }

  protected async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.sending]);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answers one request whose body has been read and whose latency has passed. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse, body: string): void;

  protected later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Sends a callback to our webhook; resolves with the HTTP status it answered. */
  protected async callback(url: string, init?: RequestInit): Promise<number> {
    const send = fetch(url, init);
    this.sending.add(send);
    try {
      const res = await send;
      await res.arrayBuffer();
      return res.status;
    } finally {
      this.sending.delete(send);
    }
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.latencyMs > 0) await new Promise<void>((resolve) => this.later(this.latencyMs, resolve));
    this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
  }
}
