import type { Receipt } from '../store/messages.ts';

/** What a carrier needs to send one message. */
export interface OutboundMessage {
  id: number;
  e164: string;
  region: string;
  sender: string;
  content: string;
  encoding: string;
  segments: number;
  extendCode: string;
}

export type SubmitResult =
  | { ok: true; carrierMsgId: string }
  /** temporary: try again later; permanent: this message cannot go; unknown: it may have gone out. */
  | { ok: false; kind: 'temporary' | 'permanent' | 'unknown'; code: string; desc: string };

/** One interface for every way out: sandbox (default), SMPP and HTTP carriers. */
export interface Carrier {
  readonly name: string;
  /** Whether a message whose outcome is unknown may be submitted again (harmless duplicates). */
  readonly atLeastOnce: boolean;
  start(onReceipts: (receipts: Receipt[]) => void): Promise<void>;
  /** One result per message, in order. */
  submit(messages: OutboundMessage[]): Promise<SubmitResult[]>;
  stop(): Promise<void>;
}
