import type { Db } from './db.ts';
import type { UserTable } from './schema.ts';

export interface User {
  id: number;
  email: string;
  accountId: number | null;
  role: string;
  passwordHash: string;
  status: string;
  failedLogins: number;
  lockedUntil: number | null;
  language: string;
  createdAt: number;
}

type Row = Omit<UserTable, 'id' | 'failed_logins' | 'language'> & { id: number; failed_logins: number; language: string };

function toUser(r: Row): User {
  return {
    id: Number(r.id),
    email: r.email,
    accountId: r.account_id === null ? null : Number(r.account_id),
    role: r.role,
    passwordHash: r.password_hash,
    status: r.status,
    failedLogins: Number(r.failed_logins),
    lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
    language: r.language,
    createdAt: Number(r.created_at),
  };
}

/** Inserts a user; undefined when the email is taken. */
export async function insertUser(db: Db, u: { email: string; accountId: number | null; role: string; passwordHash: string }, now = Date.now()): Promise<number | undefined> {
  const row = await db
    .insertInto('users')
    .values({ email: u.email, account_id: u.accountId, role: u.role, password_hash: u.passwordHash, status: 'active', locked_until: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

export async function userById(db: Db, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row as Row);
}

export async function userByEmail(db: Db, email: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  return row && toUser(row as Row);
}

/** `accountId` undefined: every user (operators); null: the operators themselves. */
export async function usersOf(db: Db, accountId: number | null | undefined): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().orderBy('id');
  if (accountId === null) q = q.where('account_id', 'is', null);
  else if (accountId !== undefined) q = q.where('account_id', '=', accountId);
  return (await q.execute()).map((r) => toUser(r as Row));
}

export async function updateUserRow(db: Db, id: number, set: Partial<Pick<UserTable, 'role' | 'status' | 'password_hash' | 'locked_until'>> & { failed_logins?: number; language?: string }): Promise<boolean> {
  const res = await db.updateTable('users').set({ ...set, updated_at: Date.now() }).where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Counts a wrong password in one statement (two nodes counting at once both count); at `maxFailures`
 * the user is locked until `lockUntil` and the count starts again. Answers the lock time, if locked now.
 */
export async function recordFailedLogin(db: Db, id: number, maxFailures: number, lockUntil: number): Promise<number | undefined> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('id', '=', id)
    .returning(['failed_logins'])
    .executeTakeFirst();
  if (!row || Number(row.failed_logins) < maxFailures) return undefined;
  await db.updateTable('users').set({ failed_logins: 0, locked_until: lockUntil }).where('id', '=', id).where('failed_logins', '>=', maxFailures).execute();
  return lockUntil;
}
