import type { Db } from './db.ts';

/** An account with the settings an operator manages: review shortcut and callback URL. */
export interface AccountWithSettings {
  id: number;
  projectId: string;
  name: string;
  region: string;
  status: string;
  templateAutoApprove: boolean;
  /** '' when pushes are off. */
  callbackUrl: string;
  createdAt: number;
}

/** Every account (or the one with `id`), in id order, with its settings in one query. */
export async function accountsWithSettings(db: Db, id?: number): Promise<AccountWithSettings[]> {
  const rows = await db
    .selectFrom('accounts')
    .leftJoin('account_callbacks', 'account_callbacks.account_id', 'accounts.id')
    .select([
      'accounts.id', 'accounts.project_id', 'accounts.name', 'accounts.region', 'accounts.status',
      'accounts.template_auto_approve', 'accounts.created_at', 'account_callbacks.url',
    ])
    .$if(id !== undefined, (q) => q.where('accounts.id', '=', id!))
    .orderBy('accounts.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    projectId: r.project_id,
    name: r.name,
    region: r.region,
    status: r.status,
    templateAutoApprove: Number(r.template_auto_approve) === 1,
    callbackUrl: r.url ?? '',
    createdAt: Number(r.created_at),
  }));
}

export interface AccountChanges {
  /** active | disabled (a disabled account's keys are refused) */
  status?: string;
  /** ISO 3166 two-letter code, upper case */
  region?: string;
  templateAutoApprove?: boolean;
}

/** False when there is no such account. */
export async function changeAccount(db: Db, id: number, changes: AccountChanges): Promise<boolean> {
  const set = {
    ...(changes.status !== undefined && { status: changes.status }),
    ...(changes.region !== undefined && { region: changes.region }),
    ...(changes.templateAutoApprove !== undefined && { template_auto_approve: changes.templateAutoApprove ? 1 : 0 }),
  };
  if (Object.keys(set).length === 0) return (await db.selectFrom('accounts').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  const res = await db.updateTable('accounts').set(set).where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
