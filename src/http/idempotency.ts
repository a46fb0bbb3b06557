import { createHash } from 'node:crypto';
import type { Services } from '../actions/context.ts';
import { actionSpecs } from '../actions/registry.ts';
import { RetCode, UsmsError } from '../sms/errors.ts';
import {
  answerIdempotencyClaim, claimIdempotencyKey, findIdempotencyRecord, IdempotencyConflict, PENDING_ANSWER, pruneIdempotencyRecords,
  releaseIdempotencyClaim, takeOverIdempotencyClaim, type FoundRecord, type IdempotencyRecord,
} from '../store/idempotency.ts';
import { InsufficientBalance, SessionWriter, type NewSession } from '../store/sessions.ts';

/**
 * Idempotent requests. A request that carries an `Idempotency-Key` header (any dialect) or,
 * in the uSpeedo dialect, an `X-Nonce`, is answered once per API key: a repeat with the same body
 * within 24 h gets the first answer verbatim and sends nothing; the same key with another body is refused.
 *
 * - The answer is recorded in the transaction that writes the sessions it reports (the action's session
 *   writes are staged, then committed with the record), so a crash cannot leave a send without its record.
 * - Duplicates in this process wait for the running first request (in-flight map); across processes and
 *   HTTP threads the record's primary key decides, and the loser's sessions are never written.
 * - Actions that write directly (templates, signatures, a pull, which deletes what it answers) cannot
 *   commit with the record, so they claim the key first (a pending record) and run only if they got it.
 *   A duplicate elsewhere waits for the answer (up to CLAIM_WAIT_MS, then a retryable 18004). A claim
 *   pending longer than STALE_CLAIM_MS is taken to be its holder's crash and is taken over: the one
 *   window in which such an action can run twice is a crash between its writes and its answer.
 * - Transient failures (service errors, internal errors) are not recorded, so a retry runs again.
 */

/** The answer shape shared by the dialects: RetCode, Message and fields, in answer order. */
export type KeyedAnswer = { RetCode: number; Message: string; [field: string]: unknown };

export interface KeyedRequest {
  publicKey: string;
  accountId: number;
  /** 'header': Idempotency-Key; 'nonce': uSpeedo X-Nonce. */
  kind: 'header' | 'nonce';
  key: string;
  /** requestHash() of what the request asks for. */
  hash: string;
  /** Look the key up before running; false when the caller knows the key is fresh (the DB still arbitrates). */
  lookup: boolean;
  /** The action writes more than the staged sessions: claim the key before it runs. */
  claim: boolean;
}

/**
 * Whether a keyed `action` must claim its key before running (KeyedRequest.claim): it writes as it runs
 * (ActionSpec.writes). Sends stage their sessions instead; reads have nothing to do twice.
 */
export function claimsKey(action: unknown): boolean {
  return typeof action === 'string' && Object.hasOwn(actionSpecs, action) && actionSpecs[action]!.writes === 'direct';
}

/** Marks an answer replayed from the store (non-enumerable: never serialized). */
const REPLAYED = Symbol('idempotent-replay');

export function isReplay(answer: object): boolean {
  return (answer as { [REPLAYED]?: boolean })[REPLAYED] === true;
}

const MAX_KEY_LENGTH = 255;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
/** How long a duplicate waits for the answer of a request that claimed its key elsewhere. */
const CLAIM_WAIT_MS = 5_000;
const CLAIM_POLL_MS = 25;
/** A claim pending this long is taken over: its holder is presumed dead (no request runs this long). */
const STALE_CLAIM_MS = 60_000;
/** Answers to retry, never to replay: the request did nothing. */
const TRANSIENT = new Set<number>([RetCode.ServiceError, 18007, RetCode.ServiceUnavailable, RetCode.RestServerError]);

/** The Idempotency-Key header, checked: 1-255 visible ASCII characters. */
export function idempotencyKeyHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new UsmsError(RetCode.InvalidParameter, `Invalid parameter [Idempotency-Key]: 1 to ${MAX_KEY_LENGTH} visible ASCII characters`);
  }
  return value;
}

/** sha256 of the scope (dialect, action or route) and the params in canonical JSON (keys sorted). */
export function requestHash(scope: string, params: unknown): string {
  return createHash('sha256').update(scope).update('\n').update(canonicalJson(params)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) parts.push(JSON.stringify(k) + ':' + canonicalJson(obj[k]));
  return '{' + parts.join(',') + '}';
}

/** Collects an action's session writes instead of writing them; they commit with the answer's record. */
class StagedSessions extends SessionWriter {
  readonly sessions: NewSession[] = [];
  private readonly afterCommit: Array<() => void> = [];
  override writeMany(sessions: NewSession[]): Promise<void> {
    this.sessions.push(...sessions);
    return Promise.resolve();
  }

  override afterWrite(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** The staged sessions were committed (or will never be). */
  settled(): void {
    for (const fn of this.afterCommit.splice(0)) fn();
  }
}

export class IdempotencyGuard {
  private readonly inFlight = new Map<string, { hash: string; done: Promise<KeyedAnswer> }>();
  private lastPrune = 0;

  constructor(private readonly services: Services) {}

  /**
   * Runs `exec` once for this key: `exec` gets the services to use (their writer stages sessions) and
   * returns the answer; `errorAnswer` turns a UsmsError it throws into the dialect's answer (recorded).
   */
  async run(
    req: KeyedRequest,
    exec: (services: Services) => Promise<KeyedAnswer>,
    errorAnswer: (err: UsmsError) => KeyedAnswer,
  ): Promise<KeyedAnswer> {
    const recordKey = (req.kind === 'header' ? 'k:' : 'n:') + req.key;
    const mapKey = req.publicKey + '\u0000' + recordKey;
    const running = this.inFlight.get(mapKey);
    if (running) {
      if (running.hash !== req.hash) throw mismatch(req.kind);
      return replayed(await running.done);
    }
    let settle!: { resolve: (a: KeyedAnswer) => void; reject: (e: unknown) => void };
    const done = new Promise<KeyedAnswer>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // waiters handle it; nobody may be waiting
    this.inFlight.set(mapKey, { hash: req.hash, done });
    try {
      const answer = await this.once(req, recordKey, exec, errorAnswer);
      settle.resolve(answer);
      return answer;
    } catch (err) {
      settle.reject(err);
      throw err;
    } finally {
      this.inFlight.delete(mapKey);
    }
  }

  private async once(
    req: KeyedRequest,
    recordKey: string,
    exec: (services: Services) => Promise<KeyedAnswer>,
    errorAnswer: (err: UsmsError) => KeyedAnswer,
  ): Promise<KeyedAnswer> {
    if (req.claim) return this.claimed(req, recordKey, exec, errorAnswer);
    const { db } = this.services;
    if (req.lookup) {
      const found = await findIdempotencyRecord(db, req.publicKey, recordKey);
      if (found) return this.stored(req, found);
    }
    const stage = new StagedSessions(db);
    try {
      return await this.stageAndCommit(req, recordKey, stage, exec, errorAnswer);
    } finally {
      stage.settled();
    }
  }

  /** Runs `exec` with its writes staged, then commits them with the answer's record. */
  private async stageAndCommit(
    req: KeyedRequest,
    recordKey: string,
    stage: StagedSessions,
    exec: (services: Services) => Promise<KeyedAnswer>,
    errorAnswer: (err: UsmsError) => KeyedAnswer,
  ): Promise<KeyedAnswer> {
    const { db, writer } = this.services;
    let answer: KeyedAnswer;
    try {
      answer = await exec({ ...this.services, writer: stage });
    } catch (err) {
      if (!(err instanceof UsmsError) || TRANSIENT.has(err.retCode)) throw err;
      answer = errorAnswer(err);
    }
    if (TRANSIENT.has(answer.RetCode) && stage.sessions.length === 0) return answer;
    const record: IdempotencyRecord = {
      publicKey: req.publicKey,
      key: recordKey,
      accountId: req.accountId,
      requestHash: req.hash,
      answer: JSON.stringify(answer),
      createdAt: Date.now(),
    };
    try {
      await writer.commit(stage.sessions, record);
    } catch (err) {
      // Refused whole and not recorded: the same key may be sent again after a top-up.
      if (err instanceof InsufficientBalance) return errorAnswer(new UsmsError(RetCode.InsufficientBalance, err.message));
      if (!(err instanceof IdempotencyConflict)) throw err;
      // Another process (or an earlier life of this one) answered this key first: answer as it did.
      const found = await findIdempotencyRecord(db, req.publicKey, recordKey);
      if (!found) throw err;
      return this.stored(req, found);
    }
    this.maybePrune(record.createdAt);
    return answer;
  }

  /** Claim first, then run (for actions that write directly), or wait for the claim's holder. */
  private async claimed(
    req: KeyedRequest,
    recordKey: string,
    exec: (services: Services) => Promise<KeyedAnswer>,
    errorAnswer: (err: UsmsError) => KeyedAnswer,
  ): Promise<KeyedAnswer> {
    const { db } = this.services;
    const claim = { publicKey: req.publicKey, key: recordKey, accountId: req.accountId, requestHash: req.hash, createdAt: Date.now() };
    const until = claim.createdAt + CLAIM_WAIT_MS;
    while (!(await claimIdempotencyKey(db, claim))) {
      const found = await this.awaitAnswer(req, recordKey, until);
      if (!found) continue; // released meanwhile (its request did nothing): claim it again
      if (found.answer !== PENDING_ANSWER) return this.stored(req, found);
      if (await takeOverIdempotencyClaim(db, req.publicKey, recordKey, found.createdAt)) break;
    }
    let answer: KeyedAnswer;
    try {
      answer = await exec(this.services);
    } catch (err) {
      if (!(err instanceof UsmsError) || TRANSIENT.has(err.retCode)) {
        // The request's own error is the answer; a claim that cannot be released is taken over once stale.
        await releaseIdempotencyClaim(db, req.publicKey, recordKey)
          .catch((releaseErr) => this.services.log.warn({ err: releaseErr }, 'could not release an idempotency claim'));
        throw err;
      }
      answer = errorAnswer(err);
    }
    if (TRANSIENT.has(answer.RetCode)) await releaseIdempotencyClaim(db, req.publicKey, recordKey);
    else await answerIdempotencyClaim(db, req.publicKey, recordKey, JSON.stringify(answer));
    this.maybePrune(claim.createdAt);
    return answer;
  }

  /**
   * The record of a key claimed elsewhere once it has an answer, or once its claim is stale (returned
   * pending, to be taken over); undefined if it was released. Still pending at `until`: 18004, retry.
   */
  private async awaitAnswer(req: KeyedRequest, recordKey: string, until: number): Promise<FoundRecord | undefined> {
    for (;;) {
      const found = await findIdempotencyRecord(this.services.db, req.publicKey, recordKey);
      if (found && found.requestHash !== req.hash) throw mismatch(req.kind);
      if (!found || found.answer !== PENDING_ANSWER || Date.now() - found.createdAt > STALE_CLAIM_MS) return found;
      if (Date.now() > until) throw inProgress(req.kind);
      await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
    }
  }

  private stored(req: KeyedRequest, found: { requestHash: string; answer: string }): KeyedAnswer {
    if (found.requestHash !== req.hash) throw mismatch(req.kind);
    if (found.answer === PENDING_ANSWER) throw inProgress(req.kind);
    return replayed(JSON.parse(found.answer) as KeyedAnswer);
  }

  private maybePrune(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    pruneIdempotencyRecords(this.services.db, now).catch((err) => this.services.log.warn({ err }, 'pruning idempotency records failed'));
  }
}

function replayed(answer: KeyedAnswer): KeyedAnswer {
  const copy = { ...answer };
  Object.defineProperty(copy, REPLAYED, { value: true, enumerable: false });
  return copy;
}

/** The key's first request is still running elsewhere: retry (a transient error, never recorded). */
function inProgress(kind: KeyedRequest['kind']): UsmsError {
  return new UsmsError(RetCode.ServiceError, `a request with this ${kind === 'nonce' ? 'X-Nonce' : 'Idempotency-Key'} is still being processed; retry it later`);
}

/**
 * The same key with a different request. A reused X-Nonce stays what it always was, a replay (171);
 * a reused Idempotency-Key is an invalid parameter (18003; REST v1 215392).
 */
function mismatch(kind: KeyedRequest['kind']): UsmsError {
  return kind === 'nonce'
    ? new UsmsError(RetCode.SignatureInvalid, 'X-Nonce was already used with a different request body: replayed request refused')
    : new UsmsError(
        RetCode.InvalidParameter,
        'Invalid parameter [Idempotency-Key]: this key was already used with a different request within 24 hours; use a new key for a new request',
      );
}

/**
 * A REST v1 route with an optional `Idempotency-Key` header: `run` gets the context to use. The hash
 * covers method, route, query and body; errors are recorded in REST codes.
 */
export async function keyedRest<C extends { caller: { publicKey: string; accountId: number }; services: Services }>(
  guard: IdempotencyGuard,
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined>; query: unknown; body: unknown },
  action: string,
  ctx: C,
  run: (ctx: C) => Promise<Record<string, unknown>>,
  toRestCode: (code: number) => number,
): Promise<Record<string, unknown>> {
  const key = idempotencyKeyHeader(req.headers['idempotency-key']);
  if (key === undefined) return run(ctx);
  const route = req.url.split('?')[0];
  return guard.run(
    {
      publicKey: ctx.caller.publicKey,
      accountId: ctx.caller.accountId,
      kind: 'header',
      key,
      hash: requestHash(`rest ${req.method} ${route}`, { query: req.query ?? {}, body: req.body ?? null }),
      lookup: true,
      claim: claimsKey(action),
    },
    (services) => run({ ...ctx, services }) as Promise<KeyedAnswer>,
    (err) => ({ RetCode: toRestCode(err.retCode), Message: err.message }),
  );
}
