/**
 * Liveness and readiness.
 *
 * `GET /healthz` (liveness): 200 whenever the process answers; restart the process when it does not.
 * `GET /readyz` (readiness): 200 while the database accepts writes, 503 `{RetCode: 200, Message: reason}`
 * while it does not (disk full, read-only database, connection lost); route traffic only to ready nodes.
 *
 * Readiness costs no extra writes under traffic: it is the outcome of the main thread's last commit
 * (its session writer's, src/server.ts) when that is under FRESH_MS old; otherwise one probe write
 * (the node's heartbeat row, src/cluster/membership.ts) decides, at most one at a time and, while its
 * answer is fresh, at most one per FRESH_MS. The extra HTTP threads ask the main thread over a
 * BroadcastChannel.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BroadcastChannel } from 'node:worker_threads';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { Services } from '../actions/context.ts';
import type { Config } from '../config.ts';
import { RetCode } from '../sms/errors.ts';
import type { Db } from '../store/db.ts';

/** A write outcome younger than this answers /readyz without a probe. */
export const FRESH_MS = 1_000;
/** A probe write that has not finished after this long makes the node not ready. */
export const PROBE_TIMEOUT_MS = 2_000;

export interface ReadyState {
  ready: boolean;
  reason?: string;
}

/** Whether this node's database accepts writes, from its commits' outcomes and, when they are old, a probe write. */
export class Readiness {
  private last?: { ready: boolean; reason?: string; at: number };
  private probing?: Promise<void>;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = PROBE_TIMEOUT_MS,
  ) {}

  /** Records a commit's outcome. */
  record(ok: boolean, err?: unknown): void {
    this.last = ok ? { ready: true, at: this.now() } : { ready: false, reason: `database write failed: ${describe(err)}`, at: this.now() };
  }

  /** `commit`, its outcome recorded. */
  track<T>(commit: Promise<T>): Promise<T> {
    return commit.then(
      (value) => {
        this.record(true);
        return value;
      },
      (err: unknown) => {
        this.record(false, err);
        throw err;
      },
    );
  }

  async check(): Promise<ReadyState> {
    const asked = this.now();
    if (this.last && asked - this.last.at < FRESH_MS) return this.state();
    this.probing ??= this.probe().then(
      () => this.record(true),
      (err: unknown) => this.record(false, err),
    ).finally(() => (this.probing = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.timeoutMs);
      timer.unref();
    });
    await Promise.race([this.probing, timedOut]);
    clearTimeout(timer);
    // Nothing recorded since the question: the probe is still waiting for the database.
    if (!this.last || this.last.at < asked) return { ready: false, reason: `a database write has not finished within ${this.timeoutMs} ms` };
    return this.state();
  }

  private state(): ReadyState {
    return this.last!.ready ? { ready: true } : { ready: false, reason: this.last!.reason };
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const message = String(e?.message ?? err).split('\n')[0];
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}

/** The main thread's Readiness, by its database handle (src/server.ts attaches it). */
const attached = new WeakMap<Db, Readiness>();

export function attachReadiness(db: Db, readiness: Readiness): void {
  attached.set(db, readiness);
}

type HealthMessage = { type: 'ask'; id: string } | { type: 'answer'; id: string; state: ReadyState };

function healthChannelName(config: Pick<Config, 'dataDir' | 'databaseUrl'>): string {
  return `usms:readiness:${config.databaseUrl ?? config.dataDir}`;
}

/**
 * `/healthz`, `/readyz`, and the operator routes that must reach every thread of the process
 * (http/operator.ts): registered by every HTTP thread's app.
 */
export function registerHealthRoutes<L extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, L>,
  services: Services,
  operatorToken: string,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  const channel = new BroadcastChannel(healthChannelName(services.config));
  (channel as unknown as { unref(): void }).unref();
  const waiting = new Map<string, (state: ReadyState) => void>();
  channel.onmessage = (event) => {
    const msg = (event as { data: HealthMessage }).data;
    if (msg.type === 'answer') {
      waiting.get(msg.id)?.(msg.state);
      return;
    }
    const own = attached.get(services.db);
    if (own) void own.check().then((state) => channel.postMessage({ type: 'answer', id: msg.id, state } satisfies HealthMessage));
  };
  app.addHook('onClose', async () => channel.close());

  /** An extra HTTP thread asks the main thread, which holds the process's Readiness. */
  const ask = () => new Promise<ReadyState>((resolve) => {
    const id = randomUUID();
    const done = (state: ReadyState) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(state);
    };
    const timer = setTimeout(() => done({ ready: false, reason: 'the main thread did not answer the readiness question in time' }), PROBE_TIMEOUT_MS + 500);
    waiting.set(id, done);
    channel.postMessage({ type: 'ask', id } satisfies HealthMessage);
  });

  app.get('/readyz', async (_req, reply) => {
    const own = attached.get(services.db);
    const state = own ? await own.check() : await ask();
    if (state.ready) return { RetCode: 0, Message: 'ready' };
    return reply.code(503).send({ RetCode: RetCode.ServiceUnavailable, Message: `not ready: ${state.reason ?? 'unknown'}` });
  });

}
