import type { Logger } from 'pino';
import type { PduInput } from '../smpp/pdu.ts';
import type { Db } from '../store/db.ts';
import type { SmppReplyRecord } from '../store/inbound.ts';
import type { SmppReceiptRecord } from '../store/reports.ts';
import { expireSmppItems, pruneSmppOutbox, settleAndClaimSmppItems } from '../store/smpp-outbox.ts';
import type { CustomerSession } from './customer-session.ts';
import { receiptPdu } from './receipt-pdu.ts';
import { replyPdu } from './reply-pdu.ts';

/** Items claimed at once per user and receiving bind; the session's own deliver window paces them. */
const CLAIM_PER_SESSION = 512;
/** A claimed item not settled by then (this node died) is claimed again by the node holding a bind. */
const CLAIM_LEASE_MS = 60_000;
const IDLE_MS = 100;
const EXPIRE_EVERY_MS = 10_000;

interface Settled {
  delivered: number[];
  retry: Array<{ id: number; error: string; retryAt: number }>;
}

/** 1 s, doubling per attempt, at most 5 minutes: a customer that answers errors is not flooded. */
function retryDelay(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.min(attempts, 9));
}

/**
 * Sends the stored receipts and replies (smpp_outbox) of the users bound here as receiver or transceiver, round robin
 * over their receiving binds. An item is done only when the customer answers deliver_sm_resp with status
 * 0; an error answer, a timeout or a lost bind leaves it for a retry (here or on whichever node holds
 * the user's next bind). Items past their expiry become `expired`; settled ones are deleted once past it.
 */
export class SmppOutboxPump {
  private readonly receivers = new Map<number, CustomerSession[]>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private next = 0;
  private lastExpiry = 0;
  /** What each user's last round settled, written with its next claim. */
  private readonly settled = new Map<number, Settled>();

  constructor(
    private readonly db: Db,
    private readonly node: string,
    private readonly log: Logger,
  ) {}

  addReceiver(userId: number, session: CustomerSession): void {
    const list = this.receivers.get(userId) ?? [];
    list.push(session);
    this.receivers.set(userId, list);
    this.wake?.();
  }

  removeReceiver(userId: number, session: CustomerSession): void {
    const list = (this.receivers.get(userId) ?? []).filter((s) => s !== session);
    if (list.length) this.receivers.set(userId, list);
    else this.receivers.delete(userId);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    // What the last rounds settled is written before the node goes (else it is sent again after the lease).
    for (const [userId, settled] of this.settled) {
      await settleAndClaimSmppItems(this.db, { userId, owner: this.node, limit: 0, leaseMs: CLAIM_LEASE_MS, ...settled }).catch((err) => this.log.warn({ err }, 'SMPP outbox: results not written'));
    }
    this.settled.clear();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        const now = Date.now();
        if (now - this.lastExpiry >= EXPIRE_EVERY_MS) {
          this.lastExpiry = now;
          const expired = await expireSmppItems(this.db, now);
          if (expired) this.log.info({ expired }, 'SMPP receipts expired before a customer took them');
          // Settled items stay, for `usms smpp status`, until their expiry time has passed too.
          await pruneSmppOutbox(this.db, now);
        }
        for (const userId of new Set([...this.receivers.keys(), ...this.settled.keys()])) {
          const open = (this.receivers.get(userId) ?? []).filter((s) => s.state === 'bound' && s.canReceive);
          const limit = CLAIM_PER_SESSION * open.length;
          const settled = this.settled.get(userId) ?? { delivered: [], retry: [] };
          if (limit === 0 && settled.delivered.length + settled.retry.length === 0) continue;
          // One transaction a round: the last round's results, and the next items.
          const items = await settleAndClaimSmppItems(this.db, { userId, owner: this.node, limit, leaseMs: CLAIM_LEASE_MS, ...settled });
          this.settled.delete(userId);
          // Another round at once while there are items: it writes these results and claims more.
          if (items.length) {
            full = true;
            this.settled.set(userId, await this.deliver(items, open));
          }
        }
      } catch (err) {
        this.log.warn({ err }, 'SMPP outbox: retrying');
      }
      if (!full && this.running) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_MS);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private async deliver(items: Array<{ id: number; kind: string; payload: string; attempts: number }>, sessions: CustomerSession[]): Promise<Settled> {
    const settled: Settled = { delivered: [], retry: [] };
    await Promise.all(items.map(async (item) => {
      const session = sessions[this.next++ % sessions.length]!;
      let error: string;
      try {
        const pdu = item.kind === 'reply' ? replyPdu(JSON.parse(item.payload) as SmppReplyRecord) : deliverSmOf(JSON.parse(item.payload) as SmppReceiptRecord);
        const status = await session.deliver(pdu);
        if (status === 0) {
          settled.delivered.push(item.id);
          return;
        }
        error = `deliver_sm_resp status ${status}`;
      } catch (err) {
        error = (err as Error).message;
      }
      settled.retry.push({ id: item.id, error, retryAt: Date.now() + retryDelay(item.attempts) });
    }));
    return settled;
  }
}

/** The receipt as the customer gets it: from the handset's number, to the address the customer sent from. */
export function deliverSmOf(r: SmppReceiptRecord): PduInput<'deliver_sm'> {
  const international = r.phone.startsWith('+');
  const numeric = /^\d{1,20}$/.test(r.sender);
  return receiptPdu({
    messageId: r.session_no,
    // As the message was submitted: receipt-pdu.ts swaps them.
    source: { ton: numeric ? 0 : 5, npi: numeric ? 1 : 0, addr: r.sender },
    destination: { ton: international ? 1 : 0, npi: 1, addr: international ? r.phone.slice(1) : r.phone },
    status: r.status,
    submitDate: r.submitted_at,
    doneDate: r.done_at,
    errorCode: r.receipt_code,
    text: r.text,
    segments: r.segments,
  });
}
