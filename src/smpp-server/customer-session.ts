import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { COMMAND_IDS, CommandStatus, DEFAULT_MAX_PDU_LENGTH, INTERFACE_VERSION_34, RESPONSE_BIT, isResponseId, statusName } from '../smpp/constants.ts';
import { Parser, PduError } from '../smpp/parser.ts';
import { createPdu, type Pdu, type PduInput, type PduOf } from '../smpp/pdu.ts';
import { serialize } from '../smpp/serializer.ts';
import { batchWrites } from '../smpp/write-batching.ts';

/**
 * The server side of one customer (ESME) connection: binds, submit_sm in, deliver_sm out, keep-alive and
 * unbind, as SMPP 3.4 has them. Every decision (who may bind, what a submit becomes) is a hook.
 *
 * Statuses it answers on its own:
 * - bind while bound or while another bind is being decided: ESME_RALYBND; a bind hook that throws: ESME_RSYSERR.
 * - submit_sm before bind, on a receiver, or after the client's unbind: ESME_RINVBNDSTS; over the window or
 *   the throughput: ESME_RTHROTTLED; after the server's unbind was sent: ESME_RTHROTTLED (temporary, so the
 *   client retries it elsewhere); a submit hook that rejects: ESME_RSYSERR.
 * - unknown command_id: generic_nack ESME_RINVCMDID; a known request this server does not take (query_sm,
 *   replace_sm, cancel_sm, submit_multi, data_sm, deliver_sm): its own response with ESME_RINVCMDID; outbind,
 *   alert_notification: generic_nack ESME_RINVCMDID; a malformed request: its response (generic_nack if it has
 *   none) with the parser's status; unframeable bytes: generic_nack ESME_RINVCMDLEN, then close.
 * - responses are never answered, not even malformed ones.
 */

export type CustomerBindType = 'transmitter' | 'receiver' | 'transceiver';

export interface BindCredentials {
  systemId: string;
  password: string;
  systemType: string;
  bindType: CustomerBindType;
  interfaceVersion: number;
  remoteAddress: string;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export interface BindGrant {
  /** Unanswered submit_sm allowed on this bind; one more is answered ESME_RTHROTTLED at once. */
  window: number;
  /** submit_sm per second on this bind (0: no cap); over it: ESME_RTHROTTLED. */
  throughput: number;
}

export interface SubmitAnswer {
  status: number;
  messageId?: string;
}

export interface CustomerSessionHooks {
  /** One bind attempt; a number is the command_status to refuse with (ESME_RINVPASWD, ESME_RBINDFAIL, ...). */
  bind(credentials: BindCredentials, session: CustomerSession): Promise<BindGrant | number>;
  /** A submit_sm on a bound transmitter or transceiver; submit_sm_resp is written only when this resolves (a rejection answers ESME_RSYSERR and is logged). */
  submit(pdu: PduOf<'submit_sm'>, session: CustomerSession): Promise<SubmitAnswer>;
  /** After bind_resp (status 0) was written. */
  bound?(session: CustomerSession): void;
  /**
   * The session ended, once (unbind, peer closed, cut off, server close): release what the bind holds.
   * Called after a pending bind hook has settled, so it always follows the bind it would release.
   * `reason`: 'unbind' (the client's), 'server unbind', 'peer closed', 'socket error: ...', 'bind timeout',
   * 'too many refused binds', 'too many bad PDUs', 'protocol error: ...' (unframeable PDU),
   * 'enquire_link unanswered', 'internal error', or what close() was given.
   */
  closed(session: CustomerSession, reason: string): void;
}

export type CustomerSessionLog = Pick<Logger, 'info' | 'warn' | 'debug'>;

export interface CustomerSessionOptions {
  /** system_id in bind_resp (default 'usms'; at most 15 characters). */
  serverSystemId?: string;
  /** A connection that has not bound by then is closed (default 10 s). */
  bindTimeoutMs?: number;
  /** enquire_link sent by the server after this long without traffic; unanswered within responseTimeoutMs: closed (default 30 s; 0 off). */
  enquireLinkMs?: number;
  /** How long a deliver_sm or enquire_link waits for its response (default 10 s); also bounds the waits of an unbind. */
  responseTimeoutMs?: number;
  /** Unanswered deliver_sm at most (default 10); deliver() waits for room. */
  deliverWindow?: number;
  /** Malformed or out-of-state PDUs tolerated before the connection is cut (default 10). */
  maxBadPdus?: number;
  /** Largest accepted command_length (default DEFAULT_MAX_PDU_LENGTH). */
  maxPduLength?: number;
  /** Reading from the client stops while this many bytes wait to be written to it (default 256 KiB). */
  maxWriteBufferBytes?: number;
  /** Refused binds before the connection is closed (default 3). */
  maxBindAttempts?: number;
  /** The clock the throughput cap counts on, in ms (default performance.now). */
  clock?: () => number;
  log?: CustomerSessionLog;
}

export type CustomerSessionState = 'open' | 'bound' | 'closing' | 'closed';

export type CustomerSessionErrorCode = 'TIMEOUT' | 'CLOSED' | 'NOT_RECEIVER' | 'ENCODE';

/** What deliver() rejects with. TIMEOUT and CLOSED: the client may or may not have it; retry later. */
export class CustomerSessionError extends Error {
  constructor(
    message: string,
    readonly code: CustomerSessionErrorCode,
  ) {
    super(message);
    this.name = 'CustomerSessionError';
  }
}

export interface CustomerSessionStats {
  /** submit_sm handed to hooks.submit. */
  submits: number;
  /** submit_sm answered ESME_RTHROTTLED by the window or the throughput cap. */
  throttled: number;
  /** Malformed, unknown, unsupported or out-of-state PDUs. */
  badPdus: number;
  /** deliver_sm written. */
  delivers: number;
  /** deliver_sm answered non-zero, unanswered in time, or lost with the connection. */
  deliverErrors: number;
}

const NOOP_LOG: CustomerSessionLog = { info: () => undefined, warn: () => undefined, debug: () => undefined } as unknown as CustomerSessionLog;
const MAX_SEQUENCE = 0x7fffffff;
const LINGER_MS = 2_000;
const GENERIC_NACK = COMMAND_IDS.generic_nack;

/** SMPP 3.4 requests whose response PDU exists, by command_id (including those this server does not support). */
const REQUESTS_WITH_RESPONSE = new Set<number>([
  0x00000001, // bind_receiver
  0x00000002, // bind_transmitter
  0x00000003, // query_sm
  0x00000004, // submit_sm
  0x00000005, // deliver_sm
  0x00000006, // unbind
  0x00000007, // replace_sm
  0x00000008, // cancel_sm
  0x00000009, // bind_transceiver
  0x00000015, // enquire_link
  0x00000021, // submit_multi
  0x00000103, // data_sm
]);

interface Outgoing {
  command: 'deliver_sm' | 'enquire_link' | 'unbind';
  timer: NodeJS.Timeout;
  resolve: (status: number) => void;
  reject: (err: CustomerSessionError) => void;
}

interface QueuedDeliver {
  pdu: PduOf<'deliver_sm'>;
  resolve: (status: number) => void;
  reject: (err: CustomerSessionError) => void;
}

/**
 * At most `limit` accepted in any second, counted in 10 ms slots over the last 100 of them: memory does not
 * grow with the rate, and a client that keeps to the cap on its own clock is never refused for bunching its
 * sends within the second (a token bucket would refuse any burst beyond its depth).
 */
class SlidingSecond {
  private static readonly SLOT_MS = 10;
  private static readonly SLOTS = 100; // ring() is modulo this
  private readonly counts = new Uint32Array(SlidingSecond.SLOTS);
  private sum = 0;
  private lastSlot = -Infinity;

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Counts one and returns true when there is room in the last second; false (not counted) when full. */
  take(): boolean {
    if (this.limit <= 0) return true;
    const slot = Math.floor(this.now() / SlidingSecond.SLOT_MS);
    if (slot > this.lastSlot) {
      if (slot - this.lastSlot >= SlidingSecond.SLOTS) {
        this.counts.fill(0);
        this.sum = 0;
      } else {
        // The slots that left the window share their ring positions with the ones that entered it.
        for (let s = this.lastSlot + 1; s <= slot; s++) {
          const idx = ring(s);
          this.sum -= this.counts[idx]!;
          this.counts[idx] = 0;
        }
      }
      this.lastSlot = slot;
    }
    if (this.sum >= this.limit) return false;
    this.counts[ring(this.lastSlot)]!++;
    this.sum++;
    return true;
  }
}

function ring(slot: number): number {
  return ((slot % 100) + 100) % 100;
}

function headerOnly(commandId: number, status: number, sequence: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(16, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  return b;
}

function isStatus(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export class CustomerSession {
  readonly id: string = randomUUID();
  readonly remoteAddress: string;
  readonly remotePort: number;
  systemId = '';
  bindType: CustomerBindType | undefined;
  /** What the bind hook granted; undefined until bound. */
  grant: BindGrant | undefined;
  readonly stats: CustomerSessionStats = { submits: 0, throttled: 0, badPdus: 0, delivers: 0, deliverErrors: 0 };

  private readonly o: Required<Omit<CustomerSessionOptions, 'log'>>;
  private readonly log: CustomerSessionLog;
  private readonly parser: Parser;
  private stateValue: CustomerSessionState = 'open';
  /** Why the session is ending, fixed by the first of unbind (either side) or a cut. */
  private endReason: string | undefined;
  private binding = false;
  private closedPending: string | undefined;
  private closedCalled = false;
  private refusedBinds = 0;
  private rate: SlidingSecond | undefined;
  private submitsOpen = 0;
  private sequence = 0;
  private readonly outgoing = new Map<number, Outgoing>();
  private deliversOpen = 0;
  private deliverQueue: QueuedDeliver[] = [];
  private drainWaiters: (() => void)[] = [];
  private bindTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private enquiring = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lastActivity = performance.now();
  private readPaused = false;
  private lastError: Error | undefined;
  private unbinding: Promise<void> | undefined;
  private readonly socketClosed: Promise<void>;

  constructor(
    private readonly socket: net.Socket | tls.TLSSocket,
    private readonly hooks: CustomerSessionHooks,
    options: CustomerSessionOptions = {},
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && k !== 'log'));
    this.o = {
      serverSystemId: 'usms',
      bindTimeoutMs: 10_000,
      enquireLinkMs: 30_000,
      responseTimeoutMs: 10_000,
      deliverWindow: 10,
      maxBadPdus: 10,
      maxPduLength: DEFAULT_MAX_PDU_LENGTH,
      maxWriteBufferBytes: 256 * 1024,
      maxBindAttempts: 3,
      clock: () => performance.now(),
      ...defined,
    };
    if (this.o.serverSystemId.length > 15) throw new RangeError('serverSystemId is longer than 15 characters');
    this.log = options.log ?? NOOP_LOG;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.parser = new Parser({ maxLength: this.o.maxPduLength });
    this.socketClosed = socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));

    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => {
      this.lastError ??= err;
    });
    socket.on('end', () => {
      this.finish('peer closed');
      // A socket that allows half-open connections would otherwise stay open on our side.
      if (!socket.destroyed) socket.end();
    });
    socket.on('close', () => {
      clearTimeout(this.lingerTimer);
      this.finish(this.lastError ? `socket error: ${this.lastError.message}` : 'peer closed');
    });
    if (socket.destroyed) {
      queueMicrotask(() => this.finish('peer closed'));
      return;
    }
    this.bindTimer = setTimeout(() => {
      if (this.stateValue === 'open') this.cut('bind timeout');
    }, this.o.bindTimeoutMs);
    this.bindTimer.unref();
    this.log.debug({ session: this.id, remote: this.remoteAddress }, 'SMPP customer connected');
  }

  get state(): CustomerSessionState {
    return this.stateValue;
  }

  /** Bound as receiver or transceiver. */
  get canReceive(): boolean {
    return this.stateValue === 'bound' && (this.bindType === 'receiver' || this.bindType === 'transceiver');
  }

  /** Bound as transmitter or transceiver. */
  get canTransmit(): boolean {
    return this.stateValue === 'bound' && (this.bindType === 'transmitter' || this.bindType === 'transceiver');
  }

  get submitsInFlight(): number {
    return this.submitsOpen;
  }

  get deliversInFlight(): number {
    return this.deliversOpen;
  }

  /** deliver() calls waiting for room in the deliver window. */
  get deliversQueued(): number {
    return this.deliverQueue.length;
  }

  /**
   * Sends a deliver_sm (sequence number assigned here) and resolves with the client's deliver_sm_resp
   * command_status (a generic_nack's status when it answers with one). Rejects with a CustomerSessionError:
   * TIMEOUT (no answer within responseTimeoutMs) or CLOSED (the session ended before an answer): the client
   * may have it, retry later; NOT_RECEIVER (not bound as receiver or transceiver); ENCODE (cannot be encoded).
   */
  deliver(input: PduInput<'deliver_sm'>): Promise<number> {
    if (this.stateValue !== 'bound') {
      return Promise.reject(new CustomerSessionError(`deliver_sm on a session that is ${this.stateValue}`, this.stateValue === 'open' ? 'NOT_RECEIVER' : 'CLOSED'));
    }
    if (!this.canReceive) return Promise.reject(new CustomerSessionError(`deliver_sm on a ${this.bindType} bind`, 'NOT_RECEIVER'));
    const pdu = createPdu('deliver_sm', { ...input, status: 0, sequence: 0 });
    try {
      serialize(pdu);
    } catch (err) {
      return Promise.reject(new CustomerSessionError(`cannot encode deliver_sm: ${(err as Error).message}`, 'ENCODE'));
    }
    return new Promise((resolve, reject) => {
      this.deliverQueue.push({ pdu, resolve, reject });
      this.pumpDelivers();
    });
  }

  /**
   * Server-initiated unbind (shutdown): submits are no longer taken (answered ESME_RTHROTTLED, so clients
   * retry them), unanswered submits and deliver_sm are waited for (bounded by responseTimeoutMs), then
   * unbind is sent, its unbind_resp waited for (bounded) and the connection closed. Resolves once closed.
   */
  unbind(): Promise<void> {
    if (this.unbinding) return this.unbinding;
    if (this.stateValue === 'closed') return Promise.resolve();
    if (this.stateValue === 'open') {
      this.endReason ??= 'server unbind';
      this.cut('server unbind');
      this.unbinding = this.socketClosed;
      return this.unbinding;
    }
    if (this.stateValue === 'closing') {
      this.unbinding = this.socketClosed;
      return this.unbinding;
    }
    this.beginClosing('server unbind');
    this.unbinding = (async () => {
      await this.whenDrained(true);
      if (this.stateValue === 'closing' && this.socketUsable()) {
        await this.request('unbind', createPdu('unbind')).catch(() => undefined);
      }
      this.end('server unbind');
      await this.socketClosed;
    })();
    return this.unbinding;
  }

  /** Cuts the connection now. */
  close(reason: string): void {
    this.cut(reason);
  }

  // --- reading ------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.stateValue === 'closed') return;
    this.lastActivity = performance.now();
    for (const item of this.parser.parse(chunk)) {
      if ((this.stateValue as CustomerSessionState) === 'closed') return; // an earlier PDU of this chunk ended it
      try {
        if (item instanceof PduError) this.onBadPdu(item);
        else this.onPdu(item);
      } catch (err) {
        // A bug in handling one PDU must not take the process (or any other connection) down.
        this.log.warn({ session: this.id, err }, 'SMPP customer PDU handling failed');
        this.cut('internal error');
        return;
      }
    }
    this.checkBackpressure();
  }

  private onPdu(pdu: Pdu): void {
    if (isResponseId(COMMAND_IDS[pdu.command])) return this.onResponse(pdu);
    switch (pdu.command) {
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        this.onBind(pdu).catch((err: unknown) => {
          this.log.warn({ session: this.id, err }, 'SMPP bind handling failed');
          this.cut('internal error');
        });
        return;
      case 'submit_sm':
        return this.onSubmit(pdu);
      case 'enquire_link':
        return this.write(serialize(createPdu('enquire_link_resp', { sequence: pdu.sequence })));
      case 'unbind':
        return this.onUnbind(pdu.sequence);
      case 'outbind':
        // Sent by an SMSC to an ESME, never the other way; it has no response.
        this.write(headerOnly(GENERIC_NACK, CommandStatus.ESME_RINVCMDID, pdu.sequence));
        return this.bad(`unsupported ${pdu.command}`);
      default:
        // query_sm, data_sm and deliver_sm (an ESME does not deliver to the SMSC).
        this.write(headerOnly(COMMAND_IDS[pdu.command] | RESPONSE_BIT, CommandStatus.ESME_RINVCMDID, pdu.sequence));
        return this.bad(`unsupported ${pdu.command}`);
    }
  }

  private onBadPdu(err: PduError): void {
    if (err.fatal) {
      this.stats.badPdus++;
      this.log.info({ session: this.id, systemId: this.systemId, error: err.message }, 'SMPP customer sent an unframeable PDU; closing');
      this.end(`protocol error: ${err.message}`, headerOnly(GENERIC_NACK, err.status, err.sequence));
      return;
    }
    if (isResponseId(err.commandId)) {
      // Never answer a response: a generic_nack would be read as the answer to the client's own request with
      // that sequence number. An answer to one of ours that cannot be decoded leaves it to its timeout.
      return this.bad(`undecodable response 0x${(err.commandId >>> 0).toString(16)}: ${err.message}`);
    }
    if (REQUESTS_WITH_RESPONSE.has(err.commandId)) {
      // Known request, malformed or unsupported here (replace_sm, cancel_sm, submit_multi): its own response.
      this.write(headerOnly(err.commandId | RESPONSE_BIT, err.status, err.sequence));
    } else {
      this.write(headerOnly(GENERIC_NACK, err.status, err.sequence));
    }
    this.bad(err.message);
  }

  /** Counts one bad or out-of-state PDU; past maxBadPdus the connection is cut (after what was written). */
  private bad(what: string): void {
    this.stats.badPdus++;
    this.log.debug({ session: this.id, systemId: this.systemId, what }, 'SMPP customer sent a bad PDU');
    if (this.stats.badPdus > this.o.maxBadPdus && this.stateValue !== 'closed') {
      this.log.info({ session: this.id, systemId: this.systemId, badPdus: this.stats.badPdus }, 'SMPP customer cut off: too many bad PDUs');
      this.end('too many bad PDUs');
    }
  }

  // --- bind ---------------------------------------------------------------------------

  private async onBind(pdu: PduOf<'bind_transmitter' | 'bind_receiver' | 'bind_transceiver'>): Promise<void> {
    const respId = COMMAND_IDS[pdu.command] | RESPONSE_BIT;
    if (this.stateValue !== 'open' || this.binding) {
      this.write(headerOnly(respId, CommandStatus.ESME_RALYBND, pdu.sequence));
      return this.bad(this.binding ? 'bind while a bind is pending' : 'bind while bound');
    }
    this.binding = true;
    const bindType = pdu.command.slice('bind_'.length) as CustomerBindType;
    const credentials: BindCredentials = {
      systemId: pdu.systemId,
      password: pdu.password,
      systemType: pdu.systemType,
      bindType,
      interfaceVersion: pdu.interfaceVersion,
      remoteAddress: this.remoteAddress,
      addrTon: pdu.addrTon,
      addrNpi: pdu.addrNpi,
      addressRange: pdu.addressRange,
    };
    let result: BindGrant | number;
    try {
      result = await this.hooks.bind(credentials, this);
    } catch (err) {
      this.log.warn({ session: this.id, systemId: pdu.systemId, err }, 'SMPP bind hook failed');
      result = CommandStatus.ESME_RSYSERR;
    }
    this.binding = false;
    if ((this.stateValue as CustomerSessionState) !== 'open') {
      // The connection ended while the hook ran: nothing to answer; `closed` was held back until now.
      this.callClosed();
      return;
    }
    if (typeof result !== 'object' || result === null) {
      const status = isStatus(result) && result !== 0 ? result : CommandStatus.ESME_RBINDFAIL;
      this.refusedBinds++;
      this.log.info({ session: this.id, systemId: pdu.systemId, remote: this.remoteAddress, bindType, status: statusName(status) }, 'SMPP customer bind refused');
      this.write(headerOnly(respId, status, pdu.sequence));
      if (this.refusedBinds >= this.o.maxBindAttempts) this.end('too many refused binds');
      return;
    }
    const window = Number.isFinite(result.window) && result.window >= 1 ? Math.floor(result.window) : 1;
    const throughput = Number.isFinite(result.throughput) && result.throughput > 0 ? result.throughput : 0;
    this.grant = { ...result, window, throughput };
    this.rate = new SlidingSecond(throughput, this.o.clock);
    this.systemId = pdu.systemId;
    this.bindType = bindType;
    this.stateValue = 'bound';
    clearTimeout(this.bindTimer);
    const tlvs = pdu.interfaceVersion >= INTERFACE_VERSION_34 ? { scInterfaceVersion: INTERFACE_VERSION_34 } : {};
    this.write(serialize(createPdu(`${pdu.command}_resp`, { sequence: pdu.sequence, systemId: this.o.serverSystemId, tlvs })));
    this.log.info({ session: this.id, systemId: this.systemId, remote: this.remoteAddress, bindType, window, throughput }, 'SMPP customer bound');
    this.scheduleKeepAlive(this.o.enquireLinkMs);
    try {
      this.hooks.bound?.(this);
    } catch (err) {
      this.log.warn({ session: this.id, err }, 'SMPP bound hook failed');
    }
  }

  // --- submit -------------------------------------------------------------------------

  private onSubmit(pdu: PduOf<'submit_sm'>): void {
    if (this.stateValue === 'closing' && this.endReason === 'server unbind') {
      // Our unbind crossed the client's submit: a temporary status every client retries.
      this.write(headerOnly(COMMAND_IDS.submit_sm_resp, CommandStatus.ESME_RTHROTTLED, pdu.sequence));
      return;
    }
    if (!this.canTransmit) {
      this.write(headerOnly(COMMAND_IDS.submit_sm_resp, CommandStatus.ESME_RINVBNDSTS, pdu.sequence));
      return this.bad(`submit_sm while ${this.stateValue}${this.bindType ? ` as ${this.bindType}` : ''}`);
    }
    if (this.submitsOpen >= this.grant!.window || !this.rate!.take()) {
      this.stats.throttled++;
      this.write(headerOnly(COMMAND_IDS.submit_sm_resp, CommandStatus.ESME_RTHROTTLED, pdu.sequence));
      return;
    }
    this.submitsOpen++;
    this.stats.submits++;
    let answer: Promise<SubmitAnswer>;
    try {
      answer = Promise.resolve(this.hooks.submit(pdu, this));
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer
      .then(
        (a) => this.submitResponse(pdu.sequence, a),
        (err: unknown) => {
          this.log.warn({ session: this.id, systemId: this.systemId, err }, 'SMPP submit hook failed');
          return headerOnly(COMMAND_IDS.submit_sm_resp, CommandStatus.ESME_RSYSERR, pdu.sequence);
        },
      )
      .then((bytes) => {
        this.submitsOpen--;
        if (this.stateValue === 'bound' || this.stateValue === 'closing') {
          this.write(bytes);
          this.checkBackpressure();
        } else {
          this.log.debug({ session: this.id, sequence: pdu.sequence }, 'submit_sm answered after the connection ended');
        }
        this.notifyDrain();
      })
      .catch((err: unknown) => {
        this.log.warn({ session: this.id, err }, 'SMPP submit answer failed');
        this.cut('internal error');
      });
  }

  private submitResponse(sequence: number, a: SubmitAnswer): Buffer {
    const status = a && typeof a === 'object' ? a.status : undefined;
    if (!isStatus(status)) {
      this.log.warn({ session: this.id, systemId: this.systemId }, 'SMPP submit hook answered without a valid status');
      return headerOnly(COMMAND_IDS.submit_sm_resp, CommandStatus.ESME_RSYSERR, sequence);
    }
    if (status !== 0) return headerOnly(COMMAND_IDS.submit_sm_resp, status, sequence);
    try {
      return serialize(createPdu('submit_sm_resp', { sequence, messageId: a.messageId ?? '' }));
    } catch (err) {
      this.log.warn({ session: this.id, systemId: this.systemId, err }, 'SMPP submit hook answered a message id that cannot be encoded');
      return headerOnly(COMMAND_IDS.submit_sm_resp, CommandStatus.ESME_RSYSERR, sequence);
    }
  }

  // --- unbind from the client ---------------------------------------------------------

  private onUnbind(sequence: number): void {
    const resp = serialize(createPdu('unbind_resp', { sequence }));
    if (this.stateValue === 'open') {
      this.endReason = 'unbind';
      this.end('unbind', resp);
      return;
    }
    if (this.stateValue === 'closing') {
      if (this.endReason === 'server unbind') {
        // Both sides unbound at once: answer and finish.
        this.end('server unbind', resp);
        return;
      }
      this.write(headerOnly(COMMAND_IDS.unbind_resp, CommandStatus.ESME_RINVBNDSTS, sequence));
      return this.bad('second unbind');
    }
    this.beginClosing('unbind');
    // Submits already taken are answered before unbind_resp: a client closes on unbind_resp and would read
    // later answers as lost (and resend them).
    void this.whenDrained(false).then(() => this.end('unbind', resp));
  }

  private beginClosing(reason: string): void {
    this.stateValue = 'closing';
    this.endReason = reason;
    this.stopKeepAlive();
    this.failQueuedDelivers();
    this.log.info({ session: this.id, systemId: this.systemId, reason }, 'SMPP customer unbinding');
  }

  /** Resolves when no submit (and, with `delivers`, no deliver_sm) is unanswered, after responseTimeoutMs, or on close. */
  private whenDrained(delivers: boolean): Promise<void> {
    const done = () => this.stateValue === 'closed' || (this.submitsOpen === 0 && (!delivers || this.deliversOpen === 0));
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      let settled = false;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(finish, this.o.responseTimeoutMs);
      const check = () => {
        if (settled) return;
        if (done()) finish();
        else this.drainWaiters.push(check);
      };
      this.drainWaiters.push(check);
    });
  }

  private notifyDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  // --- requests to the client ---------------------------------------------------------

  private pumpDelivers(): void {
    while (this.deliverQueue.length > 0 && this.deliversOpen < this.o.deliverWindow && this.stateValue === 'bound' && !this.readPaused) {
      const item = this.deliverQueue.shift()!;
      this.deliversOpen++;
      this.stats.delivers++;
      this.request('deliver_sm', item.pdu).then(
        (status) => {
          this.deliverDone();
          if (status !== 0) this.stats.deliverErrors++;
          item.resolve(status);
        },
        (err: CustomerSessionError) => {
          this.deliverDone();
          this.stats.deliverErrors++;
          item.reject(err);
        },
      );
    }
  }

  private deliverDone(): void {
    this.deliversOpen--;
    this.notifyDrain();
    this.pumpDelivers();
  }

  private failQueuedDelivers(): void {
    const queued = this.deliverQueue;
    this.deliverQueue = [];
    for (const item of queued) item.reject(new CustomerSessionError('session ended before the deliver_sm was sent', 'CLOSED'));
  }

  /** Writes one request and resolves with its response's command_status. */
  private request(command: Outgoing['command'], pdu: Pdu): Promise<number> {
    if (!this.socketUsable()) return Promise.reject(new CustomerSessionError(`connection closed; ${command} not sent`, 'CLOSED'));
    this.sequence = this.sequence >= MAX_SEQUENCE ? 1 : this.sequence + 1;
    const sequence = this.sequence;
    const bytes = serialize({ ...pdu, sequence, status: 0 } as Pdu);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.outgoing.get(sequence) !== entry) return;
        this.outgoing.delete(sequence);
        reject(new CustomerSessionError(`no ${command}_resp within ${this.o.responseTimeoutMs} ms`, 'TIMEOUT'));
      }, this.o.responseTimeoutMs);
      const entry: Outgoing = { command, timer, resolve, reject };
      this.outgoing.set(sequence, entry);
      this.write(bytes);
    });
  }

  private onResponse(pdu: Pdu): void {
    const p = this.outgoing.get(pdu.sequence);
    const expected = p && `${p.command}_resp`;
    if (!p || (pdu.command !== expected && pdu.command !== 'generic_nack')) {
      if (pdu.command === 'deliver_sm_resp' || pdu.command === 'enquire_link_resp' || pdu.command === 'unbind_resp' || pdu.command === 'generic_nack') {
        // Late (after its timeout) or for nothing we sent.
        this.log.debug({ session: this.id, command: pdu.command, sequence: pdu.sequence }, 'SMPP customer response matches no request');
        return;
      }
      return this.bad(`unexpected ${pdu.command}`);
    }
    clearTimeout(p.timer);
    this.outgoing.delete(pdu.sequence);
    p.resolve(pdu.command === 'generic_nack' && pdu.status === 0 ? CommandStatus.ESME_RINVCMDID : pdu.status);
  }

  // --- keep-alive ---------------------------------------------------------------------

  private scheduleKeepAlive(ms: number): void {
    if (this.o.enquireLinkMs <= 0 || this.stateValue !== 'bound') return;
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = setTimeout(() => this.keepAlive(), Math.max(1, ms));
    this.keepAliveTimer.unref();
  }

  private keepAlive(): void {
    this.keepAliveTimer = undefined;
    if (this.stateValue !== 'bound' || this.enquiring) return;
    const idle = performance.now() - this.lastActivity;
    if (idle < this.o.enquireLinkMs) return this.scheduleKeepAlive(this.o.enquireLinkMs - idle);
    this.enquiring = true;
    this.request('enquire_link', createPdu('enquire_link')).then(
      () => {
        this.enquiring = false;
        this.scheduleKeepAlive(this.o.enquireLinkMs);
      },
      (err: CustomerSessionError) => {
        this.enquiring = false;
        if (err.code === 'TIMEOUT') {
          this.log.info({ session: this.id, systemId: this.systemId }, 'SMPP customer did not answer enquire_link; closing');
          this.cut('enquire_link unanswered');
        }
      },
    );
  }

  private stopKeepAlive(): void {
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  // --- writing and backpressure -------------------------------------------------------

  private socketUsable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  private write(bytes: Buffer): void {
    if (!this.socketUsable()) return;
    batchWrites(this.socket);
    this.socket.write(bytes);
  }

  /** A client that does not read its answers is not read either: the server holds at most about maxWriteBufferBytes for it. */
  private checkBackpressure(): void {
    if (this.readPaused || this.stateValue === 'closed') return;
    if (this.socket.writableLength >= this.o.maxWriteBufferBytes) {
      this.readPaused = true;
      this.socket.pause();
      this.log.debug({ session: this.id, buffered: this.socket.writableLength }, 'SMPP customer not reading; reading paused');
    }
  }

  private onDrain(): void {
    // The client read what we wrote: it is alive, even if it had nothing to send.
    this.lastActivity = performance.now();
    if (!this.readPaused || this.stateValue === 'closed') return;
    this.readPaused = false;
    this.socket.resume();
    this.pumpDelivers();
  }

  // --- ending -------------------------------------------------------------------------

  /** Writes `last` (if any), half-closes, and destroys the socket if the client has not closed within the linger time. */
  private end(reason: string, last?: Buffer): void {
    if (this.stateValue === 'closed') return;
    if (last) this.write(last);
    this.finish(reason);
    if (this.socket.destroyed) return;
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), Math.min(LINGER_MS, this.o.responseTimeoutMs));
    this.lingerTimer.unref();
  }

  /** Destroys the connection now. */
  private cut(reason: string): void {
    this.finish(reason);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** The session is over: everything pending fails, hooks.closed runs (once the bind hook is not running). */
  private finish(reason: string): void {
    if (this.stateValue === 'closed') return;
    const wasBound = this.stateValue === 'bound' || this.stateValue === 'closing';
    this.stateValue = 'closed';
    const finalReason = this.endReason ?? reason;
    this.endReason = finalReason;
    clearTimeout(this.bindTimer);
    this.stopKeepAlive();
    for (const [seq, p] of this.outgoing) {
      clearTimeout(p.timer);
      this.outgoing.delete(seq);
      p.reject(new CustomerSessionError(`connection closed before the ${p.command}_resp (${finalReason})`, 'CLOSED'));
    }
    this.failQueuedDelivers();
    this.notifyDrain();
    if (this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
    this.log.info({ session: this.id, systemId: this.systemId, remote: this.remoteAddress, reason: finalReason, wasBound }, 'SMPP customer session closed');
    this.closedPending = finalReason;
    if (!this.binding) this.callClosed();
  }

  private callClosed(): void {
    if (this.closedCalled || this.closedPending === undefined) return;
    this.closedCalled = true;
    try {
      this.hooks.closed(this, this.closedPending);
    } catch (err) {
      this.log.warn({ session: this.id, err }, 'SMPP closed hook failed');
    }
  }
}

/** Serves one accepted connection (TCP or TLS) as an SMPP customer session. */
export function serveCustomer(socket: net.Socket | tls.TLSSocket, hooks: CustomerSessionHooks, options?: CustomerSessionOptions): CustomerSession {
  return new CustomerSession(socket, hooks, options);
}
