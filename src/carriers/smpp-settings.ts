import type { MessageIdFormat } from '../smpp/receipt.ts';
import type { SplitMethod } from './smpp-message.ts';

export type BindType = 'transceiver' | 'transmitter' | 'transmitter+receiver';
export type DeliveryPolicy = 'at-most-once' | 'at-least-once';

/** An SMPP carrier's connection and encoding settings (password in clear: only inside the delivery thread). */
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
  policy: DeliveryPolicy;
  sourceAddr: string;
  serviceType: string;
  responseTimeoutMs: number;
  enquireLinkMs: number;
}
