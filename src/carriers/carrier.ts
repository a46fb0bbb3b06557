import type { AcceptedPart, CarrierState, InboundText, PriorPart, Receipt } from '../sms/carrier-events.ts';

export type { CarrierState };

/**
 * The carrier boundary. A carrier translates: it submits messages and reports what became of them
 * (sent with ids, failed with a reason), and hands over receipts and inbound messages. It never reads
 * or writes the database: the delivery loop (delivery/) claims, records outcomes, parts and receipts,
 * and retries. A new kind is its own file plus one line in `factory.ts`.
 */

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
  /** Claims so far, this one included (1: never handed to a carrier before). */
  attempts: number;
  /** Parts accepted in an earlier attempt (a multipart message being resumed); empty on a first attempt. */
  priorParts: PriorPart[];
}

export type Failure = {
  ok: false;
  /** temporary: try again later; permanent: this message cannot go; unknown: it may have gone out. */
  kind: 'temporary' | 'permanent' | 'unknown';
  code: string;
  desc: string;
  /**
   * A pause asked for, not a failure of this message (the carrier throttles, every concatenation
   * reference to the number is in flight): the retry does not count toward the attempt limit, and the
   * message does not move to another carrier.
   */
  uncounted?: boolean;
};

export type SubmitResult = ({ ok: true; carrierMsgId: string } | Failure) & {
  /** Parts of a multipart message the carrier accepted in this attempt (also when another part failed). */
  parts?: AcceptedPart[];
  /** The prior parts handed in could not be resumed (another split, another carrier): forget them. */
  dropPrior?: boolean;
  /** Prior parts were kept: their receipts may have arrived while the message was `sending`. */
  resumed?: boolean;
};

/** How a carrier hands over what it receives. Each promise settles once the data is stored (or held for a later match). */
export interface CarrierEvents {
  receipts(receipts: Receipt[]): Promise<void>;
  inbound(message: InboundText): Promise<void>;
}

/** How much the delivery loop keeps in hand for a carrier. */
export interface Capacity {
  /** Submits in flight at most (SMPP window, HTTP concurrency). */
  window: number;
  /** Messages claimed ahead of the window. */
  prefetch: number;
  /** Submits a second at most; 0: no cap. */
  throughput: number;
}

/** One interface for every way out: sandbox, SMPP and HTTP carriers. */
export interface Carrier {
  readonly name: string;
  readonly kind: string;
  /** Whether a message whose outcome is unknown may be submitted again (harmless duplicates). */
  readonly atLeastOnce: boolean;
  readonly capacity: Capacity;
  /** Connects in the background (a carrier that is down must not hold up the others). */
  start(events: CarrierEvents): Promise<void>;
  /**
   * Hands messages to the carrier. Resolves once they are on their way, with one promise per message
   * (in order) that settles with its result. Rejects only when nothing was handed over.
   */
  submit(messages: OutboundMessage[]): Promise<Array<Promise<SubmitResult>>>;
  /** False while the carrier cannot take messages (not bound, stalled): nothing is claimed for it meanwhile. */
  ready(): boolean;
  /** Messages handed over and not yet written to the carrier (waiting for the window or the rate cap). */
  backlog(): number;
  status(): CarrierState;
  /**
   * Set by a carrier that takes every message in-process (the sandbox): the delivery loop then claims
   * and records as sent in one statement, with carrier ids `idPrefix` + message id, and hands them over
   * with `accepted`, which cannot fail.
   */
  readonly acceptsAll?: { idPrefix: string; accepted(messages: Array<{ id: number; e164: string; carrierMsgId: string }>): void };
  /** Finishes what is in flight (each submit bounded by its timeout), disconnects. */
  stop(): Promise<void>;
}
