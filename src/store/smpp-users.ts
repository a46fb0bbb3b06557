import type { Kysely } from 'kysely';
import type { Db } from './db.ts';
import { isPostgres } from './dialect.ts';
import type { Database, SmppBindType, SmppContent, SmppUserTable } from './schema.ts';

export type { SmppBindType, SmppContent } from './schema.ts';
export const SMPP_BIND_TYPES: readonly SmppBindType[] = ['transmitter', 'receiver', 'transceiver'];
export const SMPP_CONTENT_MODES: readonly SmppContent[] = ['template', 'free'];

/** A customer's SMPP login. `passwordHash` is scrypt (auth/passwords.ts); never shown. */
export interface SmppUser {
  id: number;
  accountId: number;
  systemId: string;
  passwordHash: string;
  maxBinds: number;
  window: number;
  /** messages per second per bind; 0 = no cap */
  throughput: number;
  /** Source addresses the user may send from; empty: the account's approved senders decide. */
  allowedSources: string[];
  createdAt: number;
  revokedAt: number | null;
}

/** An active user with what a bind needs of its account. */
export interface ActiveSmppUser extends SmppUser {
  smppContent: SmppContent;
  /** active | disabled */
  accountStatus: string;
  /** The account is suspended (disabled): its binds and submits are refused. */
  suspended: boolean;
}

export type NewSmppUser = Omit<SmppUser, 'id' | 'createdAt' | 'revokedAt'>;

type UserRow = Omit<SmppUserTable, 'id'> & { id: number };

function toUser(r: UserRow): SmppUser {
  return {
    id: Number(r.id),
    accountId: Number(r.account_id),
    systemId: r.system_id,
    passwordHash: r.password_hash,
    maxBinds: Number(r.max_binds),
    window: Number(r.window_size),
    throughput: Number(r.throughput),
    allowedSources: splitSources(r.allowed_sources),
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

const splitSources = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Adds a user and answers its id. A system_id an active user has already throws an Error saying it
 * "already exists" (the unique index decides, so two nodes creating the same one at once cannot both win).
 */
export async function createSmppUser(db: Kysely<Database>, u: NewSmppUser, now = Date.now()): Promise<number> {
  if (u.allowedSources.some((s) => s.includes(','))) throw new Error('a source address cannot hold a comma');
  const row = await db
    .insertInto('smpp_users')
    .values({
      account_id: u.accountId, system_id: u.systemId, password_hash: u.passwordHash, max_binds: u.maxBinds, window_size: u.window,
      throughput: u.throughput, allowed_sources: u.allowedSources.join(','), created_at: now, revoked_at: null,
    })
    .onConflict((oc) => oc.column('system_id').where('revoked_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new Error(`SMPP user ${u.systemId} already exists`);
  return Number(row.id);
}

/** The active user with this system_id, with its account's SMPP content mode and status; undefined when unknown or revoked. */
export async function smppUserBySystemId(db: Kysely<Database>, systemId: string): Promise<ActiveSmppUser | undefined> {
  const row = await db
    .selectFrom('smpp_users')
    .innerJoin('accounts', 'accounts.id', 'smpp_users.account_id')
    .selectAll('smpp_users')
    .select(['accounts.smpp_content', 'accounts.status as account_status'])
    .where('smpp_users.system_id', '=', systemId)
    .where('smpp_users.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const { smpp_content, account_status, ...user } = row;
  return {
    ...toUser(user as UserRow),
    smppContent: smpp_content === 'free' ? 'free' : 'template',
    accountStatus: account_status,
    suspended: account_status !== 'active',
  };
}

/** Every user (revoked ones too, with `revokedAt`), or one account's, in id order. */
export async function listSmppUsers(db: Kysely<Database>, q: { accountId?: number } = {}): Promise<SmppUser[]> {
  const rows = await db
    .selectFrom('smpp_users')
    .selectAll()
    .$if(q.accountId !== undefined, (qb) => qb.where('account_id', '=', q.accountId!))
    .orderBy('id')
    .execute();
  return rows.map((r) => toUser(r as UserRow));
}

/**
 * Revokes the active user with this system_id; false when there is none. Its bind leases are deleted in
 * the same transaction: the nodes holding them fail to renew them and close those binds.
 */
export async function revokeSmppUser(db: Db, systemId: string, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('smpp_users')
      .set({ revoked_at: now })
      .where('system_id', '=', systemId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('smpp_binds').where('user_id', '=', Number(row.id)).execute();
    return true;
  });
}

// ---- the account's content mode ----------------------------------------------------------------

/** Sets how an account's SMPP text is checked; false when there is no such account. */
export async function setSmppContent(db: Kysely<Database>, accountId: number, mode: SmppContent): Promise<boolean> {
  const res = await db.updateTable('accounts').set({ smpp_content: mode }).where('id', '=', accountId).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Each account's SMPP content mode (of one account, when `accountId` is given). */
export async function smppContentByAccount(db: Kysely<Database>, accountId?: number): Promise<Map<number, SmppContent>> {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'smpp_content'])
    .$if(accountId !== undefined, (q) => q.where('id', '=', accountId!))
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.smpp_content === 'free' ? 'free' : 'template']));
}

// ---- bind leases ---------------------------------------------------------------------------------

export interface SmppBindRequest {
  userId: number;
  maxBinds: number;
  node: string;
  bindType: SmppBindType;
  remote: string;
  leaseMs: number;
}

/**
 * A lease on one of the user's binds for `node`; undefined when `maxBinds` live leases exist already (or
 * the user is gone or revoked). Count and insert run in one transaction that no other acquisition for the
 * same user can interleave with: on PostgreSQL the user's row is locked first (FOR UPDATE), on SQLite
 * every write transaction holds the database's write lock from its start (BEGIN IMMEDIATE, store/db.ts).
 * Expired leases of the user are deleted on the way.
 */
export async function acquireSmppBind(db: Db, r: SmppBindRequest): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now();
    const user = await trx
      .selectFrom('smpp_users')
      .select(['id', 'revoked_at'])
      .where('id', '=', r.userId)
      .$if(isPostgres(trx), (q) => q.forUpdate())
      .executeTakeFirst();
    if (!user || user.revoked_at !== null) return undefined;
    await trx.deleteFrom('smpp_binds').where('user_id', '=', r.userId).where('lease_until', '<=', now).execute();
    const live = await trx
      .selectFrom('smpp_binds')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', r.userId)
      .where('lease_until', '>', now)
      .executeTakeFirst();
    if (Number(live?.n ?? 0) >= r.maxBinds) return undefined;
    const row = await trx
      .insertInto('smpp_binds')
      .values({ user_id: r.userId, node: r.node, bind_type: r.bindType, remote: r.remote.slice(0, 100), since: now, lease_until: now + r.leaseMs })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  });
}

/**
 * Extends `node`'s leases `ids`; answers the ids renewed. A lease missing from the answer is lost (it
 * expired and may count for another bind now, or its user was revoked): its bind must be closed.
 */
export async function renewSmppBinds(db: Kysely<Database>, node: string, ids: number[], leaseMs: number): Promise<number[]> {
  return reportSmppBinds(db, node, ids.map((id) => ({ id })), leaseMs);
}

/**
 * renewSmppBinds with each bind's counters (JSON, shown by `usms smpp status`): one statement per bind,
 * as each has its own; a node holds few.
 */
export async function reportSmppBinds(db: Kysely<Database>, node: string, binds: Array<{ id: number; stats?: string }>, leaseMs: number): Promise<number[]> {
  if (binds.length === 0) return [];
  const now = Date.now();
  const renewed: number[] = [];
  for (const b of binds) {
    const row = await db
      .updateTable('smpp_binds')
      .set({ lease_until: now + leaseMs, ...(b.stats !== undefined && { stats: b.stats }) })
      .where('id', '=', b.id)
      .where('node', '=', node)
      .where('lease_until', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (row) renewed.push(Number(row.id));
  }
  return renewed.sort((a, b) => a - b);
}

export async function releaseSmppBind(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('smpp_binds').where('id', '=', id).execute();
}

/** Releases every lease of `node` (it starts again, or stops): answers how many there were. */
export async function releaseSmppBindsOf(db: Kysely<Database>, node: string): Promise<number> {
  const res = await db.deleteFrom('smpp_binds').where('node', '=', node).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export interface LiveSmppBind {
  id: number;
  userId: number;
  systemId: string;
  accountId: number;
  node: string;
  bindType: SmppBindType;
  remote: string;
  since: number;
  leaseUntil: number;
  /** The session's counters as of the last renewal (JSON object). */
  stats: Record<string, unknown>;
}

/** Every bind with a live lease in the cluster, by system_id. */
export async function liveSmppBinds(db: Kysely<Database>): Promise<LiveSmppBind[]> {
  const rows = await db
    .selectFrom('smpp_binds')
    .innerJoin('smpp_users', 'smpp_users.id', 'smpp_binds.user_id')
    .select([
      'smpp_binds.id', 'smpp_binds.user_id', 'smpp_users.system_id', 'smpp_users.account_id', 'smpp_binds.node',
      'smpp_binds.bind_type', 'smpp_binds.remote', 'smpp_binds.since', 'smpp_binds.lease_until', 'smpp_binds.stats',
    ])
    .where('smpp_binds.lease_until', '>', Date.now())
    .orderBy('smpp_users.system_id')
    .orderBy('smpp_binds.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    userId: Number(r.user_id),
    systemId: r.system_id,
    accountId: Number(r.account_id),
    node: r.node,
    bindType: r.bind_type,
    remote: r.remote,
    since: Number(r.since),
    leaseUntil: Number(r.lease_until),
    stats: parseStats(r.stats),
  }));
}

function parseStats(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
