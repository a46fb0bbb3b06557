import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { decoyHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { getAccount } from '../store/accounts.ts';
import type { Database } from '../store/schema.ts';
import {
  createSmppUser as storeCreateSmppUser,
  listSmppUsers as storeListSmppUsers,
  liveSmppBinds,
  revokeSmppUser as storeRevokeSmppUser,
  smppUserBySystemId,
  type ActiveSmppUser,
} from '../store/smpp-users.ts';
import { smppOutboxCounts } from '../store/smpp-outbox.ts';
import { badInput, notFound, OperatorError, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { optionalInt, optionalList, requiredInt, requiredString } from './input.ts';

/*
 * SMPP users (operators only): the logins businesses bind to usms's SMPP server with. The password is
 * generated here, answered once and stored as its scrypt hash.
 */

export const SMPP_USER_DEFAULTS = { maxBinds: 1, window: 100, throughput: 100 } as const;
export const SMPP_USER_LIMITS = {
  maxBinds: { min: 1, max: 100 },
  window: { min: 1, max: 1000 },
  throughput: { min: 0, max: 100_000 },
} as const;
/** SMPP 3.4's system_id field is 16 octets with its NUL. */
export const MAX_SYSTEM_ID_CHARS = 15;
/** SMPP 3.4's password field is 9 octets with its NUL. */
export const SMPP_PASSWORD_CHARS = 8;
const MAX_ALLOWED_SOURCES = 100;
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 8 characters of [A-Za-z0-9], each chosen uniformly (about 47.6 bits). */
export function generateSmppPassword(): string {
  let password = '';
  for (let i = 0; i < SMPP_PASSWORD_CHARS; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

function parseSystemId(raw: unknown): string {
  const systemId = requiredString(raw, 'SystemId', MAX_SYSTEM_ID_CHARS);
  // Printable ASCII without spaces: what a customer's SMPP client can type and send as a C-octet string.
  if (!/^[\x21-\x7e]{1,15}$/.test(systemId)) throw badInput(`SystemId: 1 to ${MAX_SYSTEM_ID_CHARS} printable ASCII characters without spaces`);
  return systemId;
}

/** A source address as a submit_sm carries it: up to 20 digits (an optional +), or up to 11 ASCII characters (no comma). */
function parseAllowedSources(raw: unknown): string[] {
  const text = optionalList(raw, 'AllowedSources');
  if (text === undefined) return [];
  const sources = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  if (sources.length > MAX_ALLOWED_SOURCES) throw badInput(`AllowedSources: at most ${MAX_ALLOWED_SOURCES} addresses`);
  for (const s of sources) {
    if (!/^\+?\d{1,20}$|^[\x20-\x2b\x2d-\x7e]{1,11}$/.test(s)) throw badInput(`AllowedSources: "${s}" is not a source address (up to 20 digits, or up to 11 ASCII characters)`);
  }
  return sources;
}

export interface SmppUserInput {
  AccountId: unknown;
  SystemId: unknown;
  MaxBinds?: unknown;
  Window?: unknown;
  Throughput?: unknown;
  /** A list, or comma-separated text; none: the account's approved senders decide. */
  AllowedSources?: unknown;
}

/** A new SMPP user of an account; its password is answered this once. */
export async function createSmppUser(ctx: OperatorContext, input: SmppUserInput): Promise<{ SystemId: string; Password: string }> {
  requireOperator(ctx.actor);
  const accountId = requiredInt(input.AccountId, 'AccountId', { min: 1 });
  const systemId = parseSystemId(input.SystemId);
  const maxBinds = optionalInt(input.MaxBinds, 'MaxBinds', SMPP_USER_LIMITS.maxBinds) ?? SMPP_USER_DEFAULTS.maxBinds;
  const window = optionalInt(input.Window, 'Window', SMPP_USER_LIMITS.window) ?? SMPP_USER_DEFAULTS.window;
  const throughput = optionalInt(input.Throughput, 'Throughput', SMPP_USER_LIMITS.throughput) ?? SMPP_USER_DEFAULTS.throughput;
  const allowedSources = parseAllowedSources(input.AllowedSources);
  if (!(await getAccount(ctx.db, accountId))) throw notFound(`no account ${accountId}`);
  const password = generateSmppPassword();
  const passwordHash = await hashPassword(password);
  try {
    await storeCreateSmppUser(ctx.db, { accountId, systemId, passwordHash, maxBinds, window, throughput, allowedSources });
  } catch (err) {
    if (/already exists/.test((err as Error).message)) throw new OperatorError('conflict', `SMPP user ${systemId} already exists (revoke it first)`);
    throw err;
  }
  await audit(ctx.db, ctx.actor, 'smpp-user.create', systemId, accountId, { MaxBinds: maxBinds, Window: window, Throughput: throughput, AllowedSources: allowedSources });
  return { SystemId: systemId, Password: password };
}

/** SMPP users (of one account, or all) without their password hashes; `Binds`: live binds in the cluster. Times in unix seconds. */
export async function listSmppUsers(ctx: OperatorContext, q: { AccountId?: unknown } = {}) {
  requireOperator(ctx.actor);
  const accountId = optionalInt(q.AccountId, 'AccountId', { min: 1 });
  const users = await storeListSmppUsers(ctx.db, { accountId });
  const binds = new Map<number, number>();
  for (const b of await liveSmppBinds(ctx.db)) binds.set(b.userId, (binds.get(b.userId) ?? 0) + 1);
  return {
    Users: users.map((u) => ({
      SystemId: u.systemId,
      AccountId: u.accountId,
      Status: u.revokedAt === null ? 'active' : 'revoked',
      MaxBinds: u.maxBinds,
      Window: u.window,
      Throughput: u.throughput,
      AllowedSources: u.allowedSources,
      Binds: binds.get(u.id) ?? 0,
      CreateTime: Math.floor(u.createdAt / 1000),
      RevokeTime: u.revokedAt === null ? null : Math.floor(u.revokedAt / 1000),
    })),
  };
}

/** Revokes an SMPP user: new binds are refused at once, and its live binds close within a lease renewal. */
export async function revokeSmppUser(ctx: OperatorContext, q: { SystemId: unknown }): Promise<{ Revoked: string }> {
  requireOperator(ctx.actor);
  const systemId = requiredString(q.SystemId, 'SystemId', MAX_SYSTEM_ID_CHARS);
  const user = await smppUserBySystemId(ctx.db, systemId);
  if (!user || !(await storeRevokeSmppUser(ctx.db, systemId))) throw notFound(`no SMPP user ${systemId}`);
  await audit(ctx.db, ctx.actor, 'smpp-user.revoke', systemId, user.accountId);
  return { Revoked: systemId };
}

/**
 * The active user a bind names, when its password is right; undefined otherwise (unknown, revoked or a
 * wrong password, alike). An unknown system_id costs the same scrypt work against a decoy hash, so the
 * answer's time does not tell which system_ids exist. The caller still checks `suspended`.
 */
/**
 * `usms smpp status`: every live bind in the cluster (user, node, bind type, the customer's address) with
 * its counters as its node last reported them (within a second or so: window in use, submits a second,
 * throttled, bad PDUs, deliver_sm sent and failed), and the receipts and replies waiting, delivered and
 * expired.
 */
export async function smppStatus(ctx: OperatorContext) {
  requireOperator(ctx.actor);
  const binds = await liveSmppBinds(ctx.db);
  return {
    Binds: binds.map((b) => ({
      SystemId: b.systemId, AccountId: b.accountId, Node: b.node, BindType: b.bindType, Remote: b.remote, Since: new Date(b.since).toISOString(), ...b.stats,
    })),
    Outbox: await smppOutboxCounts(ctx.db),
  };
}

export async function verifySmppPassword(db: Kysely<Database>, systemId: string, password: string): Promise<ActiveSmppUser | undefined> {
  const pass = typeof password === 'string' && password.length <= SMPP_PASSWORD_CHARS ? password : '';
  const id = typeof systemId === 'string' && systemId.length <= MAX_SYSTEM_ID_CHARS ? systemId : '';
  const user = id ? await smppUserBySystemId(db, id) : undefined;
  const ok = await verifyPassword(pass, user?.passwordHash ?? (await decoyHash()));
  return user && ok && pass !== '' ? user : undefined;
}
