import { insertSignature, parseNewSignature, parseSignatureChanges, planSignatureUpdate } from '../actions/signatures.ts';
import {
  findSender,
  listSenders as storeListSenders,
  setSenderStatus,
  updateSender as storeUpdateSender,
  type Sender,
} from '../store/senders.ts';
import { TemplateStatus } from '../store/templates.ts';
import { accountOf, badInput, notFound, OperatorError, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { optionalBool, optionalString, requiredString, usmsRules, usmsRulesAsync } from './input.ts';
import { accountInScope } from './scope.ts';
import { parseDecision } from './templates.ts';

/** A sender name / signature with its review state; times in unix seconds. The certificate files are not shown. */
export interface SenderView {
  SigId: string;
  AccountId: number;
  SigContent: string;
  SigType: number;
  SigPurpose: number;
  CertificateType: number;
  Description: string;
  International: boolean;
  /** 0 pending, 1 under review, 2 approved, 3 rejected, 4 disabled */
  Status: number;
  /** The reviewer's reason. */
  ErrDesc: string;
  CreateTime: number;
  UpdateTime: number;
}

export function outSender(s: Sender): SenderView {
  return {
    SigId: s.id,
    AccountId: s.accountId,
    SigContent: s.name,
    SigType: s.sigType,
    SigPurpose: s.sigPurpose,
    CertificateType: s.certificateType,
    Description: s.description,
    International: s.international,
    Status: s.status,
    ErrDesc: s.reason,
    CreateTime: Math.floor(s.createdAt / 1000),
    UpdateTime: Math.floor(s.updatedAt / 1000),
  };
}

export async function listSenders(ctx: OperatorContext, q: { AccountId?: number }): Promise<{ Senders: SenderView[] }> {
  const { id } = await accountInScope(ctx, q.AccountId, 'read');
  return { Senders: (await storeListSenders(ctx.db, id)).map(outSender) };
}

/** CreateUSMSSignature's fields (SigContent, SigType, ..., File as base64); `Approve` (operators only) stores it approved. */
export interface NewSenderInput {
  AccountId?: number;
  SigContent?: unknown;
  SigType?: unknown;
  SigPurpose?: unknown;
  CertificateType?: unknown;
  Description?: unknown;
  International?: unknown;
  File?: unknown;
  ProxyFile?: unknown;
  Approve?: unknown;
}

async function refuseDuplicate(ctx: OperatorContext, accountId: number, name: string, exceptId?: string): Promise<void> {
  const existing = await findSender(ctx.db, accountId, { name });
  if (existing && existing.id !== exceptId) throw new OperatorError('conflict', `sender ${name} already exists (SigId ${existing.id})`);
}

/** A new sender, checked by CreateUSMSSignature's rules; under review unless an operator approves it at once. */
export async function createSender(ctx: OperatorContext, input: NewSenderInput) {
  const { id: accountId } = await accountInScope(ctx, input.AccountId, 'write');
  const approve = optionalBool(input.Approve, 'Approve') ?? false;
  if (approve) requireOperator(ctx.actor);
  const f = usmsRules(() => parseNewSignature(input as Record<string, unknown>, 'SigContent'));
  await refuseDuplicate(ctx, accountId, f.name);
  const status = approve ? TemplateStatus.Approved : TemplateStatus.Reviewing;
  const id = await insertSignature(ctx.db, accountId, f, status);
  await audit(ctx.db, ctx.actor, 'sender.create', id, accountId, { SigContent: f.name, Status: status });
  return { SigId: id, SigContent: f.name, Status: status };
}

/** Changes a sender that is not approved yet (UpdateUSMSSignature's rules): any real change goes back to review. */
export async function updateSender(ctx: OperatorContext, sigId: string, input: Omit<NewSenderInput, 'Approve'>): Promise<SenderView> {
  const accountId = accountOf(ctx.actor, input.AccountId, 'write');
  const changes = usmsRules(() => parseSignatureChanges(input as Record<string, unknown>, 'SigContent'));
  if (Object.keys(changes).length === 0) throw badInput('nothing to change: give SigContent, SigType, SigPurpose, CertificateType, Description, International, File or ProxyFile');
  if (changes.name !== undefined) await refuseDuplicate(ctx, accountId, changes.name, sigId);
  const updated = await usmsRulesAsync(() => storeUpdateSender(ctx.db, accountId, sigId, (current) => planSignatureUpdate(current, changes)));
  if (!updated) throw notFound(`no sender ${sigId} in account ${accountId}`);
  await audit(ctx.db, ctx.actor, 'sender.update', sigId, accountId, { Changed: Object.keys(changes), Status: updated.status });
  return outSender(updated);
}

/** An operator's review: approve or reject (the reason is shown to the customer as ErrDesc). */
export async function reviewSender(ctx: OperatorContext, q: { AccountId?: number; SigId: unknown; Decision: unknown; Reason?: unknown }) {
  requireOperator(ctx.actor);
  const accountId = accountOf(ctx.actor, q.AccountId, 'write');
  const sigId = requiredString(q.SigId, 'SigId', 64);
  const decision = parseDecision(q.Decision);
  const reason = optionalString(q.Reason, 'Reason', 500) ?? '';
  const status = decision === 'approve' ? TemplateStatus.Approved : TemplateStatus.Rejected;
  if (!(await setSenderStatus(ctx.db, accountId, sigId, status, reason))) throw notFound(`no sender ${sigId} in account ${accountId}`);
  await audit(ctx.db, ctx.actor, `sender.${decision}`, sigId, accountId, reason ? { Reason: reason } : {});
  return { SigId: sigId, Status: status };
}
