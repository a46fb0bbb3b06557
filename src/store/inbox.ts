import type { Db } from './db.ts';

/** What the sandbox carrier "delivered", newest first: the messages it took, straight from the outbox table. */
export async function sandboxInbox(db: Db, limit: number) {
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'account_id', 'e164', 'sender', 'content', 'status', 'receipt_code', 'sent_at'])
    .where('carrier', '=', 'sandbox')
    .where('sent_at', 'is not', null)
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    Id: Number(r.id),
    AccountId: Number(r.account_id),
    Phone: r.e164,
    Sender: r.sender,
    Text: r.content,
    Status: r.status,
    ReceiptCode: r.receipt_code ?? '',
    SentAt: new Date(Number(r.sent_at)).toISOString(),
  }));
}
