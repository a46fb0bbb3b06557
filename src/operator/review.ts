import { awaitingReview } from '../store/review-queue.ts';
import { requireOperator } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { pageLimit } from './input.ts';
import { outSender, type SenderView } from './senders.ts';
import { outTemplate, type TemplateView } from './templates.ts';

/**
 * The operators' review queue: templates and senders of every account that are pending or under
 * review, oldest first. Decisions go through reviewTemplate / reviewSender.
 */
export async function reviewQueue(ctx: OperatorContext, q: { Limit?: unknown } = {}): Promise<{ Templates: TemplateView[]; Senders: SenderView[] }> {
  requireOperator(ctx.actor);
  const { templates, senders } = await awaitingReview(ctx.db, pageLimit(q.Limit, 100, 1000));
  return { Templates: templates.map(outTemplate), Senders: senders.map(outSender) };
}
