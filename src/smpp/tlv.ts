import { BufferReader, DecodeError } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { CommandStatus } from './constants.ts';

/** network_error_code (0x0423): a network type octet and a two-octet error code. */
export interface NetworkErrorCode {
  networkType: number;
  errorCode: number;
}

/** A TLV we do not decode (or a repeat of one we do): kept and re-serialised byte for byte. */
export interface RawTlv {
  tag: number;
  value: Buffer;
}

/** The SMPP 3.4 optional parameters, by name. */
export interface Tlvs {
  destAddrSubunit?: number;
  destNetworkType?: number;
  destBearerType?: number;
  destTelematicsId?: number;
  sourceAddrSubunit?: number;
  sourceNetworkType?: number;
  sourceBearerType?: number;
  sourceTelematicsId?: number;
  qosTimeToLive?: number;
  payloadType?: number;
  additionalStatusInfoText?: string;
  receiptedMessageId?: string;
  msMsgWaitFacilities?: number;
  privacyIndicator?: number;
  sourceSubaddress?: Buffer;
  destSubaddress?: Buffer;
  userMessageReference?: number;
  userResponseCode?: number;
  sourcePort?: number;
  destinationPort?: number;
  sarMsgRefNum?: number;
  languageIndicator?: number;
  sarTotalSegments?: number;
  sarSegmentSeqnum?: number;
  scInterfaceVersion?: number;
  callbackNumPresInd?: number;
  callbackNumAtag?: Buffer;
  numberOfMessages?: number;
  callbackNum?: Buffer;
  dpfResult?: number;
  setDpf?: number;
  msAvailabilityStatus?: number;
  networkErrorCode?: NetworkErrorCode;
  messagePayload?: Buffer;
  deliveryFailureReason?: number;
  moreMessagesToSend?: number;
  messageState?: number;
  ussdServiceOp?: number;
  displayTime?: number;
  smsSignal?: number;
  msValidity?: number;
  alertOnMessageDelivery?: true;
  itsReplyType?: number;
  itsSessionInfo?: number;
  /** Unknown tags and repeats of known ones, in arrival order. */
  unknown?: RawTlv[];
}

export type TlvName = Exclude<keyof Tlvs, 'unknown'>;

type TlvType = 'u8' | 'u16' | 'u32' | 'cstring' | 'octets' | 'empty' | 'network_error';

interface TlvDef {
  name: TlvName;
  tag: number;
  type: TlvType;
}

const defs = (rows: [TlvName, number, TlvType][]): TlvDef[] => rows.map(([name, tag, type]) => ({ name, tag, type }));

export const TLV_DEFS: readonly TlvDef[] = defs([
  ['destAddrSubunit', 0x0005, 'u8'],
  ['destNetworkType', 0x0006, 'u8'],
  ['destBearerType', 0x0007, 'u8'],
  ['destTelematicsId', 0x0008, 'u16'],
  ['sourceAddrSubunit', 0x000d, 'u8'],
  ['sourceNetworkType', 0x000e, 'u8'],
  ['sourceBearerType', 0x000f, 'u8'],
  ['sourceTelematicsId', 0x0010, 'u8'],
  ['qosTimeToLive', 0x0017, 'u32'],
  ['payloadType', 0x0019, 'u8'],
  ['additionalStatusInfoText', 0x001d, 'cstring'],
  ['receiptedMessageId', 0x001e, 'cstring'],
  ['msMsgWaitFacilities', 0x0030, 'u8'],
  ['privacyIndicator', 0x0201, 'u8'],
  ['sourceSubaddress', 0x0202, 'octets'],
  ['destSubaddress', 0x0203, 'octets'],
  ['userMessageReference', 0x0204, 'u16'],
  ['userResponseCode', 0x0205, 'u8'],
  ['sourcePort', 0x020a, 'u16'],
  ['destinationPort', 0x020b, 'u16'],
  ['sarMsgRefNum', 0x020c, 'u16'],
  ['languageIndicator', 0x020d, 'u8'],
  ['sarTotalSegments', 0x020e, 'u8'],
  ['sarSegmentSeqnum', 0x020f, 'u8'],
  ['scInterfaceVersion', 0x0210, 'u8'],
  ['callbackNumPresInd', 0x0302, 'u8'],
  ['callbackNumAtag', 0x0303, 'octets'],
  ['numberOfMessages', 0x0304, 'u8'],
  ['callbackNum', 0x0381, 'octets'],
  ['dpfResult', 0x0420, 'u8'],
  ['setDpf', 0x0421, 'u8'],
  ['msAvailabilityStatus', 0x0422, 'u8'],
  ['networkErrorCode', 0x0423, 'network_error'],
  ['messagePayload', 0x0424, 'octets'],
  ['deliveryFailureReason', 0x0425, 'u8'],
  ['moreMessagesToSend', 0x0426, 'u8'],
  ['messageState', 0x0427, 'u8'],
  ['ussdServiceOp', 0x0501, 'u8'],
  ['displayTime', 0x1201, 'u8'],
  ['smsSignal', 0x1203, 'u16'],
  ['msValidity', 0x1204, 'u8'],
  ['alertOnMessageDelivery', 0x130c, 'empty'],
  ['itsReplyType', 0x1380, 'u8'],
  ['itsSessionInfo', 0x1383, 'u16'],
]);

const BY_TAG = new Map(TLV_DEFS.map((d) => [d.tag, d]));
const BY_NAME = new Map(TLV_DEFS.map((d) => [d.name, d]));

export function tlvTag(name: TlvName): number {
  return BY_NAME.get(name)!.tag;
}

const FIXED_SIZE: Partial<Record<TlvType, number>> = { u8: 1, u16: 2, u32: 4, empty: 0, network_error: 3 };

function decodeValue(type: TlvType, v: Buffer): unknown {
  switch (type) {
    case 'u8':
      return v[0];
    case 'u16':
      return v.readUInt16BE(0);
    case 'u32':
      return v.readUInt32BE(0);
    case 'network_error':
      return { networkType: v[0]!, errorCode: v.readUInt16BE(1) } satisfies NetworkErrorCode;
    case 'empty':
      return true;
    case 'cstring': {
      // Some SMSCs omit the NUL in receipted_message_id; accept the value up to NUL or end.
      const nul = v.indexOf(0);
      return v.toString('latin1', 0, nul === -1 ? v.length : nul);
    }
    case 'octets':
      return v;
  }
}

/**
 * Reads TLVs until the end of the PDU. A TLV whose declared length passes the end is an error;
 * a known TLV with the wrong size for its type is kept raw (in `unknown`) rather than rejecting the PDU.
 */
export function readTlvs(reader: BufferReader): Tlvs {
  const out: Tlvs = {};
  const bag = out as Record<string, unknown>;
  while (reader.remaining() > 0) {
    if (reader.remaining() < 4) {
      throw new DecodeError(CommandStatus.ESME_RINVOPTPARSTREAM, 'trailing octets too short for a TLV header');
    }
    const tag = reader.u16();
    const length = reader.u16();
    if (length > reader.remaining()) {
      throw new DecodeError(CommandStatus.ESME_RINVOPTPARSTREAM, `TLV 0x${tag.toString(16)} length ${length} runs past the end of the PDU`);
    }
    const value = reader.bytes(length);
    const def = BY_TAG.get(tag);
    const fixed = def ? FIXED_SIZE[def.type] : undefined;
    if (!def || bag[def.name] !== undefined || (fixed !== undefined && fixed !== length)) {
      (out.unknown ??= []).push({ tag, value });
      continue;
    }
    bag[def.name] = decodeValue(def.type, value);
  }
  return out;
}

function encodeValue(def: TlvDef, value: unknown): Buffer {
  switch (def.type) {
    case 'u8':
      return Buffer.from([Number(value) & 0xff]);
    case 'u16': {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(Number(value) & 0xffff);
      return b;
    }
    case 'u32': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(Number(value) >>> 0);
      return b;
    }
    case 'network_error': {
      const n = value as NetworkErrorCode;
      const b = Buffer.alloc(3);
      b[0] = n.networkType & 0xff;
      b.writeUInt16BE(n.errorCode & 0xffff, 1);
      return b;
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'cstring':
      return Buffer.from(`${String(value)}\0`, 'latin1');
    case 'octets':
      return Buffer.from(value as Uint8Array);
  }
}

/** Writes named TLVs in the object's key order (so decoded PDUs round-trip), then the raw ones unchanged. */
export function writeTlvs(writer: BufferWriter, tlvs: Tlvs | undefined): void {
  if (!tlvs) return;
  const bag = tlvs as Record<string, unknown>;
  for (const name of Object.keys(bag)) {
    if (name === 'unknown') continue;
    const def = BY_NAME.get(name as TlvName);
    if (!def) throw new RangeError(`unknown TLV name ${name}; pass it in tlvs.unknown as raw bytes`);
    const value = bag[name];
    if (value === undefined || value === null || value === false) continue;
    const bytes = encodeValue(def, value);
    if (bytes.length > 0xffff) throw new RangeError(`TLV ${def.name} is longer than 65535 octets`);
    writer.u16(def.tag).u16(bytes.length).bytes(bytes);
  }
  for (const raw of tlvs.unknown ?? []) {
    writer.u16(raw.tag).u16(raw.value.length).bytes(raw.value);
  }
}
