import type { Kysely } from 'kysely';
import { appendAudit, auditPage, type AuditRow } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { accountFilter, can, forbidden, type Actor } from './actor.ts';

/** Records a change made by `actor`; `detail` must never hold a secret. */
export async function audit(db: Kysely<Database>, actor: Actor, action: string, target: string, accountId: number | null, detail?: Record<string, unknown>): Promise<void> {
  await appendAudit(db, { userId: actor.userId, actor: actor.email, accountId, action, target, detail });
}

/** Operators see every entry; an account admin sees their account's. */
export async function auditLog(db: Db, actor: Actor, q: { accountId?: number; before?: number; limit?: number }): Promise<{ Entries: AuditRow[]; Next: number | null }> {
  if (!can(actor, 'manage-users')) throw forbidden('the audit log is for account admins and operators');
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const entries = await auditPage(db, { accountId: accountFilter(actor, q.accountId), before: q.before, limit });
  return { Entries: entries, Next: entries.length === limit ? entries[entries.length - 1].Id : null };
}
