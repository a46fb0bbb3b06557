import { randomToken } from '../auth/secrets.ts';
import { placeholderCount } from '../sms/template.ts';
import type { Db } from './db.ts';

export const TemplateStatus = { Pending: 0, Reviewing: 1, Approved: 2, Rejected: 3, Disabled: 4 } as const;

export interface Template {
  id: string;
  accountId: number;
  name: string;
  content: string;
  purpose: number;
  status: number;
  paramCount: number;
  reason: string;
  createdAt: number;
}

/** Ids look like UCloud's: `UTA` + yymmdd + 6 characters, e.g. UTA261122K3X9QZ. */
export function newId(prefix: string): string {
  const d = new Date();
  const ymd = `${d.getUTCFullYear() % 100}`.padStart(2, '0') + `${d.getUTCMonth() + 1}`.padStart(2, '0') + `${d.getUTCDate()}`.padStart(2, '0');
  return prefix + ymd + randomToken(6, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
}

export async function createTemplate(
  db: Db,
  input: { accountId: number; content: string; name?: string; purpose?: number; approve?: boolean },
): Promise<string> {
  const content = input.content;
  if (!content.trim()) throw new Error('template content is empty');
  if ([...content].length > 500) throw new Error('template content is longer than 500 characters');
  const purpose = input.purpose ?? 2;
  if (![1, 2, 3].includes(purpose)) throw new Error('purpose must be 1 (verification), 2 (notification) or 3 (marketing)');
  const id = newId('UTA');
  const now = Date.now();
  await db
    .insertInto('templates')
    .values({
      id,
      account_id: input.accountId,
      name: (input.name ?? id).slice(0, 32),
      content,
      purpose,
      status: input.approve ? TemplateStatus.Approved : TemplateStatus.Pending,
      param_count: placeholderCount(content),
      reason: '',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function setTemplateStatus(db: Db, accountId: number, id: string, status: number, reason = ''): Promise<boolean> {
  const res = await db
    .updateTable('templates')
    .set({ status, reason, updated_at: Date.now() })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function getTemplate(db: Db, accountId: number, id: string): Promise<Template | undefined> {
  const row = await db.selectFrom('templates').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  return row && toTemplate(row);
}

export async function listTemplates(db: Db, accountId: number): Promise<Template[]> {
  const rows = await db.selectFrom('templates').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
  return rows.map(toTemplate);
}

function toTemplate(r: {
  id: string; account_id: number; name: string; content: string; purpose: number; status: number; param_count: number; reason: string; created_at: number;
}): Template {
  return {
    id: r.id, accountId: Number(r.account_id), name: r.name, content: r.content, purpose: r.purpose,
    status: r.status, paramCount: r.param_count, reason: r.reason, createdAt: Number(r.created_at),
  };
}
