import type { Selectable } from 'kysely';
import { randomToken } from '../auth/secrets.ts';
import { placeholderCount } from '../sms/template.ts';
import type { Db } from './db.ts';
import type { TemplateTable } from './schema.ts';

export const TemplateStatus = { Pending: 0, Reviewing: 1, Approved: 2, Rejected: 3, Disabled: 4 } as const;

export const MAX_TEMPLATE_CHARS = 500;
export const MAX_TEMPLATE_NAME_CHARS = 32;

export interface Template {
  id: string;
  accountId: number;
  name: string;
  content: string;
  purpose: number;
  status: number;
  paramCount: number;
  /** The reviewer's reason (answered as ErrDesc). */
  reason: string;
  remark: string;
  unsubscribeInfo: string;
  instruction: string;
  international: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Ids look like UCloud's: `UTA` + yymmdd + 6 characters, e.g. UTA261122K3X9QZ. */
export function newId(prefix: string): string {
  const d = new Date();
  const ymd = `${d.getUTCFullYear() % 100}`.padStart(2, '0') + `${d.getUTCMonth() + 1}`.padStart(2, '0') + `${d.getUTCDate()}`.padStart(2, '0');
  return prefix + ymd + randomToken(6, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
}

/** Why a template text cannot be stored (empty, too long, placeholders with gaps), or undefined. */
export function templateContentProblem(content: string): string | undefined {
  if (!content.trim()) return 'template content is empty';
  const chars = [...content].length;
  if (chars > MAX_TEMPLATE_CHARS) return `template content is ${chars} characters, more than ${MAX_TEMPLATE_CHARS}`;
  try {
    placeholderCount(content);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

export interface NewTemplate {
  accountId: number;
  content: string;
  name?: string;
  purpose?: number;
  /** Operator shortcut: store as approved. */
  approve?: boolean;
  /** Explicit initial status (wins over `approve`); default 0 pending. */
  status?: number;
  remark?: string;
  unsubscribeInfo?: string;
  instruction?: string;
  international?: boolean;
}

export async function createTemplate(db: Db, input: NewTemplate): Promise<string> {
  const content = input.content;
  const problem = templateContentProblem(content);
  if (problem) throw new Error(problem);
  const purpose = input.purpose ?? 2;
  if (![1, 2, 3].includes(purpose)) throw new Error('purpose must be 1 (verification), 2 (notification) or 3 (marketing)');
  const id = newId('UTA');
  const now = Date.now();
  await db
    .insertInto('templates')
    .values({
      id,
      account_id: input.accountId,
      name: [...(input.name ?? id)].slice(0, MAX_TEMPLATE_NAME_CHARS).join(''),
      content,
      purpose,
      status: input.status ?? (input.approve ? TemplateStatus.Approved : TemplateStatus.Pending),
      param_count: placeholderCount(content),
      reason: '',
      created_at: now,
      updated_at: now,
      remark: input.remark ?? '',
      unsubscribe_info: input.unsubscribeInfo ?? '',
      instruction: input.instruction ?? '',
      international: input.international ? 1 : 0,
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

/** The account's templates among `ids`, in the order asked; ids of other accounts or unknown ids are left out. */
export async function getTemplates(db: Db, accountId: number, ids: readonly string[]): Promise<Template[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('templates').selectAll().where('account_id', '=', accountId).where('id', 'in', [...ids]).execute();
  const byId = new Map(rows.map((r) => [r.id, toTemplate(r)]));
  return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
}

export async function listTemplates(db: Db, accountId: number): Promise<Template[]> {
  const rows = await db.selectFrom('templates').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toTemplate);
}

/** One page of the account's templates, newest first, and how many there are in all. */
export async function pageTemplates(db: Db, accountId: number, page: number, perPage: number): Promise<{ templates: Template[]; total: number }> {
  const count = await db
    .selectFrom('templates')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('templates')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset(page * perPage)
    .execute();
  return { templates: rows.map(toTemplate), total: Number(count?.n ?? 0) };
}

export interface TemplatePatch {
  name?: string;
  content?: string;
  purpose?: number;
  status?: number;
  reason?: string;
  remark?: string;
  unsubscribeInfo?: string;
  instruction?: string;
  international?: boolean;
}

/**
 * Changes one of the account's templates. `decide` sees the current row and returns the change (or throws
 * to refuse it); the write only lands if the row did not change in between (else `decide` runs again on
 * the fresh row), so a concurrent operator approval cannot be overwritten. Undefined when there is no such template.
 */
export async function updateTemplate(
  db: Db,
  accountId: number,
  id: string,
  decide: (current: Template) => TemplatePatch,
): Promise<Template | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getTemplate(db, accountId, id);
    if (!current) return undefined;
    const p = decide(current);
    const updatedAt = Math.max(Date.now(), current.updatedAt + 1);
    const res = await db
      .updateTable('templates')
      .set({
        ...(p.name !== undefined && { name: p.name }),
        ...(p.content !== undefined && { content: p.content, param_count: placeholderCount(p.content) }),
        ...(p.purpose !== undefined && { purpose: p.purpose }),
        ...(p.status !== undefined && { status: p.status }),
        ...(p.reason !== undefined && { reason: p.reason }),
        ...(p.remark !== undefined && { remark: p.remark }),
        ...(p.unsubscribeInfo !== undefined && { unsubscribe_info: p.unsubscribeInfo }),
        ...(p.instruction !== undefined && { instruction: p.instruction }),
        ...(p.international !== undefined && { international: p.international ? 1 : 0 }),
        updated_at: updatedAt,
      })
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('status', '=', current.status)
      .where('updated_at', '=', current.updatedAt)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) return (await getTemplate(db, accountId, id)) ?? undefined;
  }
  throw new Error(`template ${id} kept changing while being updated`);
}

/**
 * Deletes the account's templates `ids`, all or none: when one of them is not the account's, nothing is
 * deleted and `missing` names them. Messages already queued keep their rendered text and are not touched.
 */
export async function deleteTemplates(db: Db, accountId: number, ids: readonly string[]): Promise<{ deleted: number; missing: string[] }> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return { deleted: 0, missing: [] };
  return db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('templates').select('id').where('account_id', '=', accountId).where('id', 'in', wanted).execute();
    const have = new Set(found.map((r) => r.id));
    const missing = wanted.filter((id) => !have.has(id));
    if (missing.length) return { deleted: 0, missing };
    const res = await trx.deleteFrom('templates').where('account_id', '=', accountId).where('id', 'in', wanted).executeTakeFirst();
    return { deleted: Number(res.numDeletedRows), missing: [] };
  });
}

/** Whether the operator lets this account's submitted templates through without review. */
export async function templateAutoApprove(db: Db, accountId: number): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('template_auto_approve').where('id', '=', accountId).executeTakeFirst();
  return Number(row?.template_auto_approve ?? 0) === 1;
}

/** False when there is no such account. */
export async function setTemplateAutoApprove(db: Db, accountId: number, on: boolean): Promise<boolean> {
  const res = await db.updateTable('accounts').set({ template_auto_approve: on ? 1 : 0 }).where('id', '=', accountId).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

function toTemplate(r: Selectable<TemplateTable>): Template {
  return {
    id: r.id,
    accountId: Number(r.account_id),
    name: r.name,
    content: r.content,
    purpose: Number(r.purpose),
    status: Number(r.status),
    paramCount: Number(r.param_count),
    reason: r.reason,
    remark: r.remark ?? '',
    unsubscribeInfo: r.unsubscribe_info ?? '',
    instruction: r.instruction ?? '',
    international: Number(r.international) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
