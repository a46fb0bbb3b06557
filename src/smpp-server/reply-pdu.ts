import { encodeGsm7, isGsm7 } from '../sms/gsm7.ts';
import type { PduInput } from '../smpp/pdu.ts';
import { MAX_SHORT_MESSAGE } from '../smpp/pdu.ts';

/** What an inbound reply for an SMPP customer holds (store/inbound.ts SmppReplyRecord). */
export interface ReplyInput {
  /** The handset: E.164 with '+', or as the carrier gave it. */
  phone: string;
  /** The address the customer sent the replied-to message from. */
  to: string;
  content: string;
}

/**
 * An inbound reply as deliver_sm: from the handset to the customer's source address, GSM-7 (data_coding
 * 0, one septet per octet) when every character has one, else UCS-2 (8). A text longer than short_message
 * holds goes whole in message_payload, so the customer gets one PDU and no parts to join.
 */
export function replyPdu(r: ReplyInput): PduInput<'deliver_sm'> {
  const gsm = isGsm7(r.content);
  const bytes = gsm ? encodeGsm7(r.content) : Buffer.from(r.content, 'utf16le').swap16();
  const international = r.phone.startsWith('+');
  const numeric = /^\+?\d{1,20}$/.test(r.to);
  return {
    sourceAddrTon: international ? 1 : 0,
    sourceAddrNpi: 1,
    sourceAddr: international ? r.phone.slice(1) : r.phone,
    destAddrTon: numeric ? 0 : 5,
    destAddrNpi: numeric ? 1 : 0,
    destinationAddr: r.to,
    esmClass: 0,
    dataCoding: gsm ? 0 : 8,
    ...(bytes.length <= MAX_SHORT_MESSAGE ? { shortMessage: bytes } : { shortMessage: Buffer.alloc(0), tlvs: { messagePayload: bytes } }),
  };
}
