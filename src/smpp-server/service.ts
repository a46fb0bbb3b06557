import type { Logger } from 'pino';
import type { ActionContext, Services } from '../actions/context.ts';
import { submitFromSmpp, type SmppContentMode } from '../actions/smpp-submit.ts';
import { verifySmppPassword } from '../operator/smpp-users.ts';
import { CommandStatus } from '../smpp/constants.ts';
import type { PduOf } from '../smpp/pdu.ts';
import { decodeShortMessage } from '../smpp/short-message-text.ts';
import { getAccount } from '../store/accounts.ts';
import { openRelaxedDatabase, type Db } from '../store/db.ts';
import { acquireSmppBind, releaseSmppBind, reportSmppBinds } from '../store/smpp-users.ts';
import type { BindCredentials, BindGrant, CustomerSession, CustomerSessionHooks, SubmitAnswer } from './customer-session.ts';
import { SmppOutboxPump } from './outbox-pump.ts';
import { PartAssembler } from './reassembly.ts';
import { smppStatusFor } from './refusals.ts';

/** Unanswered deliver_sm a bind may have: receipts flow at the customer's pace, not one round trip at a time. */
export const SMPP_DELIVER_WINDOW = 100;

/** How long a bind's lease lasts without renewal: a node that dies frees its users' binds after this. */
export const SMPP_BIND_LEASE_MS = 15_000;
/** Failed binds of one system_id, or from one address, tolerated within FAILURE_WINDOW_MS; further tries are refused unchecked. */
const MAX_BIND_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;
/** Password checks at once on a node: each costs a memory-hard hash, so a flood of binds is refused, not queued. */
const MAX_CONCURRENT_CHECKS = 4;

/** A part of a long message waiting for the rest: how to answer it, and whether it asked for a receipt. */
interface HeldPart {
  answer: (answer: SubmitAnswer) => void;
  receipt: boolean;
}

/** What a bound session holds: its user, its lease, and the parts of long messages still arriving. */
interface BoundUser {
  userId: number;
  accountId: number;
  region: string;
  bindId: number;
  mode: SmppContentMode;
  allowedSources: string[];
  parts: PartAssembler<HeldPart>;
  /** Submits counted at the last renewal, for the rate shown by `usms smpp status`. */
  lastSubmits: number;
  lastAt: number;
}

/**
 * The SMPP server's decisions for one node: who may bind (password, revocation, binds at once across the
 * cluster through leases in the store), what a submit becomes (a message through the API's own send
 * path, answered once stored), and which bind gets each customer's receipts (SmppOutboxPump). The
 * protocol itself is customer-session.ts; this file only translates.
 */
export class SmppService {
  private readonly bound = new Map<string, BoundUser>();
  private readonly sessions = new Map<string, CustomerSession>();
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly pump: SmppOutboxPump;
  private readonly pumpDb: Db;
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private checking = 0;

  constructor(
    private readonly services: Services,
    private readonly node: string,
    private readonly log: Logger,
  ) {
    // Its marks may be lost to a power cut without harm (the receipt is sent again): commits need not wait for the disk.
    this.pumpDb = openRelaxedDatabase(services.config);
    this.pump = new SmppOutboxPump(this.pumpDb, node, log);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), 1_000);
    this.timer.unref();
    this.pump.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.sessions.values()].map((s) => s.unbind().catch(() => s.close('server stopping'))));
    await this.pump.stop();
    await this.pumpDb.destroy();
  }

  /** Sessions bound on this node (for `smpp status`). */
  boundSessions(): Array<{ session: CustomerSession; userId: number; accountId: number }> {
    return [...this.bound].map(([id, b]) => ({ session: this.sessions.get(id)!, userId: b.userId, accountId: b.accountId })).filter((s) => s.session);
  }

  readonly hooks: CustomerSessionHooks = {
    bind: (credentials, session) => this.bind(credentials, session),
    submit: (pdu, session) => this.submit(pdu, session),
    bound: (session) => {
      const b = this.bound.get(session.id);
      if (b && session.canReceive) this.pump.addReceiver(b.userId, session);
    },
    closed: (session, reason) => this.closed(session, reason),
  };

  private async bind(c: BindCredentials, session: CustomerSession): Promise<BindGrant | number> {
    const now = Date.now();
    // Failures count per system_id and per client address, so neither guessing one user's password nor
    // trying many system_ids from one address gets more than a few hashes a minute.
    const keys = [`id:${c.systemId}`, `ip:${c.remoteAddress}`];
    if (keys.some((k) => this.tooManyFailures(k, now)) || this.checking >= MAX_CONCURRENT_CHECKS) {
      this.log.warn({ systemId: c.systemId, remote: c.remoteAddress }, 'SMPP bind refused: too many failed or concurrent binds');
      return CommandStatus.ESME_RBINDFAIL;
    }
    this.checking++;
    let user: Awaited<ReturnType<typeof verifySmppPassword>>;
    try {
      user = await verifySmppPassword(this.services.db, c.systemId, c.password);
    } finally {
      this.checking--;
    }
    if (!user) {
      for (const k of keys) this.countFailure(k, now);
      this.log.info({ systemId: c.systemId, remote: c.remoteAddress }, 'SMPP bind refused: unknown system_id, wrong password or revoked');
      return CommandStatus.ESME_RINVPASWD;
    }
    this.failures.delete(keys[0]!);
    const account = await getAccount(this.services.db, user.accountId);
    if (!account || user.suspended) {
      this.log.info({ systemId: c.systemId, accountId: user.accountId }, 'SMPP bind refused: the account is not active');
      return CommandStatus.ESME_RBINDFAIL;
    }
    const bindId = await acquireSmppBind(this.services.db, {
      userId: user.id, maxBinds: user.maxBinds, node: this.node, bindType: c.bindType, remote: c.remoteAddress, leaseMs: SMPP_BIND_LEASE_MS,
    });
    if (bindId === undefined) {
      this.log.info({ systemId: c.systemId, maxBinds: user.maxBinds }, 'SMPP bind refused: the user has all its binds');
      return CommandStatus.ESME_RBINDFAIL;
    }
    // A connection lost while this ran gets `closed` only after this returns: that releases the lease.
    this.sessions.set(session.id, session);
    this.bound.set(session.id, {
      userId: user.id, accountId: user.accountId, region: account.region, bindId, mode: user.smppContent === 'free' ? 'free' : 'template',
      allowedSources: user.allowedSources, parts: new PartAssembler(), lastSubmits: 0, lastAt: Date.now(),
    });
    return { window: user.window, throughput: user.throughput };
  }

  private async submit(pdu: PduOf<'submit_sm'>, session: CustomerSession): Promise<SubmitAnswer> {
    const b = this.bound.get(session.id);
    if (!b) return { status: CommandStatus.ESME_RINVBNDSTS };
    let decoded: ReturnType<typeof decodeShortMessage>;
    try {
      decoded = decodeShortMessage(pdu, false);
    } catch {
      return { status: CommandStatus.ESME_RINVMSGLEN };
    }
    const receipt = (pdu.registeredDelivery & 0x03) !== 0;
    if (!decoded.concat) return this.store(b, pdu, decoded.text, receipt);
    // A part of a long message: answered when the whole message is stored (or refused).
    const key = `${pdu.sourceAddr}\u0000${pdu.destinationAddr}\u0000${decoded.concat.ref}`;
    return new Promise<SubmitAnswer>((resolve) => {
      const added = b.parts.add(key, decoded.concat!, decoded.text, { answer: resolve, receipt });
      if ('refused' in added) {
        this.log.info({ systemId: session.systemId, reason: added.refused }, 'SMPP part refused');
        resolve({ status: CommandStatus.ESME_RSUBMITFAIL });
      } else if (added.done) {
        // Clients ask for the receipt on one part (Kannel on the first): the message wants one if any part did.
        const stored = this.store(b, pdu, added.text, added.tokens.some((t) => t.receipt));
        for (const part of added.tokens) void stored.then(part.answer, () => part.answer({ status: CommandStatus.ESME_RSYSERR }));
      }
    });
  }

  /** One whole message through the send path; the answer carries the usms message id (the SessionNo). */
  private async store(b: BoundUser, pdu: PduOf<'submit_sm'>, text: string, receipt: boolean): Promise<SubmitAnswer> {
    const ctx: ActionContext = {
      caller: { accountId: b.accountId, projectId: '', region: b.region, publicKey: '' },
      dialect: 'uspeedo',
      reqUuid: '',
      services: this.services,
    };
    const international = pdu.destAddrTon === 1 && !pdu.destinationAddr.startsWith('+');
    const result = await submitFromSmpp(ctx, {
      text,
      source: pdu.sourceAddr,
      phone: international ? `+${pdu.destinationAddr}` : pdu.destinationAddr,
      receipt,
      smppUserId: b.userId,
      allowedSources: b.allowedSources,
      mode: b.mode,
    });
    if (result.ok) return { status: CommandStatus.ESME_ROK, messageId: result.sessionNo };
    this.log.info({ userId: b.userId, retCode: result.retCode, reason: result.reason }, 'SMPP submit refused');
    return { status: smppStatusFor(result.retCode, result.reason) };
  }

  /** A bind's live counters as `usms smpp status` shows them (JSON). */
  private statsOf(sessionId: string, b: BoundUser, now: number): string | undefined {
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    const st = session.stats;
    const perSecond = now > b.lastAt ? Math.round(((st.submits - b.lastSubmits) * 1000) / (now - b.lastAt)) : 0;
    b.lastSubmits = st.submits;
    b.lastAt = now;
    return JSON.stringify({
      WindowUsed: session.submitsInFlight, Window: session.grant?.window ?? 0, RateLimit: session.grant?.throughput ?? 0, SubmitsPerSecond: perSecond,
      Submits: st.submits, Throttled: st.throttled, BadPdus: st.badPdus, Delivers: st.delivers, DeliverErrors: st.deliverErrors, DeliversInFlight: session.deliversInFlight,
    });
  }

  private tooManyFailures(key: string, now: number): boolean {
    const f = this.failures.get(key);
    return f !== undefined && now - f.since < FAILURE_WINDOW_MS && f.count >= MAX_BIND_FAILURES;
  }

  private countFailure(key: string, now: number): void {
    const f = this.failures.get(key);
    if (f && now - f.since < FAILURE_WINDOW_MS) f.count++;
    else this.failures.set(key, { count: 1, since: now });
    // Bounded: old entries go once the map grows (a flood of addresses cannot grow it without end).
    if (this.failures.size > 10_000) {
      for (const [k, v] of this.failures) if (now - v.since >= FAILURE_WINDOW_MS) this.failures.delete(k);
    }
  }

  private closed(session: CustomerSession, reason: string): void {
    const b = this.bound.get(session.id);
    this.sessions.delete(session.id);
    if (!b) return;
    this.bound.delete(session.id);
    this.pump.removeReceiver(b.userId, session);
    this.log.info({ systemId: session.systemId, reason }, 'SMPP customer unbound');
    releaseSmppBind(this.services.db, b.bindId).catch((err) => this.log.warn({ err }, 'SMPP bind lease not released: it expires'));
  }

  /** Every second: bind leases renewed, and parts of long messages that never completed answered. */
  private async tick(): Promise<void> {
    const now = Date.now();
    for (const b of this.bound.values()) {
      for (const part of b.parts.expire(now)) part.answer({ status: CommandStatus.ESME_RSUBMITFAIL });
    }
    if (this.renewing || this.bound.size === 0) return;
    this.renewing = true;
    try {
      const held = [...this.bound];
      const reports = held.map(([id, b]) => ({ id: b.bindId, stats: this.statsOf(id, b, now) }));
      const renewed = new Set(await reportSmppBinds(this.services.db, this.node, reports, SMPP_BIND_LEASE_MS));
      // A lease that is gone was revoked with its user (or ran out while this node stalled): that bind ends.
      for (const [id, b] of held) {
        if (!renewed.has(b.bindId)) this.sessions.get(id)?.close('the SMPP user was revoked or its bind lease ran out');
      }
    } catch (err) {
      this.log.warn({ err }, 'SMPP bind leases not renewed');
    } finally {
      this.renewing = false;
    }
  }
}
