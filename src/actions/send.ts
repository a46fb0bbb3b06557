import { v7 as timeOrderedUuid } from 'uuid';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { normalizeParams } from '../sms/template.ts';
import { BLACKLISTED, validateTarget, type MessageDraft } from '../sms/validate.ts';
import type { NewSession } from '../store/sessions.ts';
import type { Template } from '../store/templates.ts';
import type { ActionContext } from './context.ts';
import { itemChecker } from './params-check.ts';
import { TaskGroup, Target } from './send-schemas.ts';

export type SenderField = 'SigContent' | 'SenderId';

export interface BatchOptions {
  action: string;
  senderField: SenderField;
  maxNumbers: number;
  /** REST v1 answers one SessionNo per task group; the action dialects one per request. */
  sessionPerGroup: boolean;
  /** Store nothing unless every target passes (SendUSMSMessage has no FailContent to report a partial send). */
  allOrNothing?: boolean;
}

/** One refused target, echoed back as the caller sent it. */
export interface FailedTarget {
  group: number;
  target: Record<string, unknown>;
  reason: string;
  retCode: number;
  /** The whole group failed its template or sender check. */
  groupLevel: boolean;
}

export interface BatchOutcome {
  sessionNos: string[];
  successCount: number;
  failed: FailedTarget[];
  groups: Array<{ templateId: unknown; sender: unknown; senderField: SenderField }>;
}

const groupProblem = itemChecker(TaskGroup, 'task');
const targetProblem = itemChecker(Target, 'Target');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates every target of a batch, stores the accepted ones (session + messages in one transaction)
 * and reports each refused target with its reason. Throws only when the request as a whole is refused.
 */
export async function sendBatch(ctx: ActionContext, tasks: unknown, opts: BatchOptions): Promise<BatchOutcome> {
  if (tasks === undefined || tasks === null || tasks === '') throw new UsmsError(RetCode.MissingParameter, 'Missing parameter [TaskContent]');
  if (!Array.isArray(tasks) || tasks.length === 0) throw new UsmsError(RetCode.BadFormat, 'TaskContent must be a non-empty JSON array');
  let total = 0;
  for (const g of tasks) if (isObject(g) && Array.isArray(g.Target)) total += g.Target.length;
  if (total > opts.maxNumbers) {
    throw new UsmsError(RetCode.TooManyNumbers, `at most ${opts.maxNumbers} numbers per request, got ${total}`);
  }

  const { caller, services } = ctx;
  const failed: FailedTarget[] = [];
  const groups: BatchOutcome['groups'] = [];
  const drafts: Array<{ group: number; target: Record<string, unknown>; draft: MessageDraft }> = [];

  for (let g = 0; g < tasks.length; g++) {
    const group = tasks[g];
    const templateId = isObject(group) ? group.TemplateId : undefined;
    const senderField = senderFieldOf(group, opts.senderField);
    const sender = isObject(group) ? group[senderField] : undefined;
    groups.push({ templateId, sender, senderField });
    const targets = isObject(group) && Array.isArray(group.Target) ? group.Target : [];
    const failGroup = (retCode: number, reason: string) => {
      for (const t of targets) failed.push({ group: g, target: isObject(t) ? t : { Phone: t }, reason, retCode, groupLevel: true });
      if (targets.length === 0) failed.push({ group: g, target: {}, reason, retCode, groupLevel: true });
    };
    const problem = groupProblem(group);
    if (problem) { failGroup(problem.retCode, problem.reason); continue; }
    if (typeof sender !== 'string' || !sender) { failGroup(RetCode.MissingParameter, `missing ${senderField}`); continue; }

    const template = await services.lookups.approvedTemplate(caller.accountId, templateId as string);
    if (!template) { failGroup(RetCode.TemplateNotApproved, `template ${templateId} does not exist or is not approved`); continue; }
    if (!(await services.lookups.senderApproved(caller.accountId, sender))) {
      failGroup(RetCode.NoApprovedSignature, `${senderField} ${sender} does not exist or is not approved`);
      continue;
    }
    for (const t of targets) {
      const result = checkTarget(t, template, sender, caller.region);
      if (result.ok) drafts.push({ group: g, target: t as Record<string, unknown>, draft: result.draft });
      else failed.push({ group: g, target: isObject(t) ? t : { Phone: t }, reason: result.reason, retCode: result.retCode, groupLevel: false });
    }
  }

  const blacklist = drafts.length ? await services.lookups.blacklist(caller.accountId) : new Set<string>();
  const accepted = blacklist.size ? drafts.filter((d) => !blacklist.has(d.draft.e164)) : drafts;
  if (accepted.length !== drafts.length) {
    for (const d of drafts) {
      if (blacklist.has(d.draft.e164)) failed.push({ group: d.group, target: d.target, reason: BLACKLISTED, retCode: RetCode.SomeNumbersInvalid, groupLevel: false });
    }
  }

  const sessions = opts.allOrNothing && failed.length ? [] : groupIntoSessions(ctx, opts, accepted);
  await Promise.all(sessions.map((s) => services.writer.write(s)));
  const successCount = sessions.reduce((n, s) => n + s.messages.length, 0);
  services.metrics.accepted.inc(successCount);
  services.metrics.rejected.inc(total - successCount);
  failed.sort((a, b) => a.group - b.group);
  return { sessionNos: sessions.map((s) => s.sessionNo), successCount, failed, groups };
}

/** The dialect's documented name, unless the request used the other one (answers echo what was sent). */
function senderFieldOf(group: unknown, documented: SenderField): SenderField {
  const other: SenderField = documented === 'SigContent' ? 'SenderId' : 'SigContent';
  return isObject(group) && group[documented] === undefined && group[other] !== undefined ? other : documented;
}

function checkTarget(t: unknown, template: Template, sender: string, region: string) {
  const problem = targetProblem(t);
  if (problem) return { ok: false as const, ...problem };
  const target = t as Record<string, unknown>; // the Target schema admits objects only
  const params = normalizeParams(target.TemplateParams)!;
  return validateTarget({ phone: target.Phone, params, userId: target.UserId, extendCode: target.ExtendCode }, template, sender, region);
}

/**
 * Session numbers are time-ordered UUIDs (v7): they are primary and index keys, and keys that grow with
 * time are appended to the B-trees instead of landing on a random page each, so a commit writes far
 * fewer pages. Still opaque, unique and unguessable enough (74 random bits) for a client.
 */
const newSessionNo = (): string => timeOrderedUuid();

function groupIntoSessions(
  ctx: ActionContext,
  opts: BatchOptions,
  accepted: Array<{ group: number; draft: MessageDraft }>,
): NewSession[] {
  if (accepted.length === 0) return [];
  const base = { accountId: ctx.caller.accountId, action: opts.action, reqUuid: ctx.reqUuid };
  if (!opts.sessionPerGroup) return [{ ...base, sessionNo: newSessionNo(), messages: accepted.map((a) => a.draft) }];
  const byGroup = new Map<number, MessageDraft[]>();
  for (const a of accepted) {
    const list = byGroup.get(a.group);
    if (list) list.push(a.draft);
    else byGroup.set(a.group, [a.draft]);
  }
  return [...byGroup.values()].map((messages) => ({ ...base, sessionNo: newSessionNo(), messages }));
}

/** The RetCode and Message when nothing was accepted: the failures' common code, else 18046. */
export function summarizeFailure(failed: FailedTarget[]): { retCode: number; message: string } {
  const codes = new Set(failed.map((f) => f.retCode));
  const reasons = new Set(failed.map((f) => f.reason));
  const retCode = codes.size === 1 ? failed[0]!.retCode : RetCode.BatchPartlyFailed;
  const message = reasons.size === 1 ? failed[0]!.reason : `all ${failed.length} messages failed, see FailContent`;
  return { retCode, message };
}
