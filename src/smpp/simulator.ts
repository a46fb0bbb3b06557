import net from 'node:net';
import { COMMAND_IDS, CommandStatus, isResponseId } from './constants.ts';
import { Parser, PduError } from './parser.ts';
import { createPdu, type Pdu, type PduInput, type PduOf } from './pdu.ts';
import { serialize } from './serializer.ts';
import type { BindMode } from './session.ts';
import type { Tlvs } from './tlv.ts';
import { batchWrites } from './write-batching.ts';

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'DELETED' | 'REJECTD' | 'ACCEPTD' | 'UNKNOWN' | 'ENROUTE';

/** A receipt no bind acknowledged is offered again every RECEIPT_RETRY_MS, by default up to RECEIPT_ATTEMPTS times. */
const RECEIPT_RETRY_MS = 200;
const RECEIPT_ATTEMPTS = 150;

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** When set, binds must present these credentials (else ESME_RINVSYSID / ESME_RINVPASWD). */
  systemId?: string;
  password?: string;
  /** Refuse binds beyond this many at once (ESME_RBINDFAIL). */
  maxBinds?: number;
  /** Send delivery receipts for submits that ask for one (registered_delivery & 3). Default true. */
  receipts?: boolean;
  receiptDelayMs?: number;
  /** Also put receipted_message_id / message_state / network_error_code TLVs on receipts. */
  receiptTlvs?: boolean;
  /** The receipt's stat per submit; undefined sends no receipt for it. Default DELIVRD. */
  outcome?: (submit: PduOf<'submit_sm'>) => ReceiptStat | undefined;
  /** Send the receipt before the submit_sm_resp (the carrier outruns its own answer). */
  receiptFirst?: boolean;
  /** Delay before answering each submit_sm (fixed, or per PDU). */
  responseDelayMs?: number | ((submit: PduOf<'submit_sm'>) => number);
  /** Answer every Nth submit_sm (counted over the simulator) with ESME_RTHROTTLED. */
  throttleEvery?: number;
  /** Drop a connection, without answering, when it receives its Nth submit_sm. */
  disconnectAfter?: number;
  /**
   * Stall the connection that receives the Nth submit_sm (counted over the simulator) from that PDU on: it
   * reads everything and answers nothing (no responses, receipts or enquire_link_resp), and stays open.
   * Connections made later are served normally.
   */
  stallAfter?: number;
  /**
   * How submit_sm_resp spells the id. 'hex' mimics SMSCs that answer hex there but write the
   * receipt text id in decimal (receipted_message_id keeps the hex form).
   */
  idFormat?: 'hex' | 'decimal';
  /** How many received submit_sm to keep in `submitted` (oldest dropped). Default 1000. */
  keepSubmitted?: number;
  /** How long a receipt no bind acknowledged is offered again before it is dropped. Default 30 s. */
  keepReceiptsMs?: number;
}

export interface SimulatorStats {
  connections: number;
  binds: number;
  activeBinds: number;
  maxConcurrentBinds: number;
  bindFailures: number;
  submits: number;
  accepted: number;
  throttled: number;
  /** submit_sm received and not yet answered, now and at most. */
  inFlight: number;
  maxInFlight: number;
  /** Time from each answered submit_sm's arrival to its answer, summed (ms): the SMSC's real latency. */
  answerMsTotal: number;
  receiptsSent: number;
  receiptsDropped: number;
  deliverAcks: number;
  enquireLinks: number;
  unbinds: number;
  genericNacks: number;
  disconnects: number;
  /** Connections stalled (stallAfter, stall()), and the submit_sm they read and never answered. */
  stalls: number;
  stalledSubmits: number;
}

export interface MoInput {
  sourceAddr: string;
  destinationAddr: string;
  shortMessage: Buffer;
  dataCoding?: number;
  esmClass?: number;
  tlvs?: Tlvs;
  /** Deliver to a bind of this system_id; default any receiver/transceiver bind. */
  systemId?: string;
}

export interface Simulator {
  readonly port: number;
  readonly host: string;
  readonly stats: SimulatorStats;
  /** Most recent submit_sm PDUs received, bounded by `keepSubmitted`. */
  readonly submitted: PduOf<'submit_sm'>[];
  /** When each of `submitted` was read (performance.now(), the same order and bound). */
  readonly arrivals: number[];
  /** Sends an inbound (MO) deliver_sm and resolves with the ESME's response. */
  sendMo(mo: MoInput): Promise<PduOf<'deliver_sm_resp'>>;
  /** Sends enquire_link to every bound connection; resolves when all answered. */
  enquireLink(): Promise<void>;
  /** Drops every connection without unbinding. */
  dropConnections(): void;
  /** Stalls every open connection now (see `stallAfter`); new connections are served. */
  stall(): void;
  /**
   * An outage: while down, every connection is dropped and new ones are closed at once, as if the SMSC
   * were gone; receipts it owes wait (and are retried) until it is up again.
   */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

interface Conn {
  socket: net.Socket;
  parser: Parser;
  mode: BindMode | undefined;
  systemId: string;
  sequence: number;
  submits: number;
  waiting: Map<number, (pdu: Pdu) => void>;
  stalled: boolean;
}

const ERR_CODES: Record<ReceiptStat, string> = {
  DELIVRD: '000',
  ACCEPTD: '000',
  ENROUTE: '000',
  UNDELIV: '001',
  REJECTD: '002',
  EXPIRED: '003',
  DELETED: '004',
  UNKNOWN: '005',
};

const MESSAGE_STATES: Record<ReceiptStat, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

/** YYMMDDhhmm in UTC. */
function receiptDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** Starts an in-process SMSC for tests, demos and benchmarks. */
export function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = {
    receipts: true,
    receiptDelayMs: 0,
    receiptTlvs: false,
    outcome: (): ReceiptStat => 'DELIVRD',
    responseDelayMs: 0,
    idFormat: 'decimal' as const,
    keepSubmitted: 1000,
    keepReceiptsMs: RECEIPT_RETRY_MS * RECEIPT_ATTEMPTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as SimulatorOptions & { receipts: boolean; receiptDelayMs: number; receiptTlvs: boolean; outcome: (s: PduOf<'submit_sm'>) => ReceiptStat | undefined; idFormat: 'hex' | 'decimal'; keepSubmitted: number; keepReceiptsMs: number };

  const stats: SimulatorStats = {
    connections: 0,
    binds: 0,
    activeBinds: 0,
    maxConcurrentBinds: 0,
    bindFailures: 0,
    submits: 0,
    accepted: 0,
    throttled: 0,
    inFlight: 0,
    maxInFlight: 0,
    answerMsTotal: 0,
    receiptsSent: 0,
    receiptsDropped: 0,
    deliverAcks: 0,
    enquireLinks: 0,
    unbinds: 0,
    genericNacks: 0,
    disconnects: 0,
    stalls: 0,
    stalledSubmits: 0,
  };
  const submitted: PduOf<'submit_sm'>[] = [];
  const arrivals: number[] = [];
  const conns = new Set<Conn>();
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 1_000_000;
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return void setImmediate(fn);
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const send = (c: Conn, pdu: Pdu) => {
    if (c.socket.destroyed || !c.socket.writable || c.stalled) return;
    batchWrites(c.socket);
    c.socket.write(serialize(pdu));
  };

  const request = (c: Conn, pdu: Pdu): Promise<Pdu> => {
    c.sequence = c.sequence >= 0x7fffffff ? 1 : c.sequence + 1;
    const sequence = c.sequence;
    return new Promise((resolve) => {
      c.waiting.set(sequence, resolve);
      send(c, { ...pdu, sequence } as Pdu);
    });
  };

  const canReceive = (c: Conn) => (c.mode === 'receiver' || c.mode === 'transceiver') && !c.stalled;

  const pickReceiver = (preferred: Conn | undefined, systemId: string | undefined): Conn | undefined => {
    if (preferred && conns.has(preferred) && canReceive(preferred) && !preferred.socket.destroyed) return preferred;
    for (const c of conns) {
      if (canReceive(c) && !c.socket.destroyed && (systemId === undefined || c.systemId === systemId)) return c;
    }
    return undefined;
  };

  const bindEnded = (c: Conn) => {
    if (c.mode) {
      c.mode = undefined;
      stats.activeBinds--;
    }
  };

  const scheduleReceipt = (c: Conn, submit: PduOf<'submit_sm'>, respId: string, idNum: number, submittedAt: Date) => {
    const stat = o.outcome(submit);
    if (stat === undefined) return;
    // Like a real SMSC, a receipt that no bind acknowledged (none bound, the bind died, or the ESME
    // answered an error) is offered again a little later, to whichever bind of the account is up.
    let attempts = 0;
    const retry = () => {
      if (++attempts * RECEIPT_RETRY_MS >= o.keepReceiptsMs || closed) stats.receiptsDropped++;
      else later(RECEIPT_RETRY_MS, sendIt);
    };
    const sendIt = () => {
      const target = pickReceiver(c, c.systemId);
      if (!target) return retry();
      const textId = o.idFormat === 'hex' ? String(idNum) : respId;
      const delivered = stat === 'DELIVRD' ? '001' : '000';
      const text = submit.shortMessage.toString('latin1', 0, Math.min(20, submit.shortMessage.length)).replace(/[^\x20-\x7e]/g, '.');
      const body = `id:${textId} sub:001 dlvrd:${delivered} submit date:${receiptDate(submittedAt)} done date:${receiptDate(new Date())} stat:${stat} err:${ERR_CODES[stat]} text:${text}`;
      const tlvs: Tlvs = o.receiptTlvs
        ? { receiptedMessageId: respId, messageState: MESSAGE_STATES[stat], networkErrorCode: { networkType: 3, errorCode: Number(ERR_CODES[stat]) } }
        : {};
      stats.receiptsSent++;
      void request(
        target,
        createPdu('deliver_sm', {
          sourceAddrTon: submit.destAddrTon,
          sourceAddrNpi: submit.destAddrNpi,
          sourceAddr: submit.destinationAddr,
          destAddrTon: submit.sourceAddrTon,
          destAddrNpi: submit.sourceAddrNpi,
          destinationAddr: submit.sourceAddr,
          esmClass: 0x04,
          shortMessage: Buffer.from(body, 'latin1'),
          tlvs,
        }),
      ).then((resp) => {
        if (resp.command !== 'deliver_sm_resp' || resp.status !== CommandStatus.ESME_ROK) retry();
      });
    };
    if (o.receiptFirst) sendIt();
    else later(o.receiptDelayMs, sendIt);
  };

  const stallConn = (c: Conn) => {
    if (c.stalled) return;
    c.stalled = true;
    stats.stalls++;
  };

  const onSubmit = (c: Conn, pdu: PduOf<'submit_sm'>, arrived: number) => {
    stats.submits++;
    c.submits++;
    if (submitted.push(pdu) > o.keepSubmitted) submitted.shift();
    if (arrivals.push(arrived) > o.keepSubmitted) arrivals.shift();
    if (o.stallAfter && stats.submits === o.stallAfter) stallConn(c);
    if (c.stalled) {
      stats.stalledSubmits++;
      return;
    }
    if (o.disconnectAfter && c.submits >= o.disconnectAfter) {
      stats.disconnects++;
      c.socket.destroy();
      return;
    }
    if (c.mode !== 'transmitter' && c.mode !== 'transceiver') {
      send(c, createPdu('submit_sm_resp', { sequence: pdu.sequence, status: CommandStatus.ESME_RINVBNDSTS }));
      return;
    }
    stats.inFlight++;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    const throttle = o.throttleEvery !== undefined && o.throttleEvery > 0 && stats.submits % o.throttleEvery === 0;
    const delay = typeof o.responseDelayMs === 'function' ? o.responseDelayMs(pdu) : o.responseDelayMs ?? 0;
    const answer = () => {
      stats.inFlight--;
      stats.answerMsTotal += performance.now() - arrived;
      if (c.socket.destroyed) return;
      if (throttle) {
        stats.throttled++;
        send(c, createPdu('submit_sm_resp', { sequence: pdu.sequence, status: CommandStatus.ESME_RTHROTTLED }));
        return;
      }
      const idNum = nextId++;
      const messageId = o.idFormat === 'hex' ? idNum.toString(16).toUpperCase().padStart(10, '0') : String(idNum);
      stats.accepted++;
      const wantsReceipt = o.receipts && (pdu.registeredDelivery & 0x03) !== 0;
      if (wantsReceipt && o.receiptFirst) {
        // The receipt goes out now; the answer only after receiptDelayMs.
        scheduleReceipt(c, pdu, messageId, idNum, new Date());
        later(o.receiptDelayMs, () => send(c, createPdu('submit_sm_resp', { sequence: pdu.sequence, messageId })));
        return;
      }
      send(c, createPdu('submit_sm_resp', { sequence: pdu.sequence, messageId }));
      if (wantsReceipt) scheduleReceipt(c, pdu, messageId, idNum, new Date());
    };
    if (delay > 0) later(delay, answer);
    else answer();
  };

  const onBind = (c: Conn, pdu: PduOf<'bind_transmitter' | 'bind_receiver' | 'bind_transceiver'>) => {
    const respName = `${pdu.command}_resp` as const;
    let status: number = CommandStatus.ESME_ROK;
    if (c.mode) status = CommandStatus.ESME_RALYBND;
    else if (o.systemId !== undefined && pdu.systemId !== o.systemId) status = CommandStatus.ESME_RINVSYSID;
    else if (o.password !== undefined && pdu.password !== o.password) status = CommandStatus.ESME_RINVPASWD;
    else if (o.maxBinds !== undefined && stats.activeBinds >= o.maxBinds) status = CommandStatus.ESME_RBINDFAIL;
    if (status !== CommandStatus.ESME_ROK) {
      stats.bindFailures++;
      send(c, createPdu(respName, { sequence: pdu.sequence, status }));
      return;
    }
    c.mode = pdu.command.slice('bind_'.length) as BindMode;
    c.systemId = pdu.systemId;
    stats.binds++;
    stats.activeBinds++;
    if (stats.activeBinds > stats.maxConcurrentBinds) stats.maxConcurrentBinds = stats.activeBinds;
    send(c, createPdu(respName, { sequence: pdu.sequence, systemId: 'USMSSIM', tlvs: { scInterfaceVersion: 0x34 } }));
  };

  const onPdu = (c: Conn, pdu: Pdu, arrived: number) => {
    if (pdu.command === 'submit_sm') return onSubmit(c, pdu, arrived);
    if (c.stalled) return; // read, never answered
    if (isResponseId(COMMAND_IDS[pdu.command])) {
      if (pdu.command === 'deliver_sm_resp') stats.deliverAcks++;
      const resolve = c.waiting.get(pdu.sequence);
      c.waiting.delete(pdu.sequence);
      resolve?.(pdu);
      return;
    }
    switch (pdu.command) {
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        return onBind(c, pdu);
      case 'enquire_link':
        stats.enquireLinks++;
        return send(c, createPdu('enquire_link_resp', { sequence: pdu.sequence }));
      case 'unbind':
        stats.unbinds++;
        bindEnded(c);
        send(c, createPdu('unbind_resp', { sequence: pdu.sequence }));
        c.socket.end();
        return;
      case 'query_sm':
        return send(c, createPdu('query_sm_resp', { sequence: pdu.sequence, messageId: pdu.messageId, messageState: 7 }));
      default:
        stats.genericNacks++;
        return send(c, createPdu('generic_nack', { sequence: pdu.sequence, status: CommandStatus.ESME_RINVCMDID }));
    }
  };

  let down = false;
  const server = net.createServer((socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const c: Conn = { socket, parser: new Parser(), mode: undefined, systemId: '', sequence: 0, submits: 0, waiting: new Map(), stalled: false };
    conns.add(c);
    stats.connections++;
    socket.on('data', (chunk: Buffer) => {
      const arrived = performance.now();
      for (const item of c.parser.parse(chunk)) {
        if (item instanceof PduError) {
          if (c.stalled) continue;
          stats.genericNacks++;
          send(c, createPdu('generic_nack', { sequence: item.sequence, status: item.status }));
          if (item.fatal) socket.end();
          continue;
        }
        onPdu(c, item, arrived);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      bindEnded(c);
      conns.delete(c);
      for (const resolve of c.waiting.values()) resolve(createPdu('generic_nack', { status: CommandStatus.ESME_RSYSERR }));
      c.waiting.clear();
    });
  });

  const sim: Simulator = {
    port: 0,
    host: options.host ?? '127.0.0.1',
    stats,
    submitted,
    arrivals,
    async sendMo(mo) {
      const target = pickReceiver(undefined, mo.systemId);
      if (!target) throw new Error('no receiver or transceiver bind to deliver to');
      const pdu = createPdu('deliver_sm', {
        sourceAddrTon: 1,
        sourceAddrNpi: 1,
        sourceAddr: mo.sourceAddr,
        destinationAddr: mo.destinationAddr,
        esmClass: mo.esmClass ?? 0,
        dataCoding: mo.dataCoding ?? 0,
        shortMessage: mo.shortMessage,
        tlvs: mo.tlvs ?? {},
      } satisfies PduInput<'deliver_sm'>);
      return (await request(target, pdu)) as PduOf<'deliver_sm_resp'>;
    },
    async enquireLink() {
      await Promise.all([...conns].filter((c) => c.mode && !c.stalled).map((c) => request(c, createPdu('enquire_link'))));
    },
    dropConnections() {
      for (const c of conns) c.socket.destroy();
    },
    setDown(value) {
      down = value;
      if (down) for (const c of conns) c.socket.destroy();
    },
    stall() {
      for (const c of conns) stallConn(c);
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of conns) c.socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, sim.host, () => {
      server.off('error', reject);
      (sim as { port: number }).port = (server.address() as net.AddressInfo).port;
      resolve(sim);
    });
  });
}
