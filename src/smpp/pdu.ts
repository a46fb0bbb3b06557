import { COMMAND_IDS, type CommandName } from './constants.ts';
import type { Tlvs } from './tlv.ts';

export type { CommandName } from './constants.ts';

export interface BindBody {
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export interface BindRespBody {
  systemId: string;
}

export interface OutbindBody {
  systemId: string;
  password: string;
}

/** submit_sm and deliver_sm share one layout. `shortMessage` is raw octets; `sm_length` is derived. */
export interface ShortMessageBody {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  protocolId: number;
  priorityFlag: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresentFlag: number;
  dataCoding: number;
  smDefaultMsgId: number;
  shortMessage: Buffer;
}

export interface DataSmBody {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
}

export interface MessageIdBody {
  messageId: string;
}

export interface QuerySmBody {
  messageId: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
}

export interface QuerySmRespBody {
  messageId: string;
  finalDate: string;
  messageState: number;
  errorCode: number;
}

type Empty = Record<never, never>;

/** Mandatory body fields of each command. */
export interface PduBodies {
  generic_nack: Empty;
  bind_receiver: BindBody;
  bind_receiver_resp: BindRespBody;
  bind_transmitter: BindBody;
  bind_transmitter_resp: BindRespBody;
  bind_transceiver: BindBody;
  bind_transceiver_resp: BindRespBody;
  outbind: OutbindBody;
  unbind: Empty;
  unbind_resp: Empty;
  submit_sm: ShortMessageBody;
  submit_sm_resp: MessageIdBody;
  deliver_sm: ShortMessageBody;
  deliver_sm_resp: MessageIdBody;
  data_sm: DataSmBody;
  data_sm_resp: MessageIdBody;
  query_sm: QuerySmBody;
  query_sm_resp: QuerySmRespBody;
  enquire_link: Empty;
  enquire_link_resp: Empty;
}

export interface PduHeader<C extends CommandName = CommandName> {
  command: C;
  /** command_status; 0 (ESME_ROK) on requests. */
  status: number;
  /** sequence_number. */
  sequence: number;
  tlvs: Tlvs;
}

export type PduOf<C extends CommandName> = PduHeader<C> & PduBodies[C];

/** Any decoded or to-be-encoded PDU, discriminated on `command`. */
export type Pdu = { [C in CommandName]: PduOf<C> }[CommandName];

/** What callers pass to build a PDU: every body field optional (spec defaults fill the rest). */
export type PduInput<C extends CommandName> = Partial<PduBodies[C]> & {
  status?: number;
  sequence?: number;
  tlvs?: Tlvs;
};

export type RequestName = 'bind_receiver' | 'bind_transmitter' | 'bind_transceiver' | 'submit_sm' | 'deliver_sm' | 'data_sm' | 'query_sm' | 'unbind' | 'enquire_link';

export interface ResponseNames {
  bind_receiver: 'bind_receiver_resp';
  bind_transmitter: 'bind_transmitter_resp';
  bind_transceiver: 'bind_transceiver_resp';
  submit_sm: 'submit_sm_resp';
  deliver_sm: 'deliver_sm_resp';
  data_sm: 'data_sm_resp';
  query_sm: 'query_sm_resp';
  unbind: 'unbind_resp';
  enquire_link: 'enquire_link_resp';
}

export type ResponseOf<C extends RequestName> = PduOf<ResponseNames[C]>;

export function responseName<C extends RequestName>(command: C): ResponseNames[C] {
  return `${command}_resp` as ResponseNames[C];
}

/** One mandatory field: its name, wire type and, for C-octet strings, the spec's size including NUL. */
export type Field =
  | { name: string; type: 'u8' }
  | { name: string; type: 'cstring'; max: number }
  | { name: string; type: 'sm' };

const u8 = (name: string): Field => ({ name, type: 'u8' });
const cs = (name: string, max: number): Field => ({ name, type: 'cstring', max });

const BIND: Field[] = [
  cs('systemId', 16),
  cs('password', 9),
  cs('systemType', 13),
  u8('interfaceVersion'),
  u8('addrTon'),
  u8('addrNpi'),
  cs('addressRange', 41),
];

const SHORT_MESSAGE: Field[] = [
  cs('serviceType', 6),
  u8('sourceAddrTon'),
  u8('sourceAddrNpi'),
  cs('sourceAddr', 21),
  u8('destAddrTon'),
  u8('destAddrNpi'),
  cs('destinationAddr', 21),
  u8('esmClass'),
  u8('protocolId'),
  u8('priorityFlag'),
  cs('scheduleDeliveryTime', 17),
  cs('validityPeriod', 17),
  u8('registeredDelivery'),
  u8('replaceIfPresentFlag'),
  u8('dataCoding'),
  u8('smDefaultMsgId'),
  { name: 'shortMessage', type: 'sm' },
];

const MESSAGE_ID: Field[] = [cs('messageId', 65)];

/** The wire layout of each command's mandatory body, in order (SMPP 3.4 section 4). */
export const LAYOUTS: Record<CommandName, readonly Field[]> = {
  generic_nack: [],
  bind_receiver: BIND,
  bind_receiver_resp: [cs('systemId', 16)],
  bind_transmitter: BIND,
  bind_transmitter_resp: [cs('systemId', 16)],
  bind_transceiver: BIND,
  bind_transceiver_resp: [cs('systemId', 16)],
  outbind: [cs('systemId', 16), cs('password', 9)],
  unbind: [],
  unbind_resp: [],
  submit_sm: SHORT_MESSAGE,
  submit_sm_resp: MESSAGE_ID,
  deliver_sm: SHORT_MESSAGE,
  deliver_sm_resp: MESSAGE_ID,
  data_sm: [
    cs('serviceType', 6),
    u8('sourceAddrTon'),
    u8('sourceAddrNpi'),
    cs('sourceAddr', 65),
    u8('destAddrTon'),
    u8('destAddrNpi'),
    cs('destinationAddr', 65),
    u8('esmClass'),
    u8('registeredDelivery'),
    u8('dataCoding'),
  ],
  data_sm_resp: MESSAGE_ID,
  query_sm: [cs('messageId', 65), u8('sourceAddrTon'), u8('sourceAddrNpi'), cs('sourceAddr', 21)],
  query_sm_resp: [cs('messageId', 65), cs('finalDate', 17), u8('messageState'), u8('errorCode')],
  enquire_link: [],
  enquire_link_resp: [],
};

export const MAX_SHORT_MESSAGE = 254;

function defaultFor(f: Field): unknown {
  if (f.type === 'u8') return 0;
  if (f.type === 'cstring') return '';
  return Buffer.alloc(0);
}

/** Builds a PDU with spec defaults (empty strings, zeros; interface_version 0x34 on binds). */
export function createPdu<C extends CommandName>(command: C, input: PduInput<C> = {}): PduOf<C> {
  const out: Record<string, unknown> = { command, status: input.status ?? 0, sequence: input.sequence ?? 0, tlvs: input.tlvs ?? {} };
  for (const f of LAYOUTS[command]) {
    const given = (input as unknown as Record<string, unknown>)[f.name];
    out[f.name] = given !== undefined ? given : f.name === 'interfaceVersion' ? 0x34 : defaultFor(f);
  }
  return out as unknown as PduOf<C>;
}

export function commandIdOf(command: CommandName): number {
  return COMMAND_IDS[command];
}
