/** SMPP 3.4 command ids, command_status values and header constants. */

export const HEADER_LENGTH = 16;
export const DEFAULT_MAX_PDU_LENGTH = 64 * 1024;
export const INTERFACE_VERSION_34 = 0x34;
export const RESPONSE_BIT = 0x80000000;

export const COMMAND_IDS = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;

export type CommandName = keyof typeof COMMAND_IDS;

const NAMES_BY_ID = new Map<number, CommandName>(
  (Object.entries(COMMAND_IDS) as [CommandName, number][]).map(([name, id]) => [id, name]),
);

export function commandNameOf(id: number): CommandName | undefined {
  return NAMES_BY_ID.get(id);
}

export function isResponseId(id: number): boolean {
  return (id & RESPONSE_BIT) !== 0;
}

export const CommandStatus = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RINVPRTFLG: 0x06,
  ESME_RINVREGDLVFLG: 0x07,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RCANCELFAIL: 0x11,
  ESME_RREPLACEFAIL: 0x13,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVNUMDESTS: 0x33,
  ESME_RINVDLNAME: 0x34,
  ESME_RINVDESTFLAG: 0x40,
  ESME_RINVSUBREP: 0x42,
  ESME_RINVESMCLASS: 0x43,
  ESME_RCNTSUBDL: 0x44,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSRCTON: 0x48,
  ESME_RINVSRCNPI: 0x49,
  ESME_RINVDSTTON: 0x50,
  ESME_RINVDSTNPI: 0x51,
  ESME_RINVSYSTYP: 0x53,
  ESME_RINVREPFLAG: 0x54,
  ESME_RINVNUMMSGS: 0x55,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RINVDFTMSGID: 0x63,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
  ESME_RQUERYFAIL: 0x67,
  ESME_RINVOPTPARSTREAM: 0xc0,
  ESME_ROPTPARNOTALLWD: 0xc1,
  ESME_RINVPARLEN: 0xc2,
  ESME_RMISSINGOPTPARAM: 0xc3,
  ESME_RINVOPTPARAMVAL: 0xc4,
  ESME_RDELIVERYFAILURE: 0xfe,
  ESME_RUNKNOWNERR: 0xff,
} as const;

export type CommandStatusName = keyof typeof CommandStatus;

const STATUS_NAMES = new Map<number, CommandStatusName>(
  (Object.entries(CommandStatus) as [CommandStatusName, number][]).map(([name, v]) => [v, name]),
);

/** `ESME_RTHROTTLED` for 0x58; `0x00000400` style for vendor codes. */
export function statusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/** Statuses that mean "try again later, and slow down": the message itself is fine. */
export function isTemporaryStatus(status: number): boolean {
  return status === CommandStatus.ESME_RTHROTTLED || status === CommandStatus.ESME_RMSGQFUL;
}

/** esm_class message-type bits (2-5) in deliver_sm / data_sm. */
export const EsmClass = {
  MESSAGE_TYPE_MASK: 0x3c,
  DELIVERY_RECEIPT: 0x04,
  INTERMEDIATE_NOTIFICATION: 0x20,
  UDHI: 0x40,
} as const;

/** How a long message is split into submit_sm PDUs: UDH with an 8- or 16-bit reference, SAR TLVs, or one PDU with message_payload. */
export type SplitMethod = 'udh8' | 'udh16' | 'sar' | 'payload';
export const SPLIT_METHODS: readonly SplitMethod[] = ['udh8', 'udh16', 'sar', 'payload'];
