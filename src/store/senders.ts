import type { Selectable } from 'kysely';
import type { Db } from './db.ts';
import type { SenderTable } from './schema.ts';
import { newId, TemplateStatus } from './templates.ts';

export const MIN_SENDER_CHARS = 2;
export const MAX_SENDER_CHARS = 20;

export interface Sender {
  id: string;
  accountId: number;
  /** SigContent / SenderId. */
  name: string;
  status: number;
  /** The reviewer's reason (answered as ErrDesc). */
  reason: string;
  sigType: number;
  sigPurpose: number;
  certificateType: number;
  description: string;
  international: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * A sender name / signature: 2 to 20 characters, no brackets (for China the platform adds 【】 itself),
 * no control characters, no surrounding spaces.
 */
export function senderNameProblem(name: string): string | undefined {
  if (!name) return 'sender name is empty';
  if (/[【】\[\]]/.test(name)) return 'sender name must not contain brackets (【】 or []): the platform adds them';
  if (/\p{Cc}/u.test(name)) return 'sender name must not contain control characters';
  if (name.trim() !== name) return 'sender name must not start or end with spaces';
  const chars = [...name].length;
  if (chars < MIN_SENDER_CHARS) return `sender name is shorter than ${MIN_SENDER_CHARS} characters`;
  if (chars > MAX_SENDER_CHARS) return `sender name is longer than ${MAX_SENDER_CHARS} characters`;
  return undefined;
}

export interface NewSender {
  accountId: number;
  name: string;
  /** Operator shortcut: store as approved. */
  approve?: boolean;
  /** Explicit initial status (wins over `approve`); default 0 pending. */
  status?: number;
  sigType?: number;
  sigPurpose?: number;
  certificateType?: number;
  description?: string;
  international?: boolean;
  file?: string;
  proxyFile?: string;
}

export async function createSender(db: Db, input: NewSender): Promise<string> {
  const problem = senderNameProblem(input.name);
  if (problem) throw new Error(problem);
  const id = newId('SIG');
  const now = Date.now();
  await db
    .insertInto('senders')
    .values({
      id,
      account_id: input.accountId,
      name: input.name,
      status: input.status ?? (input.approve ? TemplateStatus.Approved : TemplateStatus.Pending),
      reason: '',
      created_at: now,
      updated_at: now,
      sig_type: input.sigType ?? 0,
      sig_purpose: input.sigPurpose ?? 0,
      certificate_type: input.certificateType ?? 0,
      description: input.description ?? '',
      international: input.international ? 1 : 0,
      file: input.file ?? null,
      proxy_file: input.proxyFile ?? null,
    })
    .execute();
  return id;
}

export async function setSenderStatus(db: Db, accountId: number, id: string, status: number, reason = ''): Promise<boolean> {
  const res = await db
    .updateTable('senders')
    .set({ status, reason, updated_at: Date.now() })
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function listSenders(db: Db, accountId: number): Promise<Sender[]> {
  const rows = await db.selectFrom('senders').select(COLUMNS).where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toSender);
}

/** One of the account's senders by id and/or name (both must match when both are given). */
export async function findSender(db: Db, accountId: number, by: { id?: string; name?: string }): Promise<Sender | undefined> {
  if (by.id === undefined && by.name === undefined) return undefined;
  let q = db.selectFrom('senders').select(COLUMNS).where('account_id', '=', accountId);
  if (by.id !== undefined) q = q.where('id', '=', by.id);
  if (by.name !== undefined) q = q.where('name', '=', by.name);
  const row = await q.orderBy('created_at').orderBy('id').executeTakeFirst();
  return row && toSender(row);
}

/** The approved sender with this name, or undefined. */
export async function findApprovedSender(db: Db, accountId: number, name: string): Promise<Sender | undefined> {
  const row = await db
    .selectFrom('senders')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .where('name', '=', name)
    .where('status', '=', TemplateStatus.Approved)
    .executeTakeFirst();
  return row && toSender(row);
}

export interface SenderPatch {
  name?: string;
  status?: number;
  reason?: string;
  sigType?: number;
  sigPurpose?: number;
  certificateType?: number;
  description?: string;
  international?: boolean;
  file?: string;
  proxyFile?: string;
}

/**
 * Changes one of the account's senders; `decide` sees the current row and returns the change or throws.
 * Optimistic like updateTemplate: a concurrent change makes `decide` run again. Undefined when there is no such sender.
 */
export async function updateSender(db: Db, accountId: number, id: string, decide: (current: Sender) => SenderPatch): Promise<Sender | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await findSender(db, accountId, { id });
    if (!current) return undefined;
    const p = decide(current);
    const res = await db
      .updateTable('senders')
      .set({
        ...(p.name !== undefined && { name: p.name }),
        ...(p.status !== undefined && { status: p.status }),
        ...(p.reason !== undefined && { reason: p.reason }),
        ...(p.sigType !== undefined && { sig_type: p.sigType }),
        ...(p.sigPurpose !== undefined && { sig_purpose: p.sigPurpose }),
        ...(p.certificateType !== undefined && { certificate_type: p.certificateType }),
        ...(p.description !== undefined && { description: p.description }),
        ...(p.international !== undefined && { international: p.international ? 1 : 0 }),
        ...(p.file !== undefined && { file: p.file }),
        ...(p.proxyFile !== undefined && { proxy_file: p.proxyFile }),
        updated_at: Math.max(Date.now(), current.updatedAt + 1),
      })
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .where('status', '=', current.status)
      .where('updated_at', '=', current.updatedAt)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) return findSender(db, accountId, { id });
  }
  throw new Error(`sender ${id} kept changing while being updated`);
}

/** Deletes the account's senders `ids`, all or none (see deleteTemplates). */
export async function deleteSenders(db: Db, accountId: number, ids: readonly string[]): Promise<{ deleted: number; missing: string[] }> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return { deleted: 0, missing: [] };
  return db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('senders').select('id').where('account_id', '=', accountId).where('id', 'in', wanted).execute();
    const have = new Set(found.map((r) => r.id));
    const missing = wanted.filter((id) => !have.has(id));
    if (missing.length) return { deleted: 0, missing };
    const res = await trx.deleteFrom('senders').where('account_id', '=', accountId).where('id', 'in', wanted).executeTakeFirst();
    return { deleted: Number(res.numDeletedRows), missing: [] };
  });
}

/** Every column but the certificate files (large, and only the operator's review needs them). */
const COLUMNS = [
  'id', 'account_id', 'name', 'status', 'reason', 'created_at', 'updated_at',
  'sig_type', 'sig_purpose', 'certificate_type', 'description', 'international',
] as const;

function toSender(r: Omit<Selectable<SenderTable>, 'file' | 'proxy_file'>): Sender {
  return {
    id: r.id,
    accountId: Number(r.account_id),
    name: r.name,
    status: Number(r.status),
    reason: r.reason,
    sigType: Number(r.sig_type ?? 0),
    sigPurpose: Number(r.sig_purpose ?? 0),
    certificateType: Number(r.certificate_type ?? 0),
    description: r.description ?? '',
    international: Number(r.international) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at ?? 0),
  };
}
