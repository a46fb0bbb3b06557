import { v7 as timeOrderedUuid } from 'uuid';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { normalizeParams } from '../sms/template.ts';
import { BLACKLISTED, OPTED_OUT, validateTarget, type MessageDraft } from '../sms/validate.ts';
import { InsufficientBalance, type NewSession, type StoredDraft } from '../store/sessions.ts';
import type { ContentMatcher } from '../compliance/content-rules.ts';
import type { PolicyItem } from './send-policy.ts';
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
  /** How a group's TemplateId is resolved (default: the account's approved template of that id). */
  templateOf?: (templateId: string) => Promise<Template | undefined>;
  /** Stored with every message of the request (the SMPP user that submitted it). */
  stamp?: Pick<StoredDraft, 'smppUserId' | 'smppReceipt'>;
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
  const drafts: Draft[] = [];
  /** Each group's template Purpose (1 code, 2 notification, 3 marketing), for the send limits. */
  const purposes = new Map<number, number>();
  const rules = await services.contentRules.forAccount(caller.accountId);

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

    const template = opts.templateOf
      ? await opts.templateOf(templateId as string)
      : await services.lookups.approvedTemplate(caller.accountId, templateId as string);
    if (!template) { failGroup(RetCode.TemplateNotApproved, `template ${templateId} does not exist or is not approved`); continue; }
    if (!(await services.lookups.senderApproved(caller.accountId, sender))) {
      failGroup(RetCode.NoApprovedSignature, `${senderField} ${sender} does not exist or is not approved`);
      continue;
    }
    purposes.set(g, template.purpose);
    for (const t of targets) {
      const result = checkTarget(t, template, sender, caller.region, rules);
      if (result.ok) drafts.push({ group: g, target: t as Record<string, unknown>, draft: result.draft });
      else failed.push({ group: g, target: isObject(t) ? t : { Phone: t }, reason: result.reason, retCode: result.retCode, groupLevel: false });
    }
  }

  const { accepted, release } = await screen(ctx, drafts, purposes, failed);
  let sessions: NewSession[];
  try {
    if (opts.allOrNothing && failed.length) accepted.length = 0;
    if (opts.stamp) for (const a of accepted) Object.assign(a.draft, opts.stamp);
    sessions = groupIntoSessions(ctx, opts, accepted);
    await writeAll(services, sessions);
  } finally {
    // Once written: a keyed request's writes commit later, with its idempotency record.
    services.writer.afterWrite(release);
  }
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

function checkTarget(t: unknown, template: Template, sender: string, region: string, rules: ContentMatcher) {
  const problem = targetProblem(t);
  if (problem) return { ok: false as const, ...problem };
  const target = t as Record<string, unknown>; // the Target schema admits objects only
  const params = normalizeParams(target.TemplateParams)!;
  const result = validateTarget({ phone: target.Phone, params, userId: target.UserId, extendCode: target.ExtendCode }, template, sender, region);
  if (!result.ok) return result;
  const broken = rules.find(result.draft.content);
  if (!broken) return result;
  // The documented split: a blocked word in the template's own text is 18023, one that only its params brought is 18033.
  const inTemplate = rules.find(template.content) !== undefined;
  return {
    ok: false as const,
    retCode: inTemplate ? RetCode.BlockedKeyword : RetCode.VariableContentNotCompliant,
    reason: `${inTemplate ? 'content contains' : 'template parameters contain'} the blocked ${broken.isRegex ? 'pattern' : 'word'} "${broken.pattern}"`,
  };
}

type Draft = { group: number; target: Record<string, unknown>; draft: MessageDraft };
const refuse = (failed: FailedTarget[], d: Draft, reason: string, retCode: number = RetCode.SomeNumbersInvalid) =>
  failed.push({ group: d.group, target: d.target, reason, retCode, groupLevel: false });

/**
 * The checks that need the account's state, in order: its blacklist and opt-outs, its send limits and
 * country allow-list (send-policy.ts), and the price of each message when billing is on. Refused
 * targets go to `failed` with their own reason; the rest come back ready to store.
 */
async function screen(ctx: ActionContext, drafts: Draft[], purposes: Map<number, number>, failed: FailedTarget[]) {
  const { caller, services } = ctx;
  if (drafts.length === 0) return { accepted: [], release: () => {} };
  const blacklist = await services.lookups.blacklist(caller.accountId);
  const allowed = blacklist.size ? drafts.filter((d) => {
    if (!blacklist.has(d.draft.e164)) return true;
    const optedOut = blacklist.get(d.draft.e164);
    refuse(failed, d, optedOut == null ? BLACKLISTED : `${OPTED_OUT} (${new Date(optedOut).toISOString()})`);
    return false;
  }) : drafts;

  const items = allowed.map((d) => ({ e164: d.draft.e164, region: d.draft.region, purpose: purposes.get(d.group) ?? 2 }));
  // Held until this request is written (sendBatch), so that the next request to the same phone counts it.
  const release = await services.sendPolicy.reserve(caller.accountId, items);
  try {
    return { accepted: await policyAndPrice(ctx, allowed, items, failed), release };
  } catch (err) {
    release();
    throw err;
  }
}

/** The send policy's verdicts (refused, held or going), then each going message's price. */
async function policyAndPrice(ctx: ActionContext, allowed: Draft[], items: PolicyItem[], failed: FailedTarget[]) {
  const { caller, services } = ctx;
  const verdicts = await services.sendPolicy.check(caller.accountId, items);
  const passed: Array<Draft & { held: boolean }> = [];
  allowed.forEach((d, i) => {
    const v = verdicts[i]!;
    if (v.ok) passed.push({ ...d, held: v.held === true });
    else refuse(failed, d, v.reason);
  });

  const charges = await services.prices.charges(caller.accountId, passed.map((d) => d.draft));
  const out: Array<{ group: number; draft: StoredDraft }> = [];
  passed.forEach((d, i) => {
    const charge = charges[i];
    if (charge === undefined) refuse(failed, d, `no price is set for destinations in ${d.draft.region} (not sold to this account)`);
    else out.push({ group: d.group, draft: { ...d.draft, charge, held: d.held } });
  });
  return out;
}

/** Every session of one request in one transaction: charged and stored whole, or refused whole (18013). */
async function writeAll(services: ActionContext['services'], sessions: NewSession[]): Promise<void> {
  if (sessions.length === 0) return;
  try {
    await services.writer.writeMany(sessions);
  } catch (err) {
    if (err instanceof InsufficientBalance) throw new UsmsError(RetCode.InsufficientBalance, err.message);
    throw err;
  }
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
  accepted: Array<{ group: number; draft: StoredDraft }>,
): NewSession[] {
  if (accepted.length === 0) return [];
  const base = { accountId: ctx.caller.accountId, action: opts.action, reqUuid: ctx.reqUuid };
  if (!opts.sessionPerGroup) return [{ ...base, sessionNo: newSessionNo(), messages: accepted.map((a) => a.draft) }];
  const byGroup = new Map<number, StoredDraft[]>();
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
