import { RetCode, UsmsError, invalidParameter, missingParameter } from '../sms/errors.ts';
import { normalizeParams } from '../sms/template.ts';
import type { ActionAnswer, ActionContext } from './context.ts';
import { sendBatch, summarizeFailure, type BatchOutcome } from './send.ts';

/** SendBatchUSMSMessage in the two action dialects (seeds 000 and 001). */
export async function sendBatchAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const ucloud = ctx.dialect === 'ucloud';
  const outcome = await sendBatch(ctx, params.TaskContent, {
    action: 'SendBatchUSMSMessage',
    senderField: ucloud ? 'SigContent' : 'SenderId',
    maxNumbers: ucloud ? 200 : 1000,
    sessionPerGroup: false,
  });
  const failContent = toFailContent(outcome);
  if (outcome.successCount === 0) {
    const { retCode, message } = summarizeFailure(outcome.failed);
    return { retCode, message, fields: { ReqUuid: ctx.reqUuid, SuccessCount: 0, FailContent: failContent } };
  }
  return {
    message: 'submit success',
    fields: { SessionNo: outcome.sessionNos[0], ReqUuid: ctx.reqUuid, SuccessCount: outcome.successCount, FailContent: failContent },
  };
}

/**
 * A value echoed back as text. The SDKs' models type every echoed field as a string (TemplateParams as
 * a list of strings): the Go SDKs cannot decode a number there, and callers send numbers (seed 003).
 */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** TemplateParams echoed back: a list of strings, whatever was sent. */
export function paramsAsText(v: unknown): string[] {
  return Array.isArray(v) ? v.map(asText) : [];
}

/** FailContent: one entry per task group with refused targets (seed 000 BatchInfo / FailPhoneDetail), every field text. */
export function toFailContent(outcome: BatchOutcome): Array<Record<string, unknown>> {
  const byGroup = new Map<number, Record<string, unknown>>();
  for (const f of outcome.failed) {
    let entry = byGroup.get(f.group);
    if (!entry) {
      const g = outcome.groups[f.group]!;
      entry = { TemplateId: asText(g.templateId), [g.senderField]: asText(g.sender), Target: [] };
      if (f.groupLevel) entry.FailureDetails = f.reason;
      byGroup.set(f.group, entry);
    }
    if (Object.keys(f.target).length === 0) continue;
    const t = f.target;
    const item: Record<string, unknown> = { TemplateParams: paramsAsText(t.TemplateParams), Phone: asText(t.Phone) };
    if (t.ExtendCode !== undefined) item.ExtendCode = asText(t.ExtendCode);
    if (t.UserId !== undefined) item.UserId = asText(t.UserId);
    if (!f.groupLevel) item.FailureDetails = f.reason;
    (entry.Target as unknown[]).push(item);
  }
  return [...byGroup.values()];
}

const MAX_SINGLE_NUMBERS = 1000;

/**
 * SendUSMSMessage (seed 003): one template and parameter set to up to 1000 numbers. Its answer has no
 * FailContent, so it is all or nothing: if any number is refused, nothing is sent and the Message names
 * each refused number with its reason (18014, or the template/sender code).
 */
export async function sendSingleAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const phones = params.PhoneNumbers;
  if (phones === undefined || (Array.isArray(phones) && phones.length === 0)) throw missingParameter('PhoneNumbers');
  if (!Array.isArray(phones)) throw invalidParameter('PhoneNumbers', 'must be an array of phone numbers');
  if (phones.length > MAX_SINGLE_NUMBERS) {
    throw new UsmsError(RetCode.TooManyNumbers, `at most ${MAX_SINGLE_NUMBERS} numbers per request, got ${phones.length}`);
  }
  if (typeof params.TemplateId !== 'string' || !params.TemplateId) throw missingParameter('TemplateId');
  const templateParams = normalizeParams(params.TemplateParams);
  if (!templateParams) throw invalidParameter('TemplateParams', 'must be an array of strings');
  const senderField = params.SenderId === undefined && params.SigContent !== undefined ? 'SigContent' : 'SenderId';
  let sender = params[senderField];
  if (sender !== undefined && typeof sender !== 'string') throw invalidParameter(senderField, 'must be a string');
  if (!sender) sender = (await ctx.services.lookups.defaultSender(ctx.caller.accountId)) ?? '';

  const target = (phone: unknown) => {
    const t: Record<string, unknown> = { Phone: phone, TemplateParams: templateParams };
    if (params.UserId !== undefined) t.UserId = params.UserId;
    if (params.ExtendCode !== undefined) t.ExtendCode = params.ExtendCode;
    return t;
  };
  const outcome = await sendBatch(
    ctx,
    [{ TemplateId: params.TemplateId, [senderField]: sender || undefined, Target: phones.map(target) }],
    { action: 'SendUSMSMessage', senderField, maxNumbers: MAX_SINGLE_NUMBERS, sessionPerGroup: false, allOrNothing: true },
  );
  if (outcome.failed.length) {
    const { retCode } = summarizeFailure(outcome.failed);
    const first = outcome.failed[0]!;
    const message = first.groupLevel
      ? first.reason
      : outcome.failed.map((f) => `${String(f.target.Phone)}: ${f.reason}`).join('; ');
    return { retCode: retCode === RetCode.BatchPartlyFailed ? RetCode.SomeNumbersInvalid : retCode, message, fields: {} };
  }
  const fields: Record<string, unknown> = { SessionNo: outcome.sessionNos[0] };
  if (typeof params.UserId === 'string' && params.UserId) fields.UserId = params.UserId;
  return { message: '提交发送成功', fields };
}
