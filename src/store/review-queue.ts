import type { Db } from './db.ts';
import { listSenders, type Sender } from './senders.ts';
import { getTemplates, TemplateStatus, type Template } from './templates.ts';

const AWAITING = [TemplateStatus.Pending, TemplateStatus.Reviewing];

/**
 * Templates and senders of every account that wait for an operator's decision (pending or under
 * review), oldest first, at most `limit` of each. One query for the waiting ids, then one per account
 * among them for the rows themselves.
 */
export async function awaitingReview(db: Db, limit: number): Promise<{ templates: Template[]; senders: Sender[] }> {
  const templateIds = await db
    .selectFrom('templates')
    .select(['id', 'account_id'])
    .where('status', 'in', AWAITING)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const senderIds = await db
    .selectFrom('senders')
    .select(['id', 'account_id'])
    .where('status', 'in', AWAITING)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();

  const templates = new Map<string, Template>();
  for (const [accountId, ids] of byAccount(templateIds)) {
    for (const t of await getTemplates(db, accountId, ids)) templates.set(t.id, t);
  }
  const senders = new Map<string, Sender>();
  for (const [accountId, ids] of byAccount(senderIds)) {
    const wanted = new Set(ids);
    for (const s of await listSenders(db, accountId)) if (wanted.has(s.id)) senders.set(s.id, s);
  }
  return {
    templates: templateIds.flatMap((r) => templates.get(r.id) ?? []),
    senders: senderIds.flatMap((r) => senders.get(r.id) ?? []),
  };
}

function byAccount(rows: Array<{ id: string; account_id: number }>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const id = Number(r.account_id);
    out.set(id, [...(out.get(id) ?? []), r.id]);
  }
  return out;
}
