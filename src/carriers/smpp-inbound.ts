// Inbound (MO) deliver_sm / data_sm -> text: data_coding, UDH / SAR concatenation, reassembly.
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

interface Pending {
  parts: Map<number, string>;
  total: number;
  timer: NodeJS.Timeout;
}

/**
 * Joins concatenated MO parts (same source, destination and reference). A message still missing
 * parts after `timeoutMs` is delivered with what arrived. Parts are held in memory: the SMSC got
 * its deliver_sm_resp, so a restart in between loses an incomplete message.
 */
export class MoReassembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly onComplete: (key: { source: string; destination: string }, text: string) => void,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Returns the whole text when this part completed it (or it was not a part), else undefined. */
  add(source: string, destination: string, mo: DecodedMo): string | undefined {
    if (!mo.concat) return mo.text;
    const key = `${source}\u0000${destination}\u0000${mo.concat.ref}\u0000${mo.concat.total}`;
    let p = this.pending.get(key);
    if (!p) {
      const timer = setTimeout(() => {
        const left = this.pending.get(key);
        this.pending.delete(key);
        if (left) this.onComplete({ source, destination }, join(left));
      }, this.timeoutMs);
      timer.unref();
      p = { parts: new Map(), total: mo.concat.total, timer };
      this.pending.set(key, p);
    }
    p.parts.set(mo.concat.seq, mo.text);
    if (p.parts.size < p.total) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(key);
    return join(p);
  }

  /** Flushes incomplete messages (on stop). */
  flush(): void {
    for (const [key, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(key);
      const [source, destination] = key.split('\u0000') as [string, string];
      this.onComplete({ source, destination }, join(p));
    }
  }
}

function join(p: Pending): string {
  return [...p.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t).join('');
}
