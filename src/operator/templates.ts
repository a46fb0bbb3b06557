import { parseNewTemplate, parseTemplateChanges, planTemplateUpdate, type TemplateFields } from '../actions/templates.ts';
import {
  createTemplate as storeCreateTemplate,
  getTemplate as storeGetTemplate,
  listTemplates as storeListTemplates,
  MAX_TEMPLATE_CHARS,
  setTemplateStatus,
  templateAutoApprove,
  templateContentProblem,
  TemplateStatus,
  updateTemplate as storeUpdateTemplate,
  type Template,
} from '../store/templates.ts';
import { accountOf, badInput, isOperator, notFound, requireOperator, type Actor } from './actor.ts';
import { audit } from './audit.ts';
import { refuseBlockedTemplate } from './content.ts';
import type { OperatorContext } from './context.ts';
import { optionalBool, optionalString, requiredString, usmsRules, usmsRulesAsync } from './input.ts';
import { accountInScope } from './scope.ts';

/** A template as QueryUSMSTemplate answers it (CreateTime in unix seconds), with its account and review fields. */
export interface TemplateView {
  TemplateId: string;
  AccountId: number;
  Purpose: number;
  TemplateName: string;
  Template: string;
  /** 0 pending, 1 under review, 2 approved, 3 rejected, 4 disabled */
  Status: number;
  Remark: string;
  /** The reviewer's reason. */
  ErrDesc: string;
  Instruction: string;
  UnsubscribeInfo: string;
  International: boolean;
  ParamCount: number;
  CreateTime: number;
  UpdateTime: number;
}

export function outTemplate(t: Template): TemplateView {
  return {
    TemplateId: t.id,
    AccountId: t.accountId,
    Purpose: t.purpose,
    TemplateName: t.name,
    Template: t.content,
    Status: t.status,
    Remark: t.remark,
    ErrDesc: t.reason,
    Instruction: t.instruction,
    UnsubscribeInfo: t.unsubscribeInfo,
    International: t.international,
    ParamCount: t.paramCount,
    CreateTime: Math.floor(t.createdAt / 1000),
    UpdateTime: Math.floor(t.updatedAt / 1000),
  };
}

export async function listTemplates(ctx: OperatorContext, q: { AccountId?: number }): Promise<{ Templates: TemplateView[] }> {
  const { id } = await accountInScope(ctx, q.AccountId, 'read');
  return { Templates: (await storeListTemplates(ctx.db, id)).map(outTemplate) };
}

/** CreateUSMSTemplate's fields; `Approve` (operators only) stores the template approved. */
export interface NewTemplateInput {
  AccountId?: number;
  TemplateName?: unknown;
  Template?: unknown;
  Purpose?: unknown;
  Remark?: unknown;
  Instruction?: unknown;
  UnsubscribeInfo?: unknown;
  International?: unknown;
  Approve?: unknown;
}

/**
 * A new template, checked by CreateUSMSTemplate's rules. It starts under review, or approved when the
 * account is auto-approved or an operator approves it at once.
 */
export async function createTemplate(ctx: OperatorContext, input: NewTemplateInput) {
  const { id: accountId } = await accountInScope(ctx, input.AccountId, 'write');
  const approve = optionalBool(input.Approve, 'Approve') ?? false;
  if (approve) requireOperator(ctx.actor);
  const f = newTemplateFields(ctx.actor, input);
  await refuseBlockedTemplate(ctx.db, accountId, f.content);
  const status = approve || (await templateAutoApprove(ctx.db, accountId)) ? TemplateStatus.Approved : TemplateStatus.Reviewing;
  const id = await storeCreateTemplate(ctx.db, {
    accountId,
    content: f.content,
    name: f.name,
    purpose: f.purpose,
    status,
    remark: f.remark,
    unsubscribeInfo: f.unsubscribeInfo,
    instruction: f.instruction,
    international: f.international,
  });
  await audit(ctx.db, ctx.actor, 'template.create', id, accountId, { TemplateName: f.name ?? id, Purpose: f.purpose, Status: status });
  return { TemplateId: id, Status: status };
}

/**
 * CreateUSMSTemplate's rules. Operators may leave the name out (the template is then named by its id)
 * and may store a template that is nothing but placeholders (a relay's pass-through text), which the
 * customer API refuses; every other field follows the same rules.
 */
function newTemplateFields(actor: Actor, input: NewTemplateInput): Omit<TemplateFields, 'name'> & { name?: string } {
  const params = input as Record<string, unknown>;
  if (!isOperator(actor)) return usmsRules(() => parseNewTemplate(params));
  const { Template: text, ...rest } = params;
  const f = usmsRules(() => parseTemplateChanges(rest));
  const content = requiredString(text, 'Template', MAX_TEMPLATE_CHARS * 4);
  const problem = templateContentProblem(content);
  if (problem) throw badInput(`Template: ${problem}`);
  if (f.purpose === undefined) throw badInput('Purpose is required: 1 verification code, 2 notification, 3 marketing');
  if (f.purpose === 3 && !f.unsubscribeInfo) throw badInput('UnsubscribeInfo: a marketing template (Purpose 3) needs an unsubscribe note, e.g. "Reply T to unsubscribe"');
  return {
    purpose: f.purpose,
    name: f.name,
    content,
    remark: f.remark ?? '',
    unsubscribeInfo: f.unsubscribeInfo ?? '',
    instruction: f.instruction ?? '',
    international: f.international ?? false,
  };
}

/**
 * Changes a template that is not approved yet, by UpdateUSMSTemplate's rules (planTemplateUpdate): a
 * real change sends it back to review, or approves it when the account is auto-approved.
 */
export async function updateTemplate(ctx: OperatorContext, templateId: string, input: Omit<NewTemplateInput, 'Approve'>): Promise<TemplateView> {
  const accountId = accountOf(ctx.actor, input.AccountId, 'write');
  const changes = usmsRules(() => parseTemplateChanges(input as Record<string, unknown>));
  if (Object.keys(changes).length === 0) throw badInput('nothing to change: give Template, TemplateName, Purpose, Remark, Instruction, UnsubscribeInfo or International');
  if (changes.content !== undefined) await refuseBlockedTemplate(ctx.db, accountId, changes.content);
  const auto = await templateAutoApprove(ctx.db, accountId);
  const updated = await usmsRulesAsync(() => storeUpdateTemplate(ctx.db, accountId, templateId, (current) => planTemplateUpdate(current, changes, auto)));
  if (!updated) throw notFound(`no template ${templateId} in account ${accountId}`);
  await audit(ctx.db, ctx.actor, 'template.update', templateId, accountId, { Changed: Object.keys(changes), Status: updated.status });
  return outTemplate(updated);
}

export type Decision = 'approve' | 'reject';

export function parseDecision(raw: unknown): Decision {
  if (raw !== 'approve' && raw !== 'reject') throw badInput('Decision: approve or reject');
  return raw;
}

/** An operator's review: approve or reject (the reason is shown to the customer as ErrDesc). */
export async function reviewTemplate(ctx: OperatorContext, q: { AccountId?: number; TemplateId: unknown; Decision: unknown; Reason?: unknown }) {
  requireOperator(ctx.actor);
  const accountId = accountOf(ctx.actor, q.AccountId, 'write');
  const templateId = requiredString(q.TemplateId, 'TemplateId', 64);
  const decision = parseDecision(q.Decision);
  const reason = optionalString(q.Reason, 'Reason', 500) ?? '';
  const status = decision === 'approve' ? TemplateStatus.Approved : TemplateStatus.Rejected;
  if (!(await setTemplateStatus(ctx.db, accountId, templateId, status, reason))) throw notFound(`no template ${templateId} in account ${accountId}`);
  await audit(ctx.db, ctx.actor, `template.${decision}`, templateId, accountId, reason ? { Reason: reason } : {});
  return { TemplateId: templateId, Status: status };
}

/** One template of the account in scope. */
export async function getTemplate(ctx: OperatorContext, q: { AccountId?: number; TemplateId: string }): Promise<TemplateView> {
  const accountId = accountOf(ctx.actor, q.AccountId, 'read');
  const t = await storeGetTemplate(ctx.db, accountId, q.TemplateId);
  if (!t) throw notFound(`no template ${q.TemplateId} in account ${accountId}`);
  return outTemplate(t);
}
