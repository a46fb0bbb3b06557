import type { Logger } from 'pino';
import { newCarrierCounters, type AcceptedPart, type PriorPart, type Receipt } from '../sms/carrier-events.ts';
import { statusName } from '../smpp/constants.ts';
import { SmppError, SmppStatusError } from '../smpp/errors.ts';
import { isReceipt, normalizeMessageId, parseReceipt, type Receipt as SmppReceipt } from '../smpp/receipt.ts';
import { Session, type BindMode, type InboundPdu, type SessionOptions } from '../smpp/session.ts';
import type { Carrier, CarrierEvents, CarrierState, Failure, OutboundMessage, SubmitResult } from './carrier.ts';
import { ConcatRefs } from './concat-refs.ts';
import { PerSecond } from './per-second.ts';
import { decodeMo } from './smpp-inbound.ts';
import type { SmppSettings } from '../smpp/bind-settings.ts';
import { buildParts, destinationAddress, planMessage, sourceAddress, submitPdu, type EncodingOptions, type MessagePlan } from './smpp-message.ts';

export interface SmppCarrierOptions {
  log: Logger;
  /** How long a submit may wait for a bind or window space before it is requeued (keep below the lease). */
  queueTimeoutMs: number;
  /** Upper bound for the per-PDU response timeout (keep below the lease). */
  maxResponseTimeoutMs: number;
  /** Session overrides (tests: reconnect delays). */
  session?: Partial<SessionOptions>;
}

const RECEIPT_TEXT: Record<string, string> = {
  DELIVRD: 'delivered to the handset',
  UNDELIV: 'undeliverable',
  EXPIRED: 'validity period expired',
  DELETED: 'deleted by the carrier',
  REJECTD: 'rejected by the network',
  UNKNOWN: 'the carrier does not know the outcome',
  ACCEPTD: 'accepted by the carrier',
  ENROUTE: 'on its way',
};

/** enquire_link after a response timeout: unanswered this long (at most the response timeout), the bind is dropped and rebound. */
const PROBE_TIMEOUT_MS = 5_000;


/**
 * A carrier reached over SMPP 3.4 with our own stack (smpp/session.ts): one transceiver bind, or
 * a transmitter plus a receiver bind. Every message is planned (encoding, split, reference), its
 * parts submitted concurrently within the bind's window, and each accepted part of a longer message
 * reported with its carrier id (the delivery loop stores it, so receipts are matched per part).
 *
 * Outcomes per message: every part accepted -> sent. Otherwise the worst part decides: a permanent
 * error (any command_status but ESME_RTHROTTLED / ESME_RMSGQFUL) -> failed with the ESME name as
 * the code; a written PDU without an answer (timeout, lost connection) -> unknown, never resent
 * unless the carrier is at-least-once; anything never written, or throttled -> temporary (requeued;
 * the session halves its rate). A requeued message resends only the parts not accepted yet, with
 * the same concatenation reference.
 */
export class SmppCarrier implements Carrier {
  readonly name: string;
  readonly kind = 'smpp';
  readonly atLeastOnce: boolean;
  readonly capacity: Carrier['capacity'];
  private tx!: Session;
  private rx: Session | undefined;
  private readonly refs = new ConcatRefs();
  private readonly enc: EncodingOptions;
  private events: CarrierEvents = { receipts: async () => {}, inbound: async () => {} };
  private readonly moWrites = new Set<Promise<unknown>>();
  private readonly counters = newCarrierCounters();
  private lastError = '';
  private readonly second = new PerSecond();
  private startedAt = 0;
  private stopped = false;

  constructor(
    readonly config: SmppSettings,
    private readonly o: SmppCarrierOptions,
  ) {
    this.name = config.name;
    this.atLeastOnce = config.policy === 'at-least-once';
    this.capacity = { window: config.window, prefetch: config.prefetch, throughput: config.throughput };
    this.enc = { gsmPacking: config.gsmPacking, latin1: config.latin1, split: config.split };
  }

  /** Binds in the background (a carrier that is down must not hold up the others); reconnects forever. */
  async start(events: CarrierEvents): Promise<void> {
    this.events = events;
    this.startedAt = Date.now();
    const c = this.config;
    const responseTimeoutMs = Math.min(c.responseTimeoutMs, this.o.maxResponseTimeoutMs);
    const base: SessionOptions = {
      host: c.host,
      port: c.port,
      tls: c.tls,
      systemId: c.systemId,
      password: c.password,
      systemType: c.systemType,
      windowSize: c.window,
      rate: c.throughput,
      responseTimeoutMs,
      // After a response timeout: how long enquire_link may take before the link is taken for dead.
      probeTimeoutMs: Math.min(PROBE_TIMEOUT_MS, responseTimeoutMs),
      queueTimeoutMs: this.o.queueTimeoutMs,
      enquireLinkMs: c.enquireLinkMs,
      ...this.o.session,
    };
    const mode: BindMode = c.bindType === 'transmitter+receiver' ? 'transmitter' : c.bindType;
    this.tx = this.wire(new Session({ ...base, mode }));
    if (c.bindType === 'transmitter+receiver') this.rx = this.wire(new Session({ ...base, mode: 'receiver', windowSize: 1, rate: 0 }));
    for (const s of this.sessions()) {
      s.connect().catch((err: Error) => {
        if (!this.stopped) this.lastError = err.message;
      });
    }
  }

  private sessions(): Session[] {
    return this.rx ? [this.tx, this.rx] : [this.tx];
  }

  private wire(s: Session): Session {
    const log = this.o.log.child({ carrier: this.name });
    s.on('bound', () => log.info({ mode: this.config.bindType }, 'SMPP bound'));
    s.on('disconnected', (err: Error) => {
      this.lastError = err.message;
      if (!this.stopped) log.warn({ err: err.message }, 'SMPP connection lost');
    });
    s.on('reconnecting', (e: { attempt: number; delayMs: number; error: Error }) => {
      this.counters.reconnects++;
      this.lastError = e.error.message;
    });
    s.on('probing', (e: { after: string; timeoutMs: number }) => log.warn(e, 'SMPP response timed out: writing paused, probing the link'));
    s.on('throttled', (e: { status: number; rate: number }) => log.warn(e, 'carrier throttled us; rate lowered'));
    s.on('protocolError', (err: Error) => log.warn({ err: err.message }, 'SMPP protocol error'));
    // The deliver_sm_resp goes out once this settles: receipts and replies are stored first.
    s.on('deliver_sm', (pdu: InboundPdu) => this.onInboundPdu(pdu));
    s.on('data_sm', (pdu: InboundPdu) => this.onInboundPdu(pdu));
    return s;
  }

  // ---- submitting --------------------------------------------------------------------------------

  /**
   * Claim only while the transmitting bind is up and writing (not probing a link that left a submit
   * unanswered): an outage must not burn the messages' attempts, nor a stalled SMSC swallow more of them.
   */
  ready(): boolean {
    return this.tx?.sending ?? false;
  }

  /**
   * Plans the messages and starts their parts through the window right away; one promise per message.
   * A retried message resumes: the parts the carrier already accepted (`priorParts`) are not sent again.
   */
  async submit(messages: OutboundMessage[]): Promise<Array<Promise<SubmitResult>>> {
    return messages.map((m) => {
      const p = this.prepare(m, m.priorParts);
      if ('result' in p) return Promise.resolve(p.result);
      const parts: AcceptedPart[] = [];
      return this.send(m, p, parts).then((result) => ({ ...result, parts, dropPrior: p.drop || undefined, resumed: p.done.size > 0 || undefined }));
    });
  }

  backlog(): number {
    return this.tx?.queued ?? 0;
  }

  private prepare(m: OutboundMessage, prior: PriorPart[]): Prepared | { result: SubmitResult } {
    let plan: MessagePlan;
    try {
      plan = planMessage(m.content, this.enc);
    } catch (err) {
      return { result: { ok: false, kind: 'permanent', code: 'ENCODING', desc: (err as Error).message } };
    }
    const source = sourceAddress(m.sender, this.config.sourceAddr, m.extendCode);
    if ('error' in source) return { result: { ok: false, kind: 'permanent', code: 'ESME_RINVSRCADR', desc: source.error } };
    const destination = destinationAddress(m.e164);
    const total = plan.chunks.length;
    // Resume a message some of whose parts the carrier already has: same reference, missing parts only.
    const resumable = prior.length > 0 && prior.every((p) => p.carrier === this.name && p.total === total);
    const done = new Map<number, string>(resumable ? prior.map((p) => [p.partNo, p.carrierMsgId]) : []);
    let ref = 0;
    if (resumable) {
      ref = prior[0]!.ref;
      if (plan.refBits) this.refs.hold(destination.addr, ref);
    } else if (plan.refBits) {
      const got = this.refs.acquire(destination.addr, plan.refBits);
      if (got === undefined) {
        return { result: { ok: false, kind: 'temporary', code: 'REF_BUSY', desc: 'every concatenation reference to this number is in flight', uncounted: true } };
      }
      ref = got;
    }
    return { plan, source, destination, ref, done, drop: prior.length > 0 && !resumable };
  }

  private async send(m: OutboundMessage, p: Prepared, accepted: AcceptedPart[]): Promise<SubmitResult> {
    const parts = buildParts(p.plan, p.ref, this.enc).filter((part) => !p.done.has(part.partNo));
    const inputs = { source: p.source, destination: p.destination, serviceType: this.config.serviceType, dataCoding: p.plan.dataCoding, registeredDelivery: 1 };
    const settled = await Promise.allSettled(parts.map((part) => this.submitPart(submitPdu(part, inputs))));
    if (p.plan.refBits) this.refs.release(p.destination.addr, p.ref);
    const ids = new Map(p.done);
    let failure: Failure | undefined;
    settled.forEach((s, i) => {
      const part = parts[i]!;
      if (s.status === 'fulfilled') {
        const carrierMsgId = normalizeMessageId(s.value, this.config.idFormat.resp);
        ids.set(part.partNo, carrierMsgId);
        // One part: its id is the message's own carrier id (store/message-parts.ts).
        if (part.total > 1) accepted.push({ messageId: m.id, partNo: part.partNo, total: part.total, carrierMsgId, ref: p.ref, e164: m.e164 });
      } else {
        failure = worse(failure, this.classify(s.reason as Error, part.partNo, part.total));
      }
    });
    if (failure) return failure;
    return { ok: true, carrierMsgId: ids.get(1) ?? [...ids.values()][0]! };
  }

  private async submitPart(pdu: Parameters<Session['submit']>[0]): Promise<string> {
    this.counters.submitted++;
    const resp = await this.tx.submit(pdu);
    this.counters.accepted++;
    this.second.add();
    return resp.messageId;
  }

  private classify(err: Error, partNo: number, total: number): Failure {
    const where = total > 1 ? `part ${partNo}/${total}: ` : '';
    this.counters.errors++;
    this.lastError = where + err.message;
    if (err instanceof SmppStatusError) {
      const code = statusName(err.status);
      if (err.temporary) {
        this.counters.throttled++;
        return { ok: false, kind: 'temporary', code, desc: `${where}carrier asked us to slow down (${code})`, uncounted: true };
      }
      return { ok: false, kind: 'permanent', code, desc: `${where}carrier refused the message (${code})` };
    }
    if (err instanceof SmppError) {
      if (err.outcomeUnknown) {
        this.counters.unknown++;
        return { ok: false, kind: 'unknown', code: 'UNKNOWN', desc: `${where}${err.message}: the carrier may or may not have it` };
      }
      if (err.code === 'SMPP_ENCODE') return { ok: false, kind: 'permanent', code: 'ENCODING', desc: where + err.message };
      return { ok: false, kind: 'temporary', code: err.code, desc: `${where}not sent: ${err.message}` };
    }
    this.counters.unknown++;
    return { ok: false, kind: 'unknown', code: 'UNKNOWN', desc: `${where}${err.message}` };
  }

  // ---- inbound -----------------------------------------------------------------------------------

  private async onInboundPdu(pdu: InboundPdu): Promise<void> {
    if (isReceipt(pdu)) {
      const r = parseReceipt(pdu);
      if (!r) {
        this.o.log.warn({ carrier: this.name }, 'receipt without a message id ignored');
        return;
      }
      this.counters.receipts++;
      // receipted_message_id repeats the submit_sm_resp spelling; the text id may use another.
      const format = pdu.tlvs.receiptedMessageId ? this.config.idFormat.resp : this.config.idFormat.receipt;
      const receipt: Receipt = { carrierMsgId: normalizeMessageId(r.messageId, format), code: r.stat, desc: describeReceipt(r), at: Date.now() };
      await this.events.receipts([receipt]);
      return;
    }
    const mo = decodeMo(pdu, this.config.gsmPacking);
    // Stored (a part: kept until the message is whole) before the deliver_sm_resp goes out.
    await this.trackMo(this.events.inbound({ source: pdu.sourceAddr, destination: pdu.destinationAddr, sourceTon: pdu.sourceAddrTon, text: mo.text, receivedAt: Date.now(), concat: mo.concat }));
    this.counters.inbound++;
  }

  private trackMo<T>(p: Promise<T>): Promise<T> {
    this.moWrites.add(p);
    const done = () => this.moWrites.delete(p);
    p.then(done, done);
    return p;
  }

  // ---- status and stop ---------------------------------------------------------------------------

  status(): CarrierState {
    const sessions = this.sessions();
    const states = sessions.map((s) => s.state);
    const state = states.every((s) => s === 'bound') ? 'bound' : states.some((s) => s === 'bound') ? 'partly bound' : states.includes('closed') ? 'closed' : 'connecting';
    const now = Date.now();
    const perSecond = this.second.rate(now);
    return {
      state,
      binds: JSON.stringify(sessions.map((s, i) => ({ mode: i === 0 ? (this.rx ? 'transmitter' : this.config.bindType) : 'receiver', state: s.state }))),
      window_used: this.tx.inFlight,
      window_size: this.config.window,
      queued: this.tx.queued,
      rate_limit: Math.floor(this.tx.currentRate),
      sent_per_second: perSecond,
      ...this.counters,
      last_error: this.lastError.slice(0, 500),
    };
  }

  get started(): number {
    return this.startedAt;
  }

  /** Waits for in-flight submits (each bounded by its timeout), unbinds, closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.tx) return;
    await Promise.allSettled([...this.moWrites]);
    await Promise.all(this.sessions().map((s) => s.close()));
  }
}

interface Prepared {
  plan: MessagePlan;
  source: ReturnType<typeof destinationAddress>;
  destination: ReturnType<typeof destinationAddress>;
  ref: number;
  /** Parts the carrier already accepted in an earlier attempt: part number -> carrier id. */
  done: Map<number, string>;
  /** Earlier parts exist but cannot be resumed (another carrier or split): forget them. */
  drop: boolean;
}

const SEVERITY: Record<Failure['kind'], number> = { temporary: 0, unknown: 1, permanent: 2 };

/** The worse of two part failures; a pause stays uncounted only if every temporary failure was one. */
function worse(a: Failure | undefined, b: Failure): Failure {
  if (!a) return b;
  if (SEVERITY[b.kind] !== SEVERITY[a.kind]) return SEVERITY[b.kind] > SEVERITY[a.kind] ? b : a;
  return a.uncounted && !b.uncounted ? b : a;
}

function describeReceipt(r: SmppReceipt): string {
  const text = RECEIPT_TEXT[r.stat] ?? r.stat;
  const raw = r.rawStat && r.rawStat.toUpperCase() !== r.stat ? ` [${r.rawStat}]` : '';
  return r.err && !/^0+$/.test(r.err) ? `${text}${raw} (err ${r.err})` : `${text}${raw}`;
}
