import type { SplitMethod } from './constants.ts';
import type { MessageIdFormat } from './receipt.ts';

export type BindType = 'transceiver' | 'transmitter' | 'transmitter+receiver';
export const BIND_TYPES: readonly BindType[] = ['transceiver', 'transmitter', 'transmitter+receiver'];
export type DeliveryPolicy = 'at-most-once' | 'at-least-once';

/** An SMPP carrier's connection and encoding settings as a bind uses them (password in clear: only inside the delivery thread). */
export interface SmppSettings {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType: string;
  bindType: BindType;
  window: number;
  /**
   * Messages claimed ahead of the window and waiting in memory, so a slot that frees is refilled at
   * once rather than after the next commit. Under at-most-once a node that dies leaves at most
   * window + prefetch messages `unknown` (claimed, outcome not recorded).
   */
  prefetch: number;
  /** messages/s per bind, 0 = no cap */
  throughput: number;
  gsmPacking: boolean;
  latin1: boolean;
  split: SplitMethod;
  /** How submit_sm_resp spells ids, and how receipt texts do (often the same). */
  idFormat: { resp: MessageIdFormat; receipt: MessageIdFormat };
  /** When an outcome is unknown: never resend, or resend. */
  policy: DeliveryPolicy;
  sourceAddr: string;
  serviceType: string;
  responseTimeoutMs: number;
  enquireLinkMs: number;
}
export const ID_FORMATS: readonly MessageIdFormat[] = ['hex', 'decimal', 'string'];
