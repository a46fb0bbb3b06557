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
 *
 * Its messages are recorded as sent when claimed (no lease), so a node that dies leaves their receipts
 * owed: every sandbox also issues the receipts of messages sent longer than `orphanAfterMs` ago that it
 * does not hold itself. A receipt issued twice is harmless: the second matches no `sent` message.
 */
export class SandboxCarrier implements Carrier {
  readonly name = 'sandbox';
  readonly atLeastOnce = true;
  readonly acceptsAll = { idPrefix: ID_PREFIX, accepted: (messages: AcceptedMessage[]) => this.scheduleAll(messages) };
  private due: Array<{ at: number; receipt: Receipt }> = [];
  /** Carrier ids of the receipts in `due`. */
  private readonly held = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private emit: (receipts: Receipt[]) => void = () => {};
  private readonly orphanAfterMs: number;

  constructor(
    private readonly db: Db,
    private readonly config: SandboxConfig,
    options: { orphanAfterMs?: number } = {},
  ) {
    this.orphanAfterMs = options.orphanAfterMs ?? Math.max(10_000, 10 * config.receiptDelayMs);
  }

  async start(onReceipts: (receipts: Receipt[]) => void): Promise<void> {
    this.emit = onReceipts;
    await this.issueOwed();
    const every = (ms: number, fn: () => unknown) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(10, Math.min(100, this.config.receiptDelayMs)), () => this.release());
    every(Math.max(10, this.orphanAfterMs / 2), () => this.issueOwed(Date.now() - this.orphanAfterMs).catch(() => undefined));
  }

  /**
   * Schedules the receipts of sent messages (sent before `sentBefore`) that this sandbox does not hold.
   * (A receipt it already released is stored by the receipt sink, which retries a failed write itself.)
   */
  private async issueOwed(sentBefore?: number): Promise<void> {
    const owed = await sentWithoutReceipt(this.db, this.name, sentBefore);
    for (const m of owed) if (m.carrier_msg_id && !this.held.has(m.carrier_msg_id)) this.schedule(m.e164, m.carrier_msg_id);
  }

  /** The generic path (the worker uses `acceptsAll` instead): every message is taken. */
  async submit(messages: OutboundMessage[]): Promise<SubmitResult[]> {
    const accepted = messages.map((m) => ({ id: m.id, e164: m.e164, carrierMsgId: `${ID_PREFIX}${m.id}` }));
    this.scheduleAll(accepted);
    return accepted.map((m) => ({ ok: true, carrierMsgId: m.carrierMsgId }));
  }

  /** Messages recorded as sent to the sandbox: their receipts are due after the configured delay. */
  private scheduleAll(messages: AcceptedMessage[]): void {
    for (const m of messages) this.schedule(m.e164, m.carrierMsgId);
  }

  async stop(): Promise<void> {
    // Receipts still owed are issued again on the next start (see start()), or by another node's sandbox.
    for (const t of this.timers) clearInterval(t);
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
    this.held.add(carrierMsgId);
  }

  private release(now = Date.now()): void {
    if (this.due.length === 0) return;
    let n = 0;
    while (n < this.due.length && this.due[n]!.at <= now) n++;
    if (n === 0) return;
    const ready = this.due.splice(0, n).map((d) => ({ ...d.receipt, at: Math.min(d.receipt.at, Date.now()) }));
    for (const r of ready) this.held.delete(r.carrierMsgId);
    this.emit(ready);
  }
}
