import { randomBytes } from 'node:crypto';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { randomToken } from '../auth/secrets.ts';
import { getAccount } from '../store/accounts.ts';
import { deleteSessionsOf, insertReset } from '../store/console-sessions.ts';
import { insertUser, updateUserRow, userById, usersOf, type User } from '../store/users.ts';
import { accountFilter, accountOf, badInput, can, CUSTOMER_ROLES, forbidden, isOperator, notFound, OperatorError, requireOperator, ROLES, type Role } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { tokenHash } from './tokens.ts';

export const RESET_LINK_TTL_MS = 24 * 3600_000;
const MAX_EMAIL_CHARS = 254;
export const LANGUAGES = ['en', 'zh'] as const;

export function normalizeEmail(raw: unknown): string {
  const email = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (email.length > MAX_EMAIL_CHARS || !/^[^\s@]+@[^\s@]+$/.test(email)) throw badInput('Email: give an email address like name@example.com');
  return email;
}

function parseRole(raw: unknown): Role {
  if (typeof raw !== 'string' || !ROLES.includes(raw as Role)) throw badInput(`Role: one of ${ROLES.join(', ')}`);
  return raw as Role;
}

export function outUser(u: User) {
  return {
    UserId: u.id,
    Email: u.email,
    Role: u.role,
    AccountId: u.accountId,
    Status: u.status,
    LockedUntil: u.lockedUntil !== null && u.lockedUntil > Date.now() ? u.lockedUntil : null,
    Language: u.language,
    CreateTime: u.createdAt,
  };
}

/**
 * A new console user. Operators create operators and users of any account; an account admin creates
 * users of their own account. Without a password one is generated and answered once.
 */
export async function createUser(ctx: OperatorContext, input: { Email: unknown; Role: unknown; AccountId?: number; Password?: string }) {
  const email = normalizeEmail(input.Email);
  const role = parseRole(input.Role);
  let accountId: number | null = null;
  if (role === 'operator') requireOperator(ctx.actor);
  else {
    accountId = accountOf(ctx.actor, input.AccountId, 'manage-users');
    if (!(await getAccount(ctx.db, accountId))) throw notFound(`no account ${accountId}`);
  }
  const generated = input.Password === undefined;
  const password = input.Password ?? randomToken(20);
  const problem = passwordProblem(password);
  if (problem) throw badInput(problem);
  const id = await insertUser(ctx.db, { email, accountId, role, passwordHash: await hashPassword(password) });
  if (id === undefined) throw new OperatorError('conflict', `a user with the email ${email} exists`);
  await audit(ctx.db, ctx.actor, 'user.create', email, accountId, { UserId: id, Role: role });
  return generated ? { UserId: id, Email: email, Password: password } : { UserId: id, Email: email };
}

export async function listUsers(ctx: OperatorContext, q: { AccountId?: number }) {
  if (!can(ctx.actor, 'manage-users')) throw forbidden('users are managed by account admins and operators');
  const users = await usersOf(ctx.db, accountFilter(ctx.actor, q.AccountId));
  return { Users: users.map(outUser) };
}

/** A user in the actor's scope, or not-found (another account's user answers the same as a missing one). */
async function userInScope(ctx: OperatorContext, id: number): Promise<User> {
  if (!can(ctx.actor, 'manage-users')) throw forbidden('users are managed by account admins and operators');
  const user = Number.isSafeInteger(id) ? await userById(ctx.db, id) : undefined;
  if (!user || (!isOperator(ctx.actor) && user.accountId !== ctx.actor.accountId)) throw notFound(`no user ${id}`);
  return user;
}

export async function updateUser(ctx: OperatorContext, id: number, changes: { Role?: unknown; Status?: unknown }) {
  const user = await userInScope(ctx, id);
  if (user.id === ctx.actor.userId) throw badInput('you cannot change your own role or status');
  const set: { role?: string; status?: string; locked_until?: null; failed_logins?: number } = {};
  if (changes.Role !== undefined) {
    const role = parseRole(changes.Role);
    const operatorRole = role === 'operator';
    if (operatorRole !== (user.accountId === null)) throw badInput(user.accountId === null ? 'an operator stays an operator' : `Role: one of ${CUSTOMER_ROLES.join(', ')}`);
    set.role = role;
  }
  if (changes.Status !== undefined) {
    if (changes.Status !== 'active' && changes.Status !== 'disabled') throw badInput('Status: active or disabled');
    set.status = changes.Status;
    // Enabling also lifts a lockout: the admin vouches for the user.
    if (changes.Status === 'active') Object.assign(set, { locked_until: null, failed_logins: 0 });
  }
  if (Object.keys(set).length === 0) throw badInput('nothing to change: give Role or Status');
  await updateUserRow(ctx.db, user.id, set);
  if (set.status === 'disabled') await deleteSessionsOf(ctx.db, user.id);
  await audit(ctx.db, ctx.actor, 'user.update', user.email, user.accountId, { UserId: user.id, ...changes });
  return outUser((await userById(ctx.db, user.id))!);
}

/** A one-time link that sets a new password; valid for 24 h. No mail: the operator hands it over. */
export async function issueResetLink(ctx: OperatorContext, userId: number, baseUrl: string) {
  requireOperator(ctx.actor);
  const user = await userInScope(ctx, userId);
  const token = randomBytes(24).toString('base64url');
  const now = Date.now();
  const expiresAt = now + RESET_LINK_TTL_MS;
  await insertReset(ctx.db, { tokenHash: tokenHash(token), userId: user.id, createdBy: ctx.actor.email, now, expiresAt });
  await audit(ctx.db, ctx.actor, 'user.reset-link', user.email, user.accountId, { UserId: user.id, ExpiresAt: expiresAt });
  return { UserId: user.id, Email: user.email, Url: `${baseUrl.replace(/\/+$/, '')}/console/#/reset/${token}`, ExpiresAt: expiresAt };
}

export async function setLanguage(ctx: OperatorContext, language: unknown) {
  if (ctx.actor.userId === null) throw badInput('the CLI has no language setting');
  if (!LANGUAGES.includes(language as (typeof LANGUAGES)[number])) throw badInput(`Language: one of ${LANGUAGES.join(', ')}`);
  await updateUserRow(ctx.db, ctx.actor.userId, { language: language as string });
  return { Language: language };
}

export async function changeOwnPassword(ctx: OperatorContext, current: unknown, next: unknown) {
  const user = ctx.actor.userId === null ? undefined : await userById(ctx.db, ctx.actor.userId);
  if (!user) throw notFound('no such user');
  if (typeof current !== 'string' || !(await verifyPassword(current, user.passwordHash))) throw badInput('Current: the current password is wrong');
  const problem = passwordProblem(next);
  if (problem) throw badInput(problem);
  await updateUserRow(ctx.db, user.id, { password_hash: await hashPassword(next as string) });
  await audit(ctx.db, ctx.actor, 'user.password', user.email, user.accountId);
  return { Changed: true };
}
