/**
 * What crosses the carrier boundary besides the message itself: receipts, parts a carrier accepted,
 * and inbound messages. Plain data, shared by carriers (which produce it) and the store (which keeps it).
 */

/** A delivery receipt as a carrier reported it, its id normalised the carrier's way. */
export interface Receipt {
  carrierMsgId: string;
  /** DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN, ACCEPTD, ENROUTE */
  code: string;
  desc: string;
  at: number;
}

/** One part of a message sent in two or more parts that the carrier accepted. */
export interface AcceptedPart {
  messageId: number;
  partNo: number;
  total: number;
  /** Normalised carrier id. */
  carrierMsgId: string;
  /** The concatenation reference the parts share. */
  ref: number;
  e164: string;
}

/** A part accepted in an earlier attempt, as handed back to the carrier for a retry. */
export interface PriorPart {
  partNo: number;
  total: number;
  ref: number;
  carrier: string;
  carrierMsgId: string;
}

/** Concatenation of an inbound message that came in parts (UDH or SAR). */
export interface InboundConcat {
  ref: number;
  total: number;
  seq: number;
}

/** An inbound (MO) message, or one part of it, as the carrier delivered it. */
export interface InboundText {
  /** The handset as the carrier gave it. */
  source: string;
  /** Our number as the carrier gave it (service number, maybe followed by an ExtendCode). */
  destination: string;
  /** Type of number of `source` (1: international). */
  sourceTon: number;
  text: string;
  receivedAt: number;
  concat?: InboundConcat;
}

/** A carrier's live state for `usms carrier status` (carrier_status; counters since start). */
export interface CarrierState {
  /** bound | partly bound | connecting | closed | ready | down */
  state: string;
  /** JSON: the connection(s), e.g. [{mode, state}] per SMPP bind */
  binds: string;
  window_used: number;
  window_size: number;
  queued: number;
  rate_limit: number;
  sent_per_second: number;
  submitted: number;
  accepted: number;
  errors: number;
  unknown: number;
  throttled: number;
  receipts: number;
  inbound: number;
  reconnects: number;
  last_error: string;
}

/** The running totals in a carrier's state, since it started. */
export type CarrierCounters = Pick<CarrierState, 'submitted' | 'accepted' | 'errors' | 'unknown' | 'throttled' | 'receipts' | 'inbound' | 'reconnects'>;

export function newCarrierCounters(): CarrierCounters {
  return { submitted: 0, accepted: 0, errors: 0, unknown: 0, throttled: 0, receipts: 0, inbound: 0, reconnects: 0 };
}
