import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { COMMAND_IDS, CommandStatus, INTERFACE_VERSION_34, isResponseId, isTemporaryStatus } from './constants.ts';
import { SmppBindError, SmppConnectionError, SmppError, SmppStatusError, SmppTimeoutError } from './errors.ts';
import { Parser, PduError } from './parser.ts';
import { createPdu, responseName, type Pdu, type PduInput, type PduOf, type RequestName, type ResponseOf } from './pdu.ts';
import { serialize } from './serializer.ts';
import { TokenBucket } from './token-bucket.ts';
import { batchWrites } from './write-batching.ts';

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';
export type SessionState = 'idle' | 'connecting' | 'binding' | 'bound' | 'closing' | 'closed';

export interface SessionOptions {
  host: string;
  port: number;
  /** true, or node:tls options, to connect over TLS. */
  tls?: boolean | tls.ConnectionOptions;
  mode?: BindMode;
  systemId: string;
  password: string;
  systemType?: string;
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
  /** enquire_link period; 0 disables. Default 30 000. */
  enquireLinkMs?: number;
  /** Max unanswered submit_sm / data_sm / query_sm. Default 50. */
  windowSize?: number;
  /** Per-PDU response timeout, counted from the write. Default 10 000. */
  responseTimeoutMs?: number;
  /**
   * After a response timeout the bind stops writing and sends enquire_link at once; unanswered within this
   * long, the link is taken for dead: the connection is dropped and rebound. Default 5 000.
   */
  probeTimeoutMs?: number;
  /** How long a request may wait for a bind or window space before failing unwritten. Default 60 000. */
  queueTimeoutMs?: number;
  /** Messages per second cap for this bind; 0 = unlimited (default). */
  rate?: number;
  /** The clock the rate cap counts on, in ms (default performance.now; tests read or drive it). */
  clock?: () => number;
  /** After ESME_RTHROTTLED / ESME_RMSGQFUL the rate is halved for this long. Default 10 000. */
  throttleRecoveryMs?: number;
  /** Reconnect (and rebind) after a lost connection or a failed attempt. Default true. */
  reconnect?: boolean;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  maxPduLength?: number;
}

export type InboundPdu = PduOf<'deliver_sm'> | PduOf<'data_sm'>;

interface Pending {
  command: RequestName;
  windowed: boolean;
  timer: NodeJS.Timeout;
  resolve: (pdu: Pdu) => void;
  reject: (err: Error) => void;
}

interface Queued {
  command: 'submit_sm' | 'data_sm' | 'query_sm';
  pdu: Pdu;
  /** The encoded PDU (from the enqueue check); the sequence is stamped in when it is written. */
  bytes: Buffer;
  timer: NodeJS.Timeout;
  done: boolean;
  resolve: (pdu: Pdu) => void;
  reject: (err: Error) => void;
}

const MAX_SEQUENCE = 0x7fffffff;

/**
 * Client-side (ESME) SMPP session: one TCP/TLS connection, one bind, a window of unanswered
 * requests, a rate cap, keep-alive and reconnection.
 *
 * Events: 'bound' (bind resp), 'disconnected' (Error), 'reconnecting' ({ attempt, delayMs }),
 * 'deliver_sm' / 'data_sm' (pdu; a listener may return a promise: the response is sent once all
 * listeners settle, ESME_RX_T_APPN if one failed so the SMSC redelivers), 'throttled'
 * ({ status, rate }), 'probing' ({ after, timeoutMs }: a response timed out, the link is being checked),
 * 'protocolError' (PduError). Never emits 'error'.
 */
export class Session extends EventEmitter {
  private readonly o: Required<Omit<SessionOptions, 'tls' | 'addressRange' | 'systemType' | 'clock'>> & Pick<SessionOptions, 'tls' | 'clock'> & { systemType: string; addressRange: string };
  private stateValue: SessionState = 'idle';
  private socket: net.Socket | undefined;
  private sequence = 0;
  private readonly pending = new Map<number, Pending>();
  private windowUsed = 0;
  private queue: Queued[] = [];
  private queueHead = 0;
  private readonly bucket: TokenBucket;
  private pumpTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private enquireOutstanding = false;
  /** A response timed out on this connection: nothing is written until enquire_link is answered. */
  private probing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private open = false;
  private lastError: Error | undefined;
  private firstBind: { resolve: (resp: Pdu) => void; reject: (err: Error) => void } | undefined;
  private drainWaiters: (() => void)[] = [];
  private lastHalving = -Infinity;
  private sentThisSecond = 0;
  private sentLastSecond = 0;
  private secondStart = 0;

  constructor(options: SessionOptions) {
    super();
    this.o = {
      mode: 'transceiver',
      systemType: '',
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
      enquireLinkMs: 30_000,
      windowSize: 50,
      responseTimeoutMs: 10_000,
      probeTimeoutMs: 5_000,
      queueTimeoutMs: 60_000,
      rate: 0,
      throttleRecoveryMs: 10_000,
      reconnect: true,
      reconnectMinMs: 1_000,
      reconnectMaxMs: 30_000,
      connectTimeoutMs: 10_000,
      maxPduLength: 64 * 1024,
      ...stripUndefined(options),
    };
    this.bucket = new TokenBucket(this.o.rate, this.o.clock);
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** Unanswered windowed requests on the current connection. */
  get inFlight(): number {
    return this.windowUsed;
  }

  /** Bound and writing: not probing a link that left a request unanswered. */
  get sending(): boolean {
    return this.stateValue === 'bound' && !this.probing;
  }

  /** Requests waiting for a bind, window space or a rate token. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** The rate cap in force now (lowered after throttling); 0 = unlimited. */
  get currentRate(): number {
    return this.bucket.currentRate;
  }

  /**
   * Connects and binds. Resolves with the bind response on the first successful bind. With
   * `reconnect` (default) failed attempts are retried with backoff and the promise waits; without
   * it, the first failure rejects.
   */
  connect(): Promise<Pdu> {
    if (this.open) return Promise.reject(new SmppError('connect() was already called', 'SMPP_CLOSED', false, false));
    this.open = true;
    return new Promise((resolve, reject) => {
      this.firstBind = { resolve, reject };
      this.startAttempt();
    });
  }

  submit(input: PduInput<'submit_sm'>): Promise<PduOf<'submit_sm_resp'>> {
    return this.enqueue('submit_sm', createPdu('submit_sm', input)) as Promise<PduOf<'submit_sm_resp'>>;
  }

  dataSm(input: PduInput<'data_sm'>): Promise<PduOf<'data_sm_resp'>> {
    return this.enqueue('data_sm', createPdu('data_sm', input)) as Promise<PduOf<'data_sm_resp'>>;
  }

  querySm(input: PduInput<'query_sm'>): Promise<PduOf<'query_sm_resp'>> {
    return this.enqueue('query_sm', createPdu('query_sm', input)) as Promise<PduOf<'query_sm_resp'>>;
  }

  /**
   * Stops reconnecting, fails queued (unwritten) requests, lets in-flight ones finish (each
   * bounded by its timeout), then unbinds and closes the connection.
   */
  async close(): Promise<void> {
    if (this.stateValue === 'closed' || this.stateValue === 'idle') {
      this.stateValue = 'closed';
      return;
    }
    this.open = false;
    clearTimeout(this.reconnectTimer);
    this.failQueue(() => new SmppError('session closed before the request was sent', 'SMPP_CLOSED', false, false));
    this.firstBind?.reject(new SmppError('session closed before binding', 'SMPP_CLOSED', false, false));
    this.firstBind = undefined;
    const socket = this.socket;
    if (!socket) {
      this.stateValue = 'closed';
      return;
    }
    if (this.stateValue === 'bound') {
      this.stateValue = 'closing';
      this.stopEnquireLink();
      if (this.windowUsed > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
      if (this.socket === socket && !socket.destroyed) {
        await this.request('unbind', createPdu('unbind')).catch(() => undefined);
      }
    }
    await this.endSocket(socket);
    this.stateValue = 'closed';
  }

  // --- connection lifecycle -------------------------------------------------------------

  private startAttempt(): void {
    this.stateValue = 'connecting';
    this.lastError = undefined;
    const { host, port } = this.o;
    const socket = this.o.tls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(typeof this.o.tls === 'object' ? this.o.tls : {}) })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    const parser = new Parser({ maxLength: this.o.maxPduLength });
    const connectTimer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${this.o.connectTimeoutMs} ms`)), this.o.connectTimeoutMs);
    socket.once(this.o.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      this.bind(socket);
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, parser, chunk));
    socket.on('error', (err) => {
      this.lastError ??= err;
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.onClose(socket);
    });
  }

  private bind(socket: net.Socket): void {
    this.stateValue = 'binding';
    const command = `bind_${this.o.mode}` as const;
    const pdu = createPdu(command, {
      systemId: this.o.systemId,
      password: this.o.password,
      systemType: this.o.systemType,
      interfaceVersion: INTERFACE_VERSION_34,
      addrTon: this.o.addrTon,
      addrNpi: this.o.addrNpi,
      addressRange: this.o.addressRange,
    });
    this.request(command, pdu).then(
      (resp) => {
        if (this.socket !== socket) return;
        this.stateValue = 'bound';
        this.attempt = 0;
        this.startEnquireLink(socket);
        this.emit('bound', resp);
        this.firstBind?.resolve(resp);
        this.firstBind = undefined;
        this.pump();
      },
      (err: Error) => {
        const status = err instanceof SmppStatusError ? err.status : undefined;
        this.lastError = new SmppBindError(`${command} failed: ${err.message}`, status);
        socket.destroy();
      },
    );
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.probing = false;
    this.stopEnquireLink();
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const reason = this.lastError ?? new Error('connection closed by peer');
    for (const [seq, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(seq);
      p.reject(new SmppConnectionError(`connection lost before the ${p.command} response: ${reason.message}`, true));
    }
    this.windowUsed = 0;
    this.notifyDrain();
    const wasBound = this.stateValue === 'bound' || this.stateValue === 'closing';
    if (this.stateValue !== 'closing') this.emit('disconnected', reason);
    if (!this.open) {
      this.stateValue = 'closed';
      return;
    }
    if (!this.o.reconnect) {
      this.open = false;
      this.stateValue = 'closed';
      this.firstBind?.reject(reason);
      this.firstBind = undefined;
      this.failQueue(() => new SmppConnectionError(`not sent: ${reason.message}`, false));
      return;
    }
    if (wasBound) this.attempt = 0;
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectMinMs * 2 ** this.attempt);
    const delayMs = Math.round(base / 2 + (Math.random() * base) / 2);
    this.attempt++;
    this.stateValue = 'connecting';
    this.emit('reconnecting', { attempt: this.attempt, delayMs, error: reason });
    this.reconnectTimer = setTimeout(() => {
      if (this.open) this.startAttempt();
    }, delayMs);
  }

  private endSocket(socket: net.Socket): Promise<void> {
    if (socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 2_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  // --- keep-alive -----------------------------------------------------------------------

  private startEnquireLink(socket: net.Socket): void {
    this.stopEnquireLink();
    if (this.o.enquireLinkMs <= 0) return;
    this.enquireTimer = setInterval(() => {
      if (this.enquireOutstanding || this.socket !== socket) return;
      this.enquireOutstanding = true;
      this.request('enquire_link', createPdu('enquire_link')).then(
        () => {
          this.enquireOutstanding = false;
        },
        (err: Error) => {
          this.enquireOutstanding = false;
          if (err instanceof SmppTimeoutError && this.socket === socket) {
            this.lastError = new Error('enquire_link unanswered: link considered dead');
            socket.destroy();
          }
        },
      );
    }, this.o.enquireLinkMs);
    this.enquireTimer.unref();
  }

  /**
   * A request went unanswered: the SMSC may have stopped answering while the connection stays up (it reads
   * and answers nothing). Writing stops at once, so at most the window in flight is lost, and enquire_link
   * asks whether anyone is there; unanswered within probeTimeoutMs, the connection is dropped and rebound
   * (requests not written yet wait for the new bind).
   */
  private probe(socket: net.Socket, after: RequestName): void {
    if (this.probing || this.socket !== socket || this.stateValue !== 'bound') return;
    this.probing = true;
    this.emit('probing', { after, timeoutMs: this.o.probeTimeoutMs });
    this.request('enquire_link', createPdu('enquire_link'), false, undefined, this.o.probeTimeoutMs).then(
      () => {
        if (this.socket !== socket || !this.probing) return;
        this.probing = false;
        this.pump();
      },
      (err: Error) => {
        if (this.socket !== socket || !(err instanceof SmppTimeoutError)) return;
        this.lastError = new Error(`no response to ${after} within ${this.o.responseTimeoutMs} ms and none to enquire_link within ${this.o.probeTimeoutMs} ms: link considered dead`);
        socket.destroy();
      },
    );
  }

  private stopEnquireLink(): void {
    clearInterval(this.enquireTimer);
    this.enquireTimer = undefined;
    this.enquireOutstanding = false;
  }

  // --- sending --------------------------------------------------------------------------

  private enqueue(command: Queued['command'], pdu: Pdu): Promise<Pdu> {
    if (!this.open || this.stateValue === 'closing') {
      return Promise.reject(new SmppError('session is not open', 'SMPP_CLOSED', false, false));
    }
    let bytes: Buffer;
    try {
      bytes = serialize({ ...pdu, status: 0 } as Pdu); // fail fast, unwritten, on values that cannot be encoded
    } catch (err) {
      return Promise.reject(new SmppError(`cannot encode ${command}: ${(err as Error).message}`, 'SMPP_ENCODE', false, false));
    }
    return new Promise((resolve, reject) => {
      const item: Queued = { command, pdu, bytes, resolve, reject, done: false, timer: undefined as unknown as NodeJS.Timeout };
      item.timer = setTimeout(() => {
        item.done = true;
        reject(new SmppError(`${command} waited ${this.o.queueTimeoutMs} ms for a bind or window space`, 'SMPP_QUEUE_TIMEOUT', false, true));
      }, this.o.queueTimeoutMs);
      this.queue.push(item);
      this.pump();
    });
  }

  private pump(): void {
    if (this.stateValue !== 'bound' || !this.socket || this.pumpTimer || this.probing) return;
    while (this.queueHead < this.queue.length && this.windowUsed < this.o.windowSize) {
      const item = this.queue[this.queueHead]!;
      if (item.done) {
        this.queueHead++;
        continue;
      }
      const wait = this.bucket.take();
      if (wait > 0) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, Math.max(1, Math.ceil(wait)));
        break;
      }
      this.queueHead++;
      item.done = true;
      clearTimeout(item.timer);
      this.countSend();
      this.request(item.command, item.pdu, true, item.bytes).then((resp) => item.resolve(resp as Pdu), item.reject);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private failQueue(makeError: () => Error): void {
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const item = this.queue[i]!;
      if (item.done) continue;
      item.done = true;
      clearTimeout(item.timer);
      item.reject(makeError());
    }
    this.queue = [];
    this.queueHead = 0;
  }

  /** Writes one request now (no queue) and waits for its response. `encoded`: the PDU already serialized. */
  private request<C extends RequestName>(command: C, pdu: Pdu, windowed = false, encoded?: Buffer, timeoutMs = this.o.responseTimeoutMs): Promise<ResponseOf<C>> {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) {
      return Promise.reject(new SmppConnectionError(`not connected; ${command} not sent`, false));
    }
    this.sequence = this.sequence >= MAX_SEQUENCE ? 1 : this.sequence + 1;
    const sequence = this.sequence;
    let bytes: Buffer;
    try {
      if (encoded) {
        bytes = encoded;
        bytes.writeUInt32BE(sequence, 12); // header: length, id, status, sequence
      } else {
        bytes = serialize({ ...pdu, sequence, status: 0 } as Pdu);
      }
    } catch (err) {
      return Promise.reject(new SmppError(`cannot encode ${command}: ${(err as Error).message}`, 'SMPP_ENCODE', false, false));
    }
    return new Promise<ResponseOf<C>>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.get(sequence) !== entry) return;
        if (windowed) this.probe(socket, command); // before settle(): the freed slot must not be refilled
        this.settle(sequence);
        reject(new SmppTimeoutError(command, timeoutMs));
      }, timeoutMs);
      const entry: Pending = { command, windowed, timer, resolve: resolve as (pdu: Pdu) => void, reject };
      this.pending.set(sequence, entry);
      if (windowed) this.windowUsed++;
      // Under a rate cap each submit leaves when the cap allowed it: held to the end of the tick, it would
      // reach the SMSC later than the time the cap counted (bunched with later ones).
      if (!windowed || this.bucket.currentRate === 0) batchWrites(socket);
      socket.write(bytes);
    });
  }

  private settle(sequence: number): Pending | undefined {
    const p = this.pending.get(sequence);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(sequence);
    if (p.windowed) {
      this.windowUsed--;
      if (this.windowUsed === 0) this.notifyDrain();
      queueMicrotask(() => this.pump());
    }
    return p;
  }

  private notifyDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private countSend(): void {
    const now = performance.now();
    if (now - this.secondStart >= 1000) {
      this.sentLastSecond = now - this.secondStart < 2000 ? this.sentThisSecond : 0;
      this.sentThisSecond = 0;
      this.secondStart = now;
    }
    this.sentThisSecond++;
  }

  /** Halves the rate (at most once a second) and restores the configured rate after a quiet period. */
  private slowDown(status: number): void {
    const now = performance.now();
    if (now - this.lastHalving < 1000) return;
    this.lastHalving = now;
    const base = this.bucket.currentRate || Math.max(this.sentLastSecond, this.sentThisSecond, this.o.windowSize);
    const rate = Math.max(1, Math.floor(base / 2));
    this.bucket.setRate(rate);
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = setTimeout(() => {
      this.bucket.setRate(this.o.rate);
      this.pump();
    }, this.o.throttleRecoveryMs);
    this.recoveryTimer.unref();
    this.emit('throttled', { status, rate });
  }

  // --- receiving ------------------------------------------------------------------------

  private onData(socket: net.Socket, parser: Parser, chunk: Buffer): void {
    if (this.socket !== socket) return;
    for (const item of parser.parse(chunk)) {
      if (item instanceof PduError) {
        this.onBadPdu(socket, item);
        continue;
      }
      if (isResponseId(COMMAND_IDS[item.command])) {
        this.onResponse(item);
        continue;
      }
      switch (item.command) {
        case 'enquire_link':
          this.writeResponse(socket, createPdu('enquire_link_resp', { sequence: item.sequence }));
          break;
        case 'unbind':
          this.writeResponse(socket, createPdu('unbind_resp', { sequence: item.sequence }));
          this.lastError = new Error('peer unbound');
          socket.end();
          break;
        case 'deliver_sm':
        case 'data_sm':
          void this.onInbound(socket, item);
          break;
        default:
          this.writeResponse(socket, createPdu('generic_nack', { sequence: item.sequence, status: CommandStatus.ESME_RINVCMDID }));
      }
    }
  }

  private onResponse(pdu: Pdu): void {
    const p = this.settle(pdu.sequence);
    if (!p) return; // late (after its timeout) or unsolicited
    const expected = responseName(p.command);
    if (pdu.status !== 0) {
      if (isTemporaryStatus(pdu.status)) this.slowDown(pdu.status);
      p.reject(new SmppStatusError(pdu.status, p.command));
    } else if (pdu.command !== expected) {
      p.reject(new SmppStatusError(CommandStatus.ESME_RSYSERR, `${p.command} (answered with ${pdu.command})`));
    } else {
      p.resolve(pdu);
    }
  }

  private onBadPdu(socket: net.Socket, err: PduError): void {
    this.emit('protocolError', err);
    if (isResponseId(err.commandId)) {
      // A response we cannot decode still answers its request; its header status is all we know.
      const p = this.settle(err.sequence);
      p?.reject(new SmppStatusError(CommandStatus.ESME_RSYSERR, `${p.command} (undecodable response: ${err.message})`));
    }
    const nack = serialize(createPdu('generic_nack', { sequence: err.sequence, status: err.status }));
    if (err.fatal) {
      this.lastError = new Error(`protocol error: ${err.message}`);
      socket.end(nack);
      setTimeout(() => socket.destroy(), 1_000).unref();
    } else {
      socket.write(nack);
    }
  }

  private async onInbound(socket: net.Socket, pdu: InboundPdu): Promise<void> {
    let status: number = CommandStatus.ESME_ROK;
    try {
      await Promise.all(this.listeners(pdu.command).map((fn) => fn.call(this, pdu)));
    } catch {
      status = CommandStatus.ESME_RX_T_APPN;
    }
    const resp = pdu.command === 'deliver_sm' ? createPdu('deliver_sm_resp', { sequence: pdu.sequence, status }) : createPdu('data_sm_resp', { sequence: pdu.sequence, status });
    // If the connection changed meanwhile the SMSC will redeliver: answering on a new bind would be wrong.
    if (this.socket === socket) this.writeResponse(socket, resp);
  }

  private writeResponse(socket: net.Socket, pdu: Pdu): void {
    if (socket.destroyed || !socket.writable) return;
    batchWrites(socket);
    socket.write(serialize(pdu));
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
