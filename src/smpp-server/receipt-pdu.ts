import { EsmClass } from '../smpp/constants.ts';
import type { PduInput } from '../smpp/pdu.ts';

export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

export interface ReceiptInput {
  /** The id given in submit_sm_resp. */
  messageId: string;
  /** The message's source_addr and destination_addr as submitted. */
  source: SmppAddress;
  destination: SmppAddress;
  /** usms message status: delivered | undelivered | expired | failed | unknown. */
  status: string;
  submitDate: number;
  doneDate: number;
  /** The receipt code stored for the message; only a number of up to 3 digits is shown as is. */
  errorCode: string;
  text: string;
  segments: number;
}

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD' | 'UNKNOWN';

/** SMPP 3.4 message_state values (section 5.2.28). */
export const MessageState = {
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
} as const;

/**
 * The receipt's stat word and message_state for a usms status:
 * - delivered: DELIVRD (2);
 * - undelivered: UNDELIV (5), the network could not deliver it;
 * - expired: EXPIRED (3), its validity ran out before delivery;
 * - failed: UNDELIV (5). usms accepted the message and then could not get it delivered: a carrier refused it
 *   for good, or an operator dropped it. For the customer this is a message that was not delivered, like
 *   undelivered; the receipt's err and the message's record say why;
 * - rejected: REJECTD (8), kept for a message refused by usms's own checks. Those refusals are answered in
 *   submit_sm_resp, so no stored message has this status and no receipt carries it today;
 * - unknown, and any status that is not final: UNKNOWN (7).
 */
export function receiptStat(status: string): { stat: ReceiptStat; state: number } {
  switch (status) {
    case 'delivered':
      return { stat: 'DELIVRD', state: MessageState.DELIVERED };
    case 'undelivered':
    case 'failed':
      return { stat: 'UNDELIV', state: MessageState.UNDELIVERABLE };
    case 'expired':
      return { stat: 'EXPIRED', state: MessageState.EXPIRED };
    case 'rejected':
      return { stat: 'REJECTD', state: MessageState.REJECTED };
    default:
      return { stat: 'UNKNOWN', state: MessageState.UNKNOWN };
  }
}

/** YYMMDDhhmm in UTC. */
export function receiptDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes());
}

/**
 * err: the stored code when it is a number of up to 3 digits, else 000 for a delivered message and 001
 * for any other (a longer number is not cut: a cut code would name another error).
 */
function errField(errorCode: string, delivered: boolean): string {
  const code = errorCode.trim();
  if (/^\d{1,3}$/.test(code)) return code.padStart(3, '0');
  return delivered ? '000' : '001';
}

/** The first 20 characters, printable ASCII only (others become '?'), so the receipt reads the same as GSM-7, ASCII or Latin-1. */
function receiptText(text: string): string {
  return [...text].slice(0, 20).map((c) => (c >= ' ' && c <= '~' ? c : '?')).join('');
}

/**
 * The delivery receipt a customer gets as deliver_sm: the SMPP 3.4 Appendix B text
 * `id:.. sub:.. dlvrd:.. submit date:.. done date:.. stat:.. err:.. text:..` with esm_class "SMSC delivery
 * receipt", from the message's destination to its original source, and the receipted_message_id and
 * message_state TLVs. sub is the message's segment count (1 to 999); dlvrd is the same when delivered, else 000.
 */
export function receiptPdu(r: ReceiptInput): PduInput<'deliver_sm'> {
  const { stat, state } = receiptStat(r.status);
  const delivered = stat === 'DELIVRD';
  const sub = String(Math.min(999, Math.max(1, Math.trunc(r.segments) || 1))).padStart(3, '0');
  const short =
    `id:${r.messageId} sub:${sub} dlvrd:${delivered ? sub : '000'} submit date:${receiptDate(r.submitDate)} ` +
    `done date:${receiptDate(r.doneDate)} stat:${stat} err:${errField(r.errorCode, delivered)} text:${receiptText(r.text)}`;
  return {
    sourceAddrTon: r.destination.ton,
    sourceAddrNpi: r.destination.npi,
    sourceAddr: r.destination.addr,
    destAddrTon: r.source.ton,
    destAddrNpi: r.source.npi,
    destinationAddr: r.source.addr,
    esmClass: EsmClass.DELIVERY_RECEIPT,
    dataCoding: 0,
    shortMessage: Buffer.from(short, 'latin1'),
    tlvs: { receiptedMessageId: r.messageId, messageState: state },
  };
}
