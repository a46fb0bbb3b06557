import { inboundPage, type InboundRow } from '../store/inbound-pages.ts';
import { accountOf, forbidden, isOperator } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { optionalInt, pageLimit } from './input.ts';

/**
 * Inbound (MO) messages, newest first, a page at a time: pass `Next` back as `Cursor` for the
 * following page (null: no more). A customer sees their account's; an operator names an account, asks
 * for the ones no account owns (`Unowned`), or leaves both out for every account's.
 */
export async function listInbound(
  ctx: OperatorContext,
  q: { AccountId?: number; Unowned?: boolean; Cursor?: unknown; Limit?: unknown } = {},
): Promise<{ Messages: InboundRow[]; Next: number | null }> {
  let accountId: number | null | undefined;
  if (q.Unowned) {
    if (!isOperator(ctx.actor)) throw forbidden('inbound messages no account owns are for operators');
    accountId = null;
  } else if (isOperator(ctx.actor)) accountId = q.AccountId;
  else accountId = accountOf(ctx.actor, q.AccountId, 'read');
  const limit = pageLimit(q.Limit, 20, 1000);
  const messages = await inboundPage(ctx.db, { accountId, before: optionalInt(q.Cursor, 'Cursor', { min: 1 }), limit });
  return { Messages: messages, Next: messages.length === limit ? messages[messages.length - 1]!.Id : null };
}
