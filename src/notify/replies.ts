import type { Kysely } from 'kysely';
import { accountsWithCallback, enqueueItems, MsgType } from '../store/callbacks.ts';
import type { Database } from '../store/schema.ts';

/** An inbound reply (MO) from a handset, for an account. */
export interface InboundReply {
  accountId: number;
  /** The phone as we show it to the customer. */
  phone: string;
  content: string;
  /** The extension the handset replied to ('' when none). */
  extendCode: string;
  /** The UserId of the message replied to, when known. */
  userId: string;
  /** When the reply was received (unix ms). */
  at: number;
}

/**
 * Queues inbound replies as MsgType 0 pushes for the accounts that have a callback URL (others are
 * skipped); returns how many were queued. Pass a transaction to queue together with storing the reply.
 * The delivery thread's pusher sends them within its poll interval.
 */
export async function queueReplyPushes(db: Kysely<Database>, replies: InboundReply[]): Promise<number> {
  const pushTo = await accountsWithCallback(db, [...new Set(replies.map((r) => r.accountId))]);
  const items = replies
    .filter((r) => pushTo.has(r.accountId))
    .map((r) => ({
      accountId: r.accountId,
      msgType: MsgType.Reply,
      payload: JSON.stringify({ ExtendCode: r.extendCode, UserId: r.userId, Phone: r.phone, ReplyContent: r.content, ReplyTime: Math.floor(r.at / 1000) }),
    }));
  await enqueueItems(db, items);
  return items.length;
}
