import { describeRule } from '../compliance/content-rules.ts';
import { RetCode, UsmsError, invalidParameter, missingParameter } from '../sms/errors.ts';
import {
  MAX_TEMPLATE_NAME_CHARS,
  TemplateStatus,
  createTemplate,
  deleteTemplates,
  getTemplates,
  pageTemplates,
  templateAutoApprove,
  templateContentProblem,
  updateTemplate,
  type Template,
  type TemplatePatch,
} from '../store/templates.ts';
import type { ActionAnswer, ActionContext } from './context.ts';

/*
 * Customer-side template management: CreateUSMSTemplate, QueryUSMSTemplate, UpdateUSMSTemplate,
 * DeleteUSMSTemplate (reference sheet section 3). Every query is scoped to the caller's account; a
 * template of another account answers exactly like an unknown one (18017).
 */

export const MAX_REMARK_CHARS = 128;
export const MAX_INSTRUCTION_CHARS = 500;
export const MAX_UNSUBSCRIBE_CHARS = 64;
export const MAX_IDS_PER_REQUEST = 100;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

// ---- parameter readers (shared with signatures.ts); params arrive as strings (UCloud) or JSON values (uSpeedo, REST)

const chars = (s: string) => [...s].length;

/** A string param: undefined when absent; numbers are taken as their text; `max` in characters. */
export function stringParam(params: Record<string, unknown>, name: string, opts: { max: number; required?: boolean }): string | undefined {
  const v = params[name];
  if (v === undefined || v === null || (v === '' && opts.required)) {
    if (opts.required) throw missingParameter(name);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw invalidParameter(name, 'must be a string');
  const s = String(v);
  if (opts.required && !s.trim()) throw missingParameter(name);
  if (chars(s) > opts.max) throw invalidParameter(name, `at most ${opts.max} characters, got ${chars(s)}`);
  return s;
}

/** An integer param within [min, max]: a JSON number or a string of digits. Undefined when absent or empty. */
export function intParam(params: Record<string, unknown>, name: string, opts: { min: number; max: number; required?: boolean; why?: string }): number | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') {
    if (opts.required) throw missingParameter(name);
    return undefined;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d{1,9}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < opts.min || n > opts.max) {
    throw invalidParameter(name, opts.why ?? `must be an integer from ${opts.min} to ${opts.max}`);
  }
  return n;
}

/** A boolean param: true/false, 1/0, or their text. Undefined when absent or empty. */
export function boolParam(params: Record<string, unknown>, name: string): boolean | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  throw invalidParameter(name, 'must be true or false');
}

/**
 * A list of ids: a JSON array, UCloud's flattened `Name.0`, `Name.1` (already unflattened by the dialect)
 * or a single id. Empty when absent. Duplicates are dropped, order kept.
 */
export function idListParam(params: Record<string, unknown>, name: string, max = MAX_IDS_PER_REQUEST): string[] {
  const v = params[name];
  if (v === undefined || v === null || v === '') return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 64)) {
    throw invalidParameter(name, 'each item must be an id string');
  }
  const ids = [...new Set(list as string[])];
  if (ids.length > max) throw invalidParameter(name, `at most ${max} ids per request, got ${ids.length}`);
  return ids;
}

// ---- validation of template fields (pure)

const PURPOSE_WHY = 'must be 1 (verification code), 2 (notification) or 3 (marketing)';
const Marketing = 3;

/** Why `content` cannot be a template: empty, too long, placeholders with gaps, or nothing but placeholders. */
export function templateTextProblem(content: string): string | undefined {
  const problem = templateContentProblem(content);
  if (problem) return problem;
  if (!content.replace(/\{\d{1,2}\}/g, '').trim()) return 'a template must contain text besides its placeholders';
  return undefined;
}

function templateText(params: Record<string, unknown>, required: boolean): string | undefined {
  const content = stringParam(params, 'Template', { max: Number.MAX_SAFE_INTEGER, required });
  if (content === undefined) return undefined;
  const problem = templateTextProblem(content);
  if (problem) throw invalidParameter('Template', problem);
  return content;
}

function templateName(params: Record<string, unknown>, required: boolean): string | undefined {
  const name = stringParam(params, 'TemplateName', { max: MAX_TEMPLATE_NAME_CHARS, required });
  if (name !== undefined && !name.trim()) throw invalidParameter('TemplateName', 'must not be empty');
  return name;
}

const missingUnsubscribe = () =>
  new UsmsError(
    RetCode.MissingParameter,
    'Missing parameter [UnsubscribeInfo]: a marketing template (Purpose 3) needs an unsubscribe note, e.g. "Reply T to unsubscribe"',
  );

export interface TemplateFields {
  purpose: number;
  name: string;
  content: string;
  remark: string;
  unsubscribeInfo: string;
  instruction: string;
  international: boolean;
}

/** CreateUSMSTemplate's params, checked. Throws UsmsError (18001 missing, 18003 invalid). */
export function parseNewTemplate(params: Record<string, unknown>): TemplateFields {
  const purpose = intParam(params, 'Purpose', { min: 1, max: 3, required: true, why: PURPOSE_WHY })!;
  const name = templateName(params, true)!;
  const content = templateText(params, true)!;
  const remark = stringParam(params, 'Remark', { max: MAX_REMARK_CHARS }) ?? '';
  const instruction = stringParam(params, 'Instruction', { max: MAX_INSTRUCTION_CHARS }) ?? '';
  const unsubscribeInfo = (stringParam(params, 'UnsubscribeInfo', { max: MAX_UNSUBSCRIBE_CHARS }) ?? '').trim();
  const international = boolParam(params, 'International') ?? false;
  if (purpose === Marketing && !unsubscribeInfo) throw missingUnsubscribe();
  return { purpose, name, content, remark, unsubscribeInfo, instruction, international };
}

/** UpdateUSMSTemplate's optional fields, checked; only the ones sent are set. */
export function parseTemplateChanges(params: Record<string, unknown>): Partial<TemplateFields> {
  const out: Partial<TemplateFields> = {};
  const purpose = intParam(params, 'Purpose', { min: 1, max: 3, why: PURPOSE_WHY });
  if (purpose !== undefined) out.purpose = purpose;
  const name = templateName(params, false);
  if (name !== undefined) out.name = name;
  const content = templateText(params, false);
  if (content !== undefined) out.content = content;
  const remark = stringParam(params, 'Remark', { max: MAX_REMARK_CHARS });
  if (remark !== undefined) out.remark = remark;
  const instruction = stringParam(params, 'Instruction', { max: MAX_INSTRUCTION_CHARS });
  if (instruction !== undefined) out.instruction = instruction;
  const unsubscribe = stringParam(params, 'UnsubscribeInfo', { max: MAX_UNSUBSCRIBE_CHARS });
  if (unsubscribe !== undefined) out.unsubscribeInfo = unsubscribe.trim();
  const international = boolParam(params, 'International');
  if (international !== undefined) out.international = international;
  return out;
}

/**
 * What an update does to `current`: refused once approved (2) or disabled (4); a change of the name alone
 * keeps the review status; any other change (text, purpose, unsubscribe note, remark...) is a new
 * submission: back to review (1), or approved at once (2) when the account is auto-approved, ErrDesc cleared.
 * Fields equal to the current ones are no change.
 */
export function planTemplateUpdate(current: Template, changes: Partial<TemplateFields>, autoApprove: boolean): TemplatePatch {
  if (current.status === TemplateStatus.Approved) {
    throw new UsmsError(RetCode.InvalidParameter, `template ${current.id} is approved and can no longer be changed; create a new template instead`);
  }
  if (current.status === TemplateStatus.Disabled) {
    throw new UsmsError(RetCode.InvalidParameter, `template ${current.id} is disabled by the operator and cannot be changed`);
  }
  const patch: TemplatePatch = {};
  if (changes.name !== undefined && changes.name !== current.name) patch.name = changes.name;
  if (changes.content !== undefined && changes.content !== current.content) patch.content = changes.content;
  if (changes.purpose !== undefined && changes.purpose !== current.purpose) patch.purpose = changes.purpose;
  if (changes.remark !== undefined && changes.remark !== current.remark) patch.remark = changes.remark;
  if (changes.instruction !== undefined && changes.instruction !== current.instruction) patch.instruction = changes.instruction;
  if (changes.unsubscribeInfo !== undefined && changes.unsubscribeInfo !== current.unsubscribeInfo) patch.unsubscribeInfo = changes.unsubscribeInfo;
  if (changes.international !== undefined && changes.international !== current.international) patch.international = changes.international;
  if ((patch.purpose ?? current.purpose) === Marketing && !(patch.unsubscribeInfo ?? current.unsubscribeInfo)) throw missingUnsubscribe();
  const resubmitted = Object.keys(patch).some((k) => k !== 'name');
  if (resubmitted) {
    patch.status = autoApprove ? TemplateStatus.Approved : TemplateStatus.Reviewing;
    patch.reason = '';
  }
  return patch;
}

/** OutTemplate as QueryUSMSTemplate answers it; CreateTime in unix seconds. */
export function outTemplate(t: Template): Record<string, unknown> {
  return {
    TemplateId: t.id,
    Purpose: t.purpose,
    TemplateName: t.name,
    Template: t.content,
    Status: t.status,
    Remark: t.remark,
    ErrDesc: t.reason,
    CreateTime: Math.floor(t.createdAt / 1000),
    Instruction: t.instruction,
    UnsubscribeInfo: t.unsubscribeInfo,
  };
}

const unknownTemplates = (ids: string[]) =>
  new UsmsError(
    RetCode.TemplateNotApproved,
    ids.length === 1 ? `template ${ids[0]} does not exist` : `templates ${ids.join(', ')} do not exist`,
  );

// ---- actions

/** 18023 naming the rule when the template's text breaks one (platform-wide or the account's). */
async function refuseBlockedText(ctx: ActionContext, content: string): Promise<void> {
  const broken = (await ctx.services.contentRules.forAccount(ctx.caller.accountId)).find(content);
  if (broken) throw new UsmsError(RetCode.BlockedKeyword, `template contains the blocked ${describeRule(broken)}`);
}

/** CreateUSMSTemplate -> TemplateId. Starts under review (1), or approved (2) when the operator auto-approves the account. */
export async function createTemplateAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const f = parseNewTemplate(params);
  await refuseBlockedText(ctx, f.content);
  const { db } = ctx.services;
  const accountId = ctx.caller.accountId;
  const auto = await templateAutoApprove(db, accountId);
  const id = await createTemplate(db, {
    accountId,
    content: f.content,
    name: f.name,
    purpose: f.purpose,
    status: auto ? TemplateStatus.Approved : TemplateStatus.Reviewing,
    remark: f.remark,
    unsubscribeInfo: f.unsubscribeInfo,
    instruction: f.instruction,
    international: f.international,
  });
  return { fields: { TemplateId: id } };
}

/**
 * QueryUSMSTemplate: `TemplateId` as one id or a list -> `Data[]` with the caller's templates among them
 * (unknown ids and other accounts' ids are left out). Without TemplateId: all of the account's templates,
 * newest first, paged by `Page` (0-based) and `NumPerPage` (default 100, at most 1000), with `Total`.
 *
 * The UCloud dialect with one plain `TemplateId` (what the UCloud SDKs send) answers `Data` as that one
 * template object, as those SDKs read it. An unknown id (or another account's) is then 18017, not an empty
 * object: the Python SDK converts every OutTemplate field of a success and fails on missing ones, while
 * a non-zero RetCode reaches the caller as the SDK's ordinary API error.
 */
export async function queryTemplateAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const ids = idListParam(params, 'TemplateId');
  const { db } = ctx.services;
  if (ids.length > 0) {
    const found = await getTemplates(db, ctx.caller.accountId, ids);
    if (ctx.dialect === 'ucloud' && !Array.isArray(params.TemplateId)) {
      if (!found[0]) throw unknownTemplates(ids);
      return { fields: { Data: outTemplate(found[0]) } };
    }
    return { fields: { Data: found.map(outTemplate) } };
  }
  const page = intParam(params, 'Page', { min: 0, max: 1_000_000 }) ?? 0;
  const perPage = intParam(params, 'NumPerPage', { min: 1, max: MAX_PAGE_SIZE }) ?? DEFAULT_PAGE_SIZE;
  const { templates, total } = await pageTemplates(db, ctx.caller.accountId, page, perPage);
  return { fields: { Data: templates.map(outTemplate), Total: total } };
}

/** UpdateUSMSTemplate: only while not approved; see planTemplateUpdate for what happens to the review status. */
export async function updateTemplateAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const id = stringParam(params, 'TemplateId', { max: 64, required: true })!;
  const changes = parseTemplateChanges(params);
  if (Object.keys(changes).length === 0) {
    throw new UsmsError(RetCode.MissingParameter, 'Missing parameter [Template]: give the new Template or TemplateName (or Remark, Instruction, UnsubscribeInfo, Purpose)');
  }
  if (changes.content !== undefined) await refuseBlockedText(ctx, changes.content);
  const { db } = ctx.services;
  const auto = await templateAutoApprove(db, ctx.caller.accountId);
  const updated = await updateTemplate(db, ctx.caller.accountId, id, (current) => planTemplateUpdate(current, changes, auto));
  if (!updated) throw unknownTemplates([id]);
  return { fields: {} };
}

/** DeleteUSMSTemplate: `TemplateIds[]`, all or nothing; one unknown (or another account's) id -> 18017, nothing deleted. */
export async function deleteTemplateAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  let ids = idListParam(params, 'TemplateIds');
  if (ids.length === 0) ids = idListParam(params, 'TemplateId');
  if (ids.length === 0) throw missingParameter('TemplateIds');
  const { missing } = await deleteTemplates(ctx.services.db, ctx.caller.accountId, ids);
  if (missing.length) throw unknownTemplates(missing);
  return { fields: {} };
}
