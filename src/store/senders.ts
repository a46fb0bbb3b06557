import type { Db } from './db.ts';
import { newId, TemplateStatus } from './templates.ts';

export interface Sender {
  id: string;
  accountId: number;
  name: string;
  status: number;
  reason: string;
}

/** A sender name: at most 11 characters for an alphanumeric originator, no brackets (the platform adds 【】). */
export function senderNameProblem(name: string): string | undefined {
  if (!name) return 'sender name is empty';
  if (/[【】\[\]]/.test(name)) return 'sender name must not contain brackets';
  if ([...name].length > 20) return 'sender name is longer than 20 characters';
  return undefined;
}

export async function createSender(db: Db, input: { accountId: number; name: string; approve?: boolean }): Promise<string> {
  const problem = senderNameProblem(input.name);
  if (problem) throw new Error(problem);
  const id = newId('SIG');
  await db
    .insertInto('senders')
    .values({
      id,
      account_id: input.accountId,
      name: input.name,
      status: input.approve ? TemplateStatus.Approved : TemplateStatus.Pending,
      reason: '',
      created_at: Date.now(),
    })
    .execute();
  return id;
}

export async function setSenderStatus(db: Db, accountId: number, id: string, status: number, reason = ''): Promise<boolean> {
  const res = await db
    .updateTable('senders')
    .set({ status, reason })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function listSenders(db: Db, accountId: number): Promise<Sender[]> {
  const rows = await db.selectFrom('senders').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, accountId: Number(r.account_id), name: r.name, status: r.status, reason: r.reason }));
}

/** The approved sender with this name, or undefined. */
export async function findApprovedSender(db: Db, accountId: number, name: string): Promise<Sender | undefined> {
  const all = await db
    .selectFrom('senders')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .where('status', '=', TemplateStatus.Approved)
    .executeTakeFirst();
  return all && { id: all.id, accountId: Number(all.account_id), name: all.name, status: all.status, reason: all.reason };
}
