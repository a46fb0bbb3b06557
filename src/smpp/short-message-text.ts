// The text of a submit_sm / deliver_sm / data_sm: data_coding, and UDH or SAR concatenation. Joining parts is the caller's job.
import { decodeGsm7, unpackSeptets } from '../sms/gsm7.ts';
import { EsmClass } from './constants.ts';

/** One part of a concatenated message: `seq` of `total`, under reference `ref`. */
export interface Concat {
  ref: number;
  total: number;
  seq: number;
}

/** The fields the text depends on (a deliver_sm, submit_sm or data_sm PDU has them all). */
export interface ShortMessageInput {
  esmClass: number;
  dataCoding: number;
  /** Empty for data_sm, and when the text is in message_payload. */
  shortMessage: Buffer;
  tlvs: { messagePayload?: Buffer; sarMsgRefNum?: number; sarTotalSegments?: number; sarSegmentSeqnum?: number };
}

export interface DecodedText {
  text: string;
  /** Present only when the PDU is one part of several (total > 1); not checked for sense (seq 0, seq > total). */
  concat?: Concat;
}

/**
 * Decodes a message's text. GSM-7 (data_coding 0 and the 0xF0 class range) is read packed or not as the
 * peer is configured; 1 is ASCII, 8 UCS-2 (UTF-16BE), 8-bit data in the 0xF0 range comes back as hex,
 * any other value as Latin-1. short_message wins; message_payload is read when short_message is empty.
 * A UDH concatenation element (IEI 0x00 or 0x08) wins over the SAR TLVs.
 */
export function decodeShortMessage(pdu: ShortMessageInput, gsmPacking: boolean): DecodedText {
  const sm = pdu.shortMessage.length > 0 ? pdu.shortMessage : pdu.tlvs.messagePayload ?? Buffer.alloc(0);
  let body = sm;
  let concat: Concat | undefined;
  let udhOctets = 0;
  if (pdu.esmClass & EsmClass.UDHI && sm.length > 0) {
    udhOctets = Math.min(sm.length, sm[0]! + 1);
    concat = concatFromUdh(sm.subarray(1, udhOctets));
    body = sm.subarray(udhOctets);
  }
  const { sarMsgRefNum, sarTotalSegments, sarSegmentSeqnum } = pdu.tlvs;
  if (!concat && sarMsgRefNum !== undefined && sarTotalSegments && sarSegmentSeqnum) {
    concat = { ref: sarMsgRefNum, total: sarTotalSegments, seq: sarSegmentSeqnum };
  }
  const text = decodeBody(body, pdu.dataCoding, gsmPacking, udhOctets, sm);
  return concat && concat.total > 1 ? { text, concat } : { text };
}

/** The concatenation element among a UDH's information elements (without the UDHL octet). */
export function concatFromUdh(ies: Buffer): Concat | undefined {
  let i = 0;
  while (i + 2 <= ies.length) {
    const iei = ies[i]!;
    const len = ies[i + 1]!;
    const v = ies.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3 && v.length === 3) return { ref: v[0]!, total: v[1]!, seq: v[2]! };
    if (iei === 0x08 && len === 4 && v.length === 4) return { ref: v.readUInt16BE(0), total: v[2]!, seq: v[3]! };
    i += 2 + len;
  }
  return undefined;
}

/** `body` is `whole` after its UDH of `udhOctets` octets; packed GSM-7 needs both to find the septet boundary. */
function decodeBody(body: Buffer, dataCoding: number, gsmPacking: boolean, udhOctets: number, whole: Buffer): string {
  const group = dataCoding & 0xf0;
  // 0xF0..0xFF: message class; bit 2 set means 8-bit data, clear means GSM-7.
  const kind = group === 0xf0 ? (dataCoding & 0x04 ? 'binary' : 'gsm') : dataCoding === 0 ? 'gsm' : dataCoding === 0x08 ? 'ucs2' : dataCoding === 0x01 ? 'ascii' : 'latin1';
  switch (kind) {
    case 'gsm': {
      if (!gsmPacking) return decodeGsm7(body);
      const fill = udhOctets ? (7 - ((udhOctets * 8) % 7)) % 7 : 0;
      const totalBits = whole.length * 8 - udhOctets * 8 - fill;
      let count = Math.floor(totalBits / 7);
      // A UDH that takes the whole message leaves no room even for the fill bits.
      if (count <= 0) return '';
      const septets = unpackSeptets(whole.subarray(udhOctets), count, fill);
      // 7 spare zero bits at the end of the last octet read as a trailing '@' (septet 0): padding.
      if (count * 7 === totalBits && septets[count - 1] === 0) count--;
      return decodeGsm7(septets.subarray(0, count));
    }
    case 'ucs2':
      return Buffer.from(body.subarray(0, body.length - (body.length % 2))).swap16().toString('utf16le');
    case 'ascii':
      return body.toString('ascii');
    case 'binary':
      return body.toString('hex');
    default:
      return body.toString('latin1');
  }
}
