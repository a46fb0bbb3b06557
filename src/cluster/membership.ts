import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';

export const HEARTBEAT_MS = 5_000;
/** A node whose heartbeat is older than this is considered gone. */
export const NODE_TIMEOUT_MS = 3 * HEARTBEAT_MS;

export interface NodeInfo {
  id: string;
  role: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
}

/**
 * This process's entry in the `nodes` table, refreshed every few seconds, and the count of live API
 * nodes: per-key rate limits are split between them so the limit holds across the cluster.
 */
export class Membership {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: Db,
    private readonly role: string,
    private readonly log: Logger,
    private readonly onApiNodes: (count: number) => void,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => this.beat().catch((err) => this.log.warn({ err }, 'node heartbeat failed')), HEARTBEAT_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.db.deleteFrom('nodes').where('id', '=', this.id).execute();
  }

  /** Writes this node's heartbeat row now: also the readiness probe's write (http/health.ts). */
  async heartbeat(now = Date.now()): Promise<void> {
    await this.db
      .insertInto('nodes')
      .values({ id: this.id, role: this.role, host: hostname(), pid: process.pid, started_at: this.startedAt, heartbeat_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now }))
      .execute();
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    await this.heartbeat(now);
    const row = await this.db
      .selectFrom('nodes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', 'in', ['api', 'all'])
      .where('heartbeat_at', '>', now - NODE_TIMEOUT_MS)
      .executeTakeFirst();
    this.onApiNodes(Math.max(1, Number(row?.n ?? 1)));
  }
}

export async function liveNodes(db: Db): Promise<NodeInfo[]> {
  const rows = await db.selectFrom('nodes').selectAll().where('heartbeat_at', '>', Date.now() - NODE_TIMEOUT_MS).orderBy('started_at').execute();
  return rows.map((r) => ({ id: r.id, role: r.role, host: r.host, pid: Number(r.pid), startedAt: Number(r.started_at), heartbeatAt: Number(r.heartbeat_at) }));
}
