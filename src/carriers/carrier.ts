import type { AcceptedMessage, Receipt, SubmitOutcome } from '../store/messages.ts';

/** What a carrier needs to send one message. */
export interface OutboundMessage {
  id: number;
  e164: string;
  region: string;
  sender: string;
  content: string;
  encoding: string;
  segments: number;
  extendCode: string;
}

export type SubmitResult =
  | { ok: true; carrierMsgId: string }
  /** temporary: try again later; permanent: this message cannot go; unknown: it may have gone out. */
  | {
      ok: false;
      kind: 'temporary' | 'permanent' | 'unknown';
      code: string;
      desc: string;
      /**
       * A pause asked for, not a failure of this message (the carrier throttles, every concatenation
       * reference to the number is in flight): the retry does not count toward the attempt limit.
       */
      uncounted?: boolean;
    };

/**
 * Receives a carrier's receipts. The promise settles once they are stored (or held for a later
 * match), so a carrier can acknowledge them to its peer only then.
 */
export type ReceiptHandler = (receipts: Receipt[]) => void | Promise<void>;

/** One interface for every way out: sandbox (default), SMPP and HTTP carriers. */
export interface Carrier {
  readonly name: string;
  /** Whether a message whose outcome is unknown may be submitted again (harmless duplicates). */
  readonly atLeastOnce: boolean;
  start(onReceipts: ReceiptHandler): Promise<void>;
  /** One result per message, in order. */
  submit(messages: OutboundMessage[]): Promise<SubmitResult[]>;
  /** False while the carrier cannot take messages (e.g. not bound): the worker claims nothing meanwhile. */
  ready?(): boolean;
  /**
   * Set by a carrier that takes every message in-process (the sandbox): its worker then claims due
   * messages and records them as sent in one statement (store/messages.ts claimAsSent), with carrier
   * ids `idPrefix` + message id, and hands them over with `accepted`, which cannot fail.
   */
  readonly acceptsAll?: { idPrefix: string; accepted(messages: AcceptedMessage[]): void };
  /** Called after the worker stored the outcomes of a submit (e.g. to roll up early receipts). */
  afterRecorded?(outcomes: SubmitOutcome[]): Promise<void>;
  stop(): Promise<void>;
}
