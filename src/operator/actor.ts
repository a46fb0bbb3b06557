/**
 * Who asks: an operator (the whole platform), a customer user of one account (admin, developer or
 * viewer), or the CLI (an operator at the machine). Every operator function takes an Actor and scopes
 * what it reads and writes by it: the one place where a console rule is decided.
 */
export type Role = 'operator' | 'admin' | 'developer' | 'viewer';
export const ROLES: readonly Role[] = ['operator', 'admin', 'developer', 'viewer'];
export const CUSTOMER_ROLES: readonly Role[] = ['admin', 'developer', 'viewer'];

export interface Actor {
  /** null for the CLI */
  userId: number | null;
  /** the user's email, or "cli" */
  email: string;
  role: Role;
  /** null for an operator */
  accountId: number | null;
}

export const CLI_ACTOR: Actor = Object.freeze({ userId: null, email: 'cli', role: 'operator', accountId: null });

/** What a customer role may do; an operator may do everything. */
export type Permission = 'read' | 'write' | 'manage-users';

const ALLOWED: Record<Role, readonly Permission[]> = {
  operator: ['read', 'write', 'manage-users'],
  admin: ['read', 'write', 'manage-users'],
  developer: ['read', 'write'],
  viewer: ['read'],
};

export class OperatorError extends Error {
  constructor(
    readonly kind: 'bad-input' | 'forbidden' | 'not-found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export const badInput = (message: string) => new OperatorError('bad-input', message);
export const notFound = (message: string) => new OperatorError('not-found', message);
export const forbidden = (message = 'not allowed for your role') => new OperatorError('forbidden', message);

export function isOperator(actor: Actor): boolean {
  return actor.role === 'operator';
}

export function requireOperator(actor: Actor): void {
  if (!isOperator(actor)) throw forbidden('operators only');
}

export function can(actor: Actor, permission: Permission): boolean {
  return ALLOWED[actor.role].includes(permission);
}

/**
 * The account an action works on. A customer user always works on their own account: asking for
 * another one answers "not found", the same as an id that does not exist, so that ids cannot be probed.
 * An operator names the account (required unless `optional`, then undefined means all accounts).
 */
export function accountOf(actor: Actor, requested: number | undefined, permission: Permission = 'read'): number {
  if (!can(actor, permission)) throw forbidden();
  if (isOperator(actor)) {
    if (requested === undefined || !Number.isSafeInteger(requested)) throw badInput('an account id is required');
    return requested;
  }
  if (requested !== undefined && requested !== actor.accountId) throw notFound(`no account ${requested}`);
  return actor.accountId!;
}

/** Like accountOf, but an operator may leave the account out to mean every account (searches, statistics). */
export function accountFilter(actor: Actor, requested: number | undefined): number | undefined {
  if (isOperator(actor)) return requested;
  return accountOf(actor, requested, 'read');
}
