import type { Kysely } from 'kysely';
import type { Db } from './db.ts';
import type { Database } from './schema.ts';

export interface AuditEntry {
  userId: number | null;
  actor: string;
  accountId: number | null;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

export async function appendAudit(db: Kysely<Database>, e: AuditEntry, at = Date.now()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ at, user_id: e.userId, actor: e.actor, account_id: e.accountId, action: e.action, target: e.target, detail: JSON.stringify(e.detail ?? {}) })
    .execute();
}

export interface AuditRow {
  Id: number;
  Time: number;
  UserId: number | null;
  Actor: string;
  AccountId: number | null;
  Action: string;
  Target: string;
  Detail: Record<string, unknown>;
}

/** Newest first, by id cursor; `accountId` undefined: every account (operators). */
export async function auditPage(db: Db, q: { accountId?: number; before?: number; limit: number }): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  const rows = await query.execute();
  return rows.map((r) => ({
    Id: Number(r.id),
    Time: Number(r.at),
    UserId: r.user_id === null ? null : Number(r.user_id),
    Actor: r.actor,
    AccountId: r.account_id === null ? null : Number(r.account_id),
    Action: r.action,
    Target: r.target,
    Detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
