import { randomBytes } from 'node:crypto';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { deleteSession, deleteSessionsOf, insertSession, pruneSessions, sessionWithUser, touchSession, useReset } from '../store/console-sessions.ts';
import type { Db } from '../store/db.ts';
import { recordFailedLogin, updateUserRow, userByEmail, userById } from '../store/users.ts';
import { badInput, CLI_ACTOR, type Actor, type Role } from './actor.ts';
import { audit } from './audit.ts';
import { tokenHash } from './tokens.ts';

export const SESSION_IDLE_MS = 12 * 3600_000;
/** A session's expiry is pushed forward at most this often (one write a minute, not one a request). */
const TOUCH_EVERY_MS = 60_000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export interface SessionUser {
  UserId: number;
  Email: string;
  Role: Role;
  AccountId: number | null;
  Language: string;
}

export type LoginResult =
  | { ok: true; token: string; csrf: string; user: SessionUser }
  | { ok: false; reason: 'bad-credentials' | 'disabled' }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

/**
 * Checks an email and password. Wrong passwords are counted on the user row (so the lockout holds on
 * every node); the fifth in a row locks the user for LOCKOUT_MS. An unknown email costs the same scrypt work.
 */
export async function login(db: Db, emailRaw: unknown, password: unknown, now = Date.now()): Promise<LoginResult> {
  const email = typeof emailRaw === 'string' ? emailRaw.trim().toLowerCase() : '';
  const pass = typeof password === 'string' ? password : '';
  const user = email ? await userByEmail(db, email) : undefined;
  if (!user) {
    await verifyPassword(pass, await decoyHash());
    return { ok: false, reason: 'bad-credentials' };
  }
  if (user.lockedUntil !== null && user.lockedUntil > now) return { ok: false, reason: 'locked', retryAfterMs: user.lockedUntil - now };
  if (!(await verifyPassword(pass, user.passwordHash))) {
    const lockedUntil = await recordFailedLogin(db, user.id, MAX_FAILED_LOGINS, now + LOCKOUT_MS);
    if (lockedUntil !== undefined) {
      await audit(db, { ...CLI_ACTOR, email: 'system' }, 'user.locked', user.email, user.accountId, { UserId: user.id, LockedUntil: lockedUntil });
      return { ok: false, reason: 'locked', retryAfterMs: lockedUntil - now };
    }
    return { ok: false, reason: 'bad-credentials' };
  }
  if (user.status !== 'active') return { ok: false, reason: 'disabled' };
  if (user.failedLogins > 0 || user.lockedUntil !== null) await updateUserRow(db, user.id, { failed_logins: 0, locked_until: null });
  await maybePrune(db, now);
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await insertSession(db, { tokenHash: tokenHash(token), userId: user.id, csrf, now, expiresAt: now + SESSION_IDLE_MS });
  return { ok: true, token, csrf, user: { UserId: user.id, Email: user.email, Role: user.role as Role, AccountId: user.accountId, Language: user.language } };
}

const PRUNE_EVERY_MS = 10 * 60_000;
let lastPrune = 0;

/** Expired sessions and reset links are deleted on a login, at most every PRUNE_EVERY_MS on each node. */
async function maybePrune(db: Db, now: number): Promise<void> {
  if (now - lastPrune < PRUNE_EVERY_MS && now >= lastPrune) return;
  lastPrune = now;
  await pruneSessions(db, now);
}

export interface ActiveSession {
  actor: Actor;
  csrf: string;
  user: SessionUser;
}

/** The live session a cookie names, or undefined (unknown, expired, or its user disabled). */
export async function activeSession(db: Db, token: string, now = Date.now()): Promise<ActiveSession | undefined> {
  const hash = tokenHash(token);
  const s = await sessionWithUser(db, hash, now);
  if (!s || s.status !== 'active') return undefined;
  if (now - s.lastSeenAt >= TOUCH_EVERY_MS) await touchSession(db, hash, now, now + SESSION_IDLE_MS);
  const role = s.role as Role;
  return {
    actor: { userId: s.userId, email: s.email, role, accountId: s.accountId },
    csrf: s.csrf,
    user: { UserId: s.userId, Email: s.email, Role: role, AccountId: s.accountId, Language: s.language },
  };
}

export async function logout(db: Db, token: string): Promise<void> {
  await deleteSession(db, tokenHash(token));
}

/** Sets a new password from a one-time link; ends the user's sessions and lifts a lockout. */
export async function resetPassword(db: Db, token: unknown, password: unknown, now = Date.now()): Promise<{ Reset: true }> {
  const problem = passwordProblem(password);
  if (problem) throw badInput(problem);
  const userId = typeof token === 'string' && token ? await useReset(db, tokenHash(token), now) : undefined;
  const user = userId === undefined ? undefined : await userById(db, userId);
  if (!user) throw badInput('Token: this reset link is unknown, used or expired; ask an operator for a new one');
  await updateUserRow(db, user.id, { password_hash: await hashPassword(password as string), failed_logins: 0, locked_until: null });
  await deleteSessionsOf(db, user.id);
  await audit(db, { userId: user.id, email: user.email, role: user.role as Role, accountId: user.accountId }, 'user.password-reset', user.email, user.accountId);
  return { Reset: true };
}
