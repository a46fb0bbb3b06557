import type { Logger } from 'pino';
import type { SecretBox } from '../auth/secrets.ts';
import { parseReceiptWebhook, type WebhookRequest } from '../carriers/http-webhook.ts';
import { normalizeHttpSettings, type HttpSettings } from '../carriers/http-settings.ts';
import { ReceiptSink } from '../store/receipt-sink.ts';
import type { Db } from '../store/db.ts';
import { httpCarrierOf } from '../store/http-carriers.ts';
import { applyPartReceipts } from '../store/message-parts.ts';

/** A carrier's webhook settings are read again after this long, so a changed secret applies without a restart. */
const SETTINGS_TTL_MS = 1_000;

export interface WebhookAnswer {
  status: number;
  body: { Message: string; Receipts?: number };
}

/**
 * Receipts that HTTP carriers' providers post to /carriers/<name>/receipts, on any API node: checked
 * against the carrier's signature settings, mapped (carriers/http-webhook.ts) and stored before the
 * answer. A receipt that outruns the record of its submit is held and retried for two minutes
 * (delivery/receipt-sink.ts), so the provider is answered 200 for it too.
 */
export class CarrierReceipts {
  private readonly sinks = new Map<string, ReceiptSink>();
  private readonly settings = new Map<string, { at: number; value: { settings: HttpSettings; secret: string } | undefined }>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly log: Logger,
  ) {}

  async accept(carrier: string, req: WebhookRequest): Promise<WebhookAnswer> {
    const found = await this.carrier(carrier);
    if (!found) return { status: 404, body: { Message: `no HTTP carrier named ${carrier}` } };
    const parsed = parseReceiptWebhook(found.settings, found.secret, req);
    if (!parsed.ok) {
      this.log.warn({ carrier, status: parsed.status, error: parsed.error }, 'carrier receipt webhook refused');
      return { status: parsed.status, body: { Message: parsed.error } };
    }
    if (parsed.receipts.length) await this.sinkOf(carrier).push(parsed.receipts);
    return { status: 200, body: { Message: 'ok', Receipts: parsed.receipts.length } };
  }

  /** Stores the receipts still held for a retry (as far as they match now). */
  async close(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((s) => s.close()));
  }

  private async carrier(name: string) {
    const cached = this.settings.get(name);
    if (cached && Date.now() - cached.at < SETTINGS_TTL_MS) return cached.value;
    const row = await httpCarrierOf(this.db, this.box, name);
    const value = row ? { settings: normalizeHttpSettings(row.settings), secret: row.secret } : undefined;
    this.settings.set(name, { at: Date.now(), value });
    return value;
  }

  private sinkOf(carrier: string): ReceiptSink {
    let sink = this.sinks.get(carrier);
    if (!sink) {
      sink = new ReceiptSink(this.db, carrier, this.log, () => {}, applyPartReceipts);
      this.sinks.set(carrier, sink);
    }
    return sink;
  }
}
