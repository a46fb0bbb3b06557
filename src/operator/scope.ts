import { getAccount, type Account } from '../store/accounts.ts';
import { accountOf, notFound, type Permission } from './actor.ts';
import type { OperatorContext } from './context.ts';

/**
 * The account a call works on (see accountOf: a customer's own, an operator's named one), checked to
 * exist: an unknown id answers not-found, like another account's.
 */
export async function accountInScope(ctx: OperatorContext, requested: number | undefined, permission: Permission): Promise<Account> {
  const id = accountOf(ctx.actor, requested, permission);
  const account = await getAccount(ctx.db, id);
  if (!account) throw notFound(`no account ${id}`);
  return account;
}
