import type { Db } from './db.ts';

/** Console logins and one-time reset links; tokens are stored as their sha256 only. */
export async function insertSession(db: Db, s: { tokenHash: string; userId: number; csrf: string; now: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({ token_hash: s.tokenHash, user_id: s.userId, csrf_token: s.csrf, created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt })
    .execute();
}

export interface SessionWithUser {
  userId: number;
  csrf: string;
  lastSeenAt: number;
  expiresAt: number;
  email: string;
  role: string;
  accountId: number | null;
  status: string;
  language: string;
}

export async function sessionWithUser(db: Db, tokenHash: string, now: number): Promise<SessionWithUser | undefined> {
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('users', 'users.id', 'console_sessions.user_id')
    .select(['console_sessions.user_id', 'console_sessions.csrf_token', 'console_sessions.last_seen_at', 'console_sessions.expires_at', 'users.email', 'users.role', 'users.account_id', 'users.status', 'users.language'])
    .where('console_sessions.token_hash', '=', tokenHash)
    .where('console_sessions.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    userId: Number(row.user_id),
    csrf: row.csrf_token,
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
    email: row.email,
    role: row.role,
    accountId: row.account_id === null ? null : Number(row.account_id),
    status: row.status,
    language: row.language,
  };
}

export async function touchSession(db: Db, tokenHash: string, now: number, expiresAt: number): Promise<void> {
  await db.updateTable('console_sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteSessionsOf(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('console_sessions').where('user_id', '=', userId).execute();
}

export async function pruneSessions(db: Db, now: number): Promise<void> {
  await db.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
  await db.deleteFrom('password_resets').where('expires_at', '<=', now).execute();
}

export async function insertReset(db: Db, r: { tokenHash: string; userId: number; createdBy: string; now: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto('password_resets')
    .values({ token_hash: r.tokenHash, user_id: r.userId, created_by: r.createdBy, created_at: r.now, expires_at: r.expiresAt, used_at: null })
    .execute();
}

/** Marks a live, unused link used, in one statement (two tabs using it at once: one wins); its user id. */
export async function useReset(db: Db, tokenHash: string, now: number): Promise<number | undefined> {
  const row = await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row ? Number(row.user_id) : undefined;
}
