// Inbound (MO) deliver_sm / data_sm -> text (the delivery loop joins parts: delivery/inbound-input.ts).
import { decodeShortMessage, type DecodedText } from '../smpp/short-message-text.ts';
import type { InboundPdu } from '../smpp/session.ts';

export type { Concat } from '../smpp/short-message-text.ts';

export type DecodedMo = DecodedText;

const NO_OCTETS = Buffer.alloc(0);

/** Decodes an MO's text. GSM-7 (data_coding 0 and the 0xF0 class range) is read packed or not per the connector. */
export function decodeMo(pdu: InboundPdu, gsmPacking: boolean): DecodedMo {
  // data_sm has no short_message: its text is in message_payload.
  const shortMessage = pdu.command === 'deliver_sm' ? pdu.shortMessage : NO_OCTETS;
  return decodeShortMessage({ esmClass: pdu.esmClass, dataCoding: pdu.dataCoding, shortMessage, tlvs: pdu.tlvs }, gsmPacking);
}
