import type { Db } from './db.ts';

export interface InboundRow {
  Id: number;
  AccountId: number | null;
  Carrier: string;
  Phone: string;
  To: string;
  ExtendCode: string;
  UserId: string;
  Content: string;
  ReceivedAt: string;
}

/**
 * Inbound messages newest first, by id cursor (`before`: ids below it). `accountId`: one account's,
 * null: the ones no account owns, undefined: every account's (operators).
 */
export async function inboundPage(db: Db, q: { accountId: number | null | undefined; before?: number; limit: number }): Promise<InboundRow[]> {
  const rows = await db
    .selectFrom('inbound_messages')
    .selectAll()
    .$if(q.accountId === null, (s) => s.where('account_id', 'is', null))
    .$if(typeof q.accountId === 'number', (s) => s.where('account_id', '=', q.accountId!))
    .$if(q.before !== undefined, (s) => s.where('id', '<', q.before!))
    .orderBy('id', 'desc')
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({
    Id: Number(r.id),
    AccountId: r.account_id === null ? null : Number(r.account_id),
    Carrier: r.carrier,
    Phone: r.phone,
    To: r.to_addr,
    ExtendCode: r.extend_code,
    UserId: r.user_id,
    Content: r.content,
    ReceivedAt: new Date(Number(r.received_at)).toISOString(),
  }));
}
