import { EsmClass } from './constants.ts';
import type { PduOf } from './pdu.ts';
import type { NetworkErrorCode } from './tlv.ts';

/** The one status vocabulary receipts are mapped to. */
export type ReceiptStatus = 'DELIVRD' | 'EXPIRED' | 'DELETED' | 'UNDELIV' | 'ACCEPTD' | 'UNKNOWN' | 'REJECTD' | 'ENROUTE';

export interface Receipt {
  /** As the carrier wrote it; match with normalizeMessageId. */
  messageId: string;
  stat: ReceiptStatus;
  /** The stat word or message_state as received, before mapping. */
  rawStat: string;
  /** The text `err:` field, else the network_error_code error code as 3 digits, else ''. */
  err: string;
  /** YYMMDDhhmm[ss..] as received (the carrier's local time; no zone is given). */
  submitDate?: string;
  doneDate?: string;
  dlvrd?: string;
  sub?: string;
  text?: string;
  messageState?: number;
  networkErrorCode?: NetworkErrorCode;
}

const BY_MESSAGE_STATE: Record<number, ReceiptStatus> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

const BY_WORD: Record<string, ReceiptStatus> = {
  DELIVRD: 'DELIVRD',
  DELIVERED: 'DELIVRD',
  EXPIRED: 'EXPIRED',
  DELETED: 'DELETED',
  UNDELIV: 'UNDELIV',
  UNDELIVERABLE: 'UNDELIV',
  FAILED: 'UNDELIV',
  ACCEPTD: 'ACCEPTD',
  ACCEPTED: 'ACCEPTD',
  ACKED: 'ACCEPTD',
  UNKNOWN: 'UNKNOWN',
  REJECTD: 'REJECTD',
  REJECTED: 'REJECTD',
  ENROUTE: 'ENROUTE',
  BUFFRED: 'ENROUTE',
  BUFFERED: 'ENROUTE',
};

export function statusFromMessageState(state: number): ReceiptStatus {
  return BY_MESSAGE_STATE[state] ?? 'UNKNOWN';
}

/** Maps a stat word (any case, vendor variants like ACKED / BUFFRED) to the enum; UNKNOWN otherwise. */
export function statusFromWord(word: string): ReceiptStatus {
  return BY_WORD[word.trim().toUpperCase()] ?? 'UNKNOWN';
}

/** True for deliver_sm / data_sm carrying a delivery receipt or intermediate notification. */
export function isReceipt(pdu: { esmClass: number }): boolean {
  const type = pdu.esmClass & EsmClass.MESSAGE_TYPE_MASK;
  return type === EsmClass.DELIVERY_RECEIPT || type === EsmClass.INTERMEDIATE_NOTIFICATION;
}

export interface ReceiptText {
  id?: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  stat?: string;
  err?: string;
  text?: string;
}

// Each field is `name:value`, values run to the next space; `text:` runs to the end.
const FIELD = {
  id: /(?:^|\s)id:\s*(\S+)/i,
  sub: /(?:^|\s)sub:\s*(\S+)/i,
  dlvrd: /(?:^|\s)dlvrd:\s*(\S+)/i,
  submitDate: /(?:^|\s)submit[ _]?date:\s*(\d{10,14})(?!\d)/i,
  doneDate: /(?:^|\s)done[ _]?date:\s*(\d{10,14})(?!\d)/i,
  stat: /(?:^|\s)stat:\s*([A-Za-z_]+)/i,
  err: /(?:^|\s)err:\s*(\S+)/i,
} as const;

/** Parses the de-facto receipt text `id:.. sub:.. dlvrd:.. submit date:.. done date:.. stat:.. err:.. text:..`. */
export function parseReceiptText(input: string): ReceiptText {
  const textAt = input.search(/(?:^|\s)text:/i);
  const head = textAt === -1 ? input : input.slice(0, textAt);
  const out: ReceiptText = {};
  for (const [key, re] of Object.entries(FIELD) as [keyof typeof FIELD, RegExp][]) {
    const m = re.exec(head);
    if (m) out[key] = m[1];
  }
  if (textAt !== -1) out.text = input.slice(textAt).replace(/^\s*text:/i, '');
  return out;
}

function decodeText(pdu: { shortMessage?: Buffer; dataCoding: number; tlvs: { messagePayload?: Buffer } }): string {
  const raw = pdu.shortMessage && pdu.shortMessage.length > 0 ? pdu.shortMessage : pdu.tlvs.messagePayload ?? Buffer.alloc(0);
  if (pdu.dataCoding === 0x08) {
    const swapped = Buffer.from(raw.subarray(0, raw.length - (raw.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  return raw.toString('latin1');
}

/**
 * Reads a delivery receipt. The TLVs (receipted_message_id, message_state, network_error_code)
 * win over the text; the text fills in whatever they do not carry. Returns undefined when the
 * PDU is not a receipt or carries no message id at all.
 */
export function parseReceipt(pdu: PduOf<'deliver_sm'> | PduOf<'data_sm'>): Receipt | undefined {
  if (!isReceipt(pdu)) return undefined;
  const text = parseReceiptText(decodeText(pdu));
  const { receiptedMessageId, messageState, networkErrorCode } = pdu.tlvs;
  const messageId = receiptedMessageId || text.id;
  if (!messageId) return undefined;
  let stat: ReceiptStatus = 'UNKNOWN';
  let rawStat = '';
  if (messageState !== undefined) {
    stat = statusFromMessageState(messageState);
    rawStat = String(messageState);
  } else if (text.stat) {
    stat = statusFromWord(text.stat);
    rawStat = text.stat;
  }
  const err = text.err ?? (networkErrorCode ? String(networkErrorCode.errorCode).padStart(3, '0') : '');
  const receipt: Receipt = { messageId, stat, rawStat, err };
  if (text.submitDate) receipt.submitDate = text.submitDate;
  if (text.doneDate) receipt.doneDate = text.doneDate;
  if (text.dlvrd) receipt.dlvrd = text.dlvrd;
  if (text.sub) receipt.sub = text.sub;
  if (text.text !== undefined) receipt.text = text.text;
  if (messageState !== undefined) receipt.messageState = messageState;
  if (networkErrorCode) receipt.networkErrorCode = networkErrorCode;
  return receipt;
}

export type MessageIdFormat = 'hex' | 'decimal' | 'string';

/**
 * One canonical spelling per carrier id, so the id from submit_sm_resp matches the one in the
 * receipt. 'hex' and 'decimal' both become a decimal number without leading zeros (so hex 0A1B
 * and decimal 0002587 meet as "2587"); 'string' is trimmed and lower-cased. An id that is not
 * valid in the declared numeric format falls back to the 'string' form.
 */
export function normalizeMessageId(id: string, format: MessageIdFormat): string {
  const s = id.trim();
  if (format === 'hex' && /^(0x)?[0-9a-f]+$/i.test(s)) return BigInt(s.toLowerCase().startsWith('0x') ? s : `0x${s}`).toString(10);
  if (format === 'decimal' && /^\d+$/.test(s)) return BigInt(s).toString(10);
  return s.toLowerCase();
}
