// Inbound (MO) deliver_sm / data_sm -> text: data_coding, UDH / SAR concatenation (the delivery loop joins parts: delivery/inbound-input.ts).
import { decodeGsm7, unpackSeptets } from '../sms/gsm7.ts';
import { EsmClass } from '../smpp/constants.ts';
import type { InboundPdu } from '../smpp/session.ts';

export interface Concat {
  ref: number;
  total: number;
  seq: number;
}

export interface DecodedMo {
  text: string;
  concat?: Concat;
}

/** Decodes an MO's text. GSM-7 (data_coding 0 and the 0xF0 class range) is read packed or not per the connector. */
export function decodeMo(pdu: InboundPdu, gsmPacking: boolean): DecodedMo {
  const sm = pdu.command === 'deliver_sm' && pdu.shortMessage.length > 0 ? pdu.shortMessage : pdu.tlvs.messagePayload ?? Buffer.alloc(0);
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

function concatFromUdh(ies: Buffer): Concat | undefined {
  let i = 0;
  while (i + 2 <= ies.length) {
    const iei = ies[i]!;
    const len = ies[i + 1]!;
    const v = ies.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) return { ref: v[0]!, total: v[1]!, seq: v[2]! };
    if (iei === 0x08 && len === 4) return { ref: v.readUInt16BE(0), total: v[2]!, seq: v[3]! };
    i += 2 + len;
  }
  return undefined;
}

function decodeBody(body: Buffer, dataCoding: number, gsmPacking: boolean, udhOctets: number, whole: Buffer): string {
  const group = dataCoding & 0xf0;
  // 0xF0..0xFF: message class; bit 2 set means 8-bit data, clear means GSM-7.
  const kind = group === 0xf0 ? (dataCoding & 0x04 ? 'binary' : 'gsm') : dataCoding === 0 ? 'gsm' : dataCoding === 0x08 ? 'ucs2' : dataCoding === 0x01 ? 'ascii' : 'latin1';
  switch (kind) {
    case 'gsm': {
      if (!gsmPacking) return decodeGsm7(body);
      const fill = udhOctets ? (7 - ((udhOctets * 8) % 7)) % 7 : 0;
      const totalBits = whole.length * 8 - udhOctets * 8 - fill;
      let count = Math.max(0, Math.floor(totalBits / 7));
      const septets = unpackSeptets(whole.subarray(udhOctets), count, fill);
      // 7 spare zero bits at the end of the last octet read as a trailing '@' (septet 0): padding.
      if (count > 0 && count * 7 === totalBits && septets[count - 1] === 0) count--;
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
