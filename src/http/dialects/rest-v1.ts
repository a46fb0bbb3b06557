import { timingSafeEqual } from 'node:crypto';
import type { ActionContext, Services } from '../../actions/context.ts';
import { paramsChecker } from '../../actions/params-check.ts';
import { receiptData } from '../../actions/receipts.ts';
import { restReceiptQuery } from '../../actions/report-schemas.ts';
import { restSendBatchBody } from '../../actions/send-schemas.ts';
import { asText, paramsAsText } from '../../actions/send-actions.ts';
import { sendBatch } from '../../actions/send.ts';
import { RetCode, UsmsError } from '../../sms/errors.ts';
import { admit, callerOf } from '../dispatch.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { taskListFromJson } from './params.ts';
import { assertOwnScope } from './scope.ts';

/** HTTP Basic `ACCESSKEY_ID:ACCESSKEY_SECRET`, the secret compared in constant time. */
export async function restCaller(services: Services, limiter: RateLimiter, authorization: string | undefined) {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!m) throw new UsmsError(RetCode.RestBadAccessKey, 'missing HTTP Basic credentials (ACCESSKEY_ID:ACCESSKEY_SECRET)');
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = colon > 0 ? decoded.slice(0, colon) : '';
  const secret = colon > 0 ? decoded.slice(colon + 1) : '';
  const key = id ? await services.lookups.key(id) : undefined;
  if (!key || !sameSecret(key.secret, secret)) throw new UsmsError(RetCode.RestBadAccessKey, 'invalid ACCESSKEY_ID or ACCESSKEY_SECRET');
  admit(key, limiter);
  return callerOf(key);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const checkSendBatchBody = paramsChecker(restSendBatchBody);
const checkReceiptQuery = paramsChecker(restReceiptQuery);

/**
 * POST /api/v1/usms/SendBatchUSMSMessage (seed 002): one SessionNo per task group with accepted messages.
 * An `AccountId` or `ProjectId` in the body that is not the key's is refused (215392).
 */
export async function restSendBatch(ctx: ActionContext, body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UsmsError(RetCode.RestParameterError, 'body must be a JSON object');
  assertOwnScope(body as Record<string, unknown>, ctx.caller);
  const { TaskContent } = checkSendBatchBody(body as Record<string, unknown>);
  const outcome = await sendBatch(ctx, taskListFromJson(TaskContent), {
    action: 'SendBatchUSMSMessage',
    senderField: 'SenderId',
    maxNumbers: 1000,
    sessionPerGroup: true,
  });
  const failedTargetPhones = outcome.failed
    .filter((f) => Object.keys(f.target).length > 0)
    .map((f) => ({ Phone: asText(f.target.Phone), TemplateParams: paramsAsText(f.target.TemplateParams), FailureReason: f.reason }));
  if (outcome.successCount === 0) {
    const reasons = new Set(outcome.failed.map((f) => f.reason));
    const message = reasons.size === 1 ? outcome.failed[0]!.reason : `all ${outcome.failed.length} messages failed, see FailedTargetPhones`;
    return { RetCode: RetCode.RestParameterError, Message: message, SessionNo: [], FailedTargetPhones: failedTargetPhones };
  }
  return { RetCode: 0, Message: 'success', SessionNo: outcome.sessionNos, FailedTargetPhones: failedTargetPhones };
}

/** GET /api/v1/usms/USMSSendReceipt?id=S1&id=S2 */
export async function restReceipts(ctx: ActionContext, query: Record<string, unknown>) {
  assertOwnScope(query, ctx.caller);
  const { id } = checkReceiptQuery({ id: query.id });
  const list = Array.isArray(id) ? (id as string[]) : [id as string];
  return { RetCode: 0, Message: 'success', Data: await receiptData(ctx, [...new Set(list)]) };
}

