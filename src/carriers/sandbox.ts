import type { SandboxConfig } from '../config.ts';
import type { Db } from '../store/db.ts';
import { type AcceptedMessage, type Receipt, sentWithoutReceipt } from '../store/messages.ts';
import type { Carrier, OutboundMessage, SubmitResult } from './carrier.ts';

const ID_PREFIX = 'sb-';

const DESCRIPTIONS: Record<string, string> = {
  DELIVRD: 'delivered to the handset',
  UNDELIV: 'undeliverable',
  EXPIRED: 'validity period expired',
  REJECTD: 'rejected by the network',
};

/**
 * The built-in carrier: accepts everything, "delivers" after a delay and reports a receipt.
 * Suffix rules decide the outcome (default: ...0000 is UNDELIV, ...0001 gets no receipt).
 * Its inbox is the messages table itself (carrier = 'sandbox'), so it survives restarts;
 * receipts still owed at a restart are issued again on start. Carrier ids are `sb-` + the message
 * id: unique across every node that runs a sandbox on the same database.
 */
export class SandboxCarrier implements Carrier {
  readonly name = 'sandbox';
  readonly atLeastOnce = true;
  readonly acceptsAll = { idPrefix: ID_PREFIX, accepted: (messages: AcceptedMessage[]) => this.accepted(messages) };
  private due: Array<{ at: number; receipt: Receipt }> = [];
  private timer?: NodeJS.Timeout;
  private emit: (receipts: Receipt[]) => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly config: SandboxConfig,
  ) {}

  async start(onReceipts: (receipts: Receipt[]) => void): Promise<void> {
    this.emit = onReceipts;
    const owed = await sentWithoutReceipt(this.db, this.name);
    for (const m of owed) if (m.carrier_msg_id) this.schedule(m.e164, m.carrier_msg_id);
    this.timer = setInterval(() => this.release(), Math.max(10, Math.min(100, this.config.receiptDelayMs)));
    this.timer.unref();
  }

  async submit(messages: OutboundMessage[]): Promise<SubmitResult[]> {
    const accepted = messages.map((m) => ({ id: m.id, e164: m.e164, carrierMsgId: `${ID_PREFIX}${m.id}` }));
    this.accepted(accepted);
    return accepted.map((m) => ({ ok: true, carrierMsgId: m.carrierMsgId }));
  }

  /** Messages recorded as sent to the sandbox: their receipts are due after the configured delay. */
  accepted(messages: AcceptedMessage[]): void {
    for (const m of messages) this.schedule(m.e164, m.carrierMsgId);
  }

  async stop(): Promise<void> {
    // Receipts still owed are issued again on the next start (see start()).
    if (this.timer) clearInterval(this.timer);
  }

  /** The receipt code for a number, or undefined when the rules say no receipt. */
  outcomeFor(e164: string): string | undefined {
    const rule = this.config.rules.find((r) => e164.endsWith(r.suffix));
    if (!rule) return 'DELIVRD';
    return rule.outcome === 'none' ? undefined : rule.outcome;
  }

  private schedule(e164: string, carrierMsgId: string): void {
    const code = this.outcomeFor(e164);
    if (!code) return;
    const at = Date.now() + this.config.receiptDelayMs;
    this.due.push({ at, receipt: { carrierMsgId, code, desc: DESCRIPTIONS[code] ?? code, at } });
  }

  private release(now = Date.now()): void {
    if (this.due.length === 0) return;
    let n = 0;
    while (n < this.due.length && this.due[n]!.at <= now) n++;
    if (n === 0) return;
    const ready = this.due.splice(0, n).map((d) => ({ ...d.receipt, at: Math.min(d.receipt.at, Date.now()) }));
    this.emit(ready);
  }
}
