import { sandboxInbox as storeSandboxInbox } from '../store/inbox.ts';
import { requireOperator } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { pageLimit } from './input.ts';

/** What the built-in sandbox carrier "delivered", newest first (operators: it spans every account). */
export async function sandboxInbox(ctx: OperatorContext, q: { Limit?: unknown } = {}) {
  requireOperator(ctx.actor);
  return { Messages: await storeSandboxInbox(ctx.db, pageLimit(q.Limit, 20, 1000)) };
}
