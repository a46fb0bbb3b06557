// Turns one outbound message into submit_sm PDUs: encoding (GSM-7 / Latin-1 / UCS-2), splitting
// (UDH with an 8- or 16-bit reference, SAR TLVs, or message_payload) and addressing (TON/NPI).
import { encodeGsm7, encodeLatin1, isGsm7, isLatin1, packSeptets } from '../sms/gsm7.ts';
import { splitText } from '../sms/encoding.ts';
import { EsmClass } from '../smpp/constants.ts';
import type { PduInput } from '../smpp/pdu.ts';
import type { Tlvs } from '../smpp/tlv.ts';

import type { SplitMethod } from '../smpp/constants.ts';

export { SPLIT_METHODS, type SplitMethod } from '../smpp/constants.ts';

export type TextEncoding = 'GSM7' | 'LATIN1' | 'UCS2';

export interface EncodingOptions {
  /** Pack GSM-7 septets (7 bits each) instead of one septet per octet. data_coding stays 0. */
  gsmPacking: boolean;
  /** Send text outside GSM-7 but inside Latin-1 as data_coding 3 (140 chars) instead of UCS-2 (70). */
  latin1: boolean;
  split: SplitMethod;
}

export const DATA_CODING: Record<TextEncoding, number> = { GSM7: 0x00, LATIN1: 0x03, UCS2: 0x08 };

/** Capacity of a single message, in septets / octets / UTF-16 units. */
const SINGLE: Record<TextEncoding, number> = { GSM7: 160, LATIN1: 140, UCS2: 70 };
/** Per-part capacity with a 6-octet UDH (8-bit reference); SAR parts get the same, as the SMSC adds that UDH. */
const PART_UDH8: Record<TextEncoding, number> = { GSM7: 153, LATIN1: 134, UCS2: 67 };
/** Per-part capacity with a 7-octet UDH (16-bit reference). */
const PART_UDH16: Record<TextEncoding, number> = { GSM7: 152, LATIN1: 133, UCS2: 66 };

export function chooseEncoding(text: string, opts: Pick<EncodingOptions, 'latin1'>): TextEncoding {
  if (isGsm7(text)) return 'GSM7';
  if (opts.latin1 && isLatin1(text)) return 'LATIN1';
  return 'UCS2';
}

export interface MessagePlan {
  encoding: TextEncoding;
  dataCoding: number;
  /** The text of each part, in order (one item when the message is not split). */
  chunks: string[];
  /** How the parts are tied together; 'none' for a single short_message. */
  method: SplitMethod | 'none';
  /** Bits of the concatenation reference the method carries: 8, 16, or 0 (no reference needed). */
  refBits: 0 | 8 | 16;
}

/** Decides encoding and split. Throws RangeError when the text needs more than 255 parts. */
export function planMessage(text: string, opts: EncodingOptions): MessagePlan {
  const encoding = chooseEncoding(text, opts);
  const dataCoding = DATA_CODING[encoding];
  if (units(text, encoding) <= SINGLE[encoding]) return { encoding, dataCoding, chunks: [text], method: 'none', refBits: 0 };
  if (opts.split === 'payload') return { encoding, dataCoding, chunks: [text], method: 'payload', refBits: 0 };
  const capacity = (opts.split === 'udh16' ? PART_UDH16 : PART_UDH8)[encoding];
  const chunks = encoding === 'LATIN1' ? sliceEvery(text, capacity) : splitText(text, encoding, capacity);
  if (chunks.length > 255) throw new RangeError(`text needs ${chunks.length} parts; at most 255 are possible`);
  return { encoding, dataCoding, chunks, method: opts.split, refBits: opts.split === 'udh8' ? 8 : 16 };
}

/** One part's short_message (or message_payload), esm_class bits and TLVs. */
export interface PartBody {
  partNo: number;
  total: number;
  esmClass: number;
  shortMessage: Buffer;
  tlvs: Tlvs;
}

/**
 * The bytes of every part. `ref` is the concatenation reference (ignored when the plan needs none);
 * it must be unique per destination while the parts are in flight (see ConcatRefs).
 */
export function buildParts(plan: MessagePlan, ref: number, opts: Pick<EncodingOptions, 'gsmPacking'>): PartBody[] {
  const total = plan.chunks.length;
  return plan.chunks.map((chunk, i) => {
    const seq = i + 1;
    switch (plan.method) {
      case 'none':
        return { partNo: 1, total: 1, esmClass: 0, shortMessage: encodeText(chunk, plan.encoding, opts.gsmPacking, 0), tlvs: {} };
      case 'payload':
        return { partNo: 1, total: 1, esmClass: 0, shortMessage: Buffer.alloc(0), tlvs: { messagePayload: encodeText(chunk, plan.encoding, opts.gsmPacking, 0) } };
      case 'sar':
        return {
          partNo: seq, total, esmClass: 0,
          shortMessage: encodeText(chunk, plan.encoding, opts.gsmPacking, 0),
          tlvs: { sarMsgRefNum: ref & 0xffff, sarTotalSegments: total, sarSegmentSeqnum: seq },
        };
      case 'udh8':
      case 'udh16': {
        const udh = plan.method === 'udh8'
          ? Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq])
          : Buffer.from([0x06, 0x08, 0x04, (ref >> 8) & 0xff, ref & 0xff, total, seq]);
        return {
          partNo: seq, total, esmClass: EsmClass.UDHI,
          shortMessage: Buffer.concat([udh, encodeText(chunk, plan.encoding, opts.gsmPacking, udh.length)]),
          tlvs: {},
        };
      }
    }
  });
}

/**
 * Text bytes for one part. Packed GSM-7 after a UDH of `udhOctets` starts on the next septet
 * boundary (fill bits), as TS 23.040 requires.
 */
export function encodeText(text: string, encoding: TextEncoding, gsmPacking: boolean, udhOctets: number): Buffer {
  switch (encoding) {
    case 'GSM7': {
      const septets = encodeGsm7(text);
      if (!gsmPacking) return septets;
      const fill = (7 - ((udhOctets * 8) % 7)) % 7;
      return packSeptets(septets, fill);
    }
    case 'LATIN1':
      return encodeLatin1(text);
    case 'UCS2':
      return utf16be(text);
  }
}

export function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

function units(text: string, encoding: TextEncoding): number {
  if (encoding === 'GSM7') return encodeGsm7(text).length;
  return text.length;
}

function sliceEvery(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}

// ---- addresses -----------------------------------------------------------------------------------

export interface Address {
  ton: number;
  npi: number;
  addr: string;
}

export const Ton = { UNKNOWN: 0, INTERNATIONAL: 1, ALPHANUMERIC: 5 } as const;
export const Npi = { UNKNOWN: 0, E164: 1 } as const;

const MAX_ALPHANUMERIC = 11;
const MAX_ADDRESS = 20; // source_addr is a C-octet string of at most 21 octets

/**
 * The originating address: the connector's fixed source (a service number) when configured, else
 * the message's sender. Numbers go as TON 1 NPI 1 without '+', with the ExtendCode appended;
 * alphanumeric senders as TON 5 NPI 0 (at most 11 characters; an ExtendCode cannot be carried).
 */
export function sourceAddress(sender: string, fixedSource: string, extendCode: string): Address | { error: string } {
  const src = (fixedSource || sender).trim();
  if (/^\+?\d+$/.test(src)) {
    const addr = src.replace(/^\+/, '') + extendCode;
    if (addr.length > MAX_ADDRESS) return { error: `source address ${addr} is longer than ${MAX_ADDRESS} digits` };
    return { ton: Ton.INTERNATIONAL, npi: Npi.E164, addr };
  }
  if (src.length === 0) return { error: 'no sender and no source address configured for the carrier' };
  if (src.length > MAX_ALPHANUMERIC) return { error: `alphanumeric sender "${src}" is longer than ${MAX_ALPHANUMERIC} characters` };
  if (!/^[\x20-\x7e]+$/.test(src)) return { error: `sender "${src}" is not a number or printable ASCII; set the carrier's source address` };
  return { ton: Ton.ALPHANUMERIC, npi: Npi.UNKNOWN, addr: src };
}

/** International numbers as TON 1 NPI 1, without the '+'. */
export function destinationAddress(e164: string): Address {
  return { ton: Ton.INTERNATIONAL, npi: Npi.E164, addr: e164.replace(/^\+/, '') };
}

export interface SubmitInputs {
  source: Address;
  destination: Address;
  serviceType: string;
  dataCoding: number;
  registeredDelivery: number;
}

/** The submit_sm for one part. */
export function submitPdu(part: PartBody, m: SubmitInputs): PduInput<'submit_sm'> {
  return {
    serviceType: m.serviceType,
    sourceAddrTon: m.source.ton,
    sourceAddrNpi: m.source.npi,
    sourceAddr: m.source.addr,
    destAddrTon: m.destination.ton,
    destAddrNpi: m.destination.npi,
    destinationAddr: m.destination.addr,
    esmClass: part.esmClass,
    registeredDelivery: m.registeredDelivery,
    dataCoding: m.dataCoding,
    shortMessage: part.shortMessage,
    tlvs: part.tlvs,
  };
}
