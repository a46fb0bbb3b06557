import { randomUUID } from 'node:crypto';
import type { ActionContext, Caller, Dialect, Services } from '../actions/context.ts';
import { actions, plannedActions } from '../actions/registry.ts';
import { RetCode, UsmsError } from '../sms/errors.ts';
import type { ResolvedKey } from '../store/keys.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface Answer {
  RetCode: number;
  Message: string;
  [field: string]: unknown;
}

export function callerOf(key: ResolvedKey): Caller {
  return { accountId: key.accountId, projectId: key.projectId, region: key.region, publicKey: key.publicKey };
}

/** Refuses a disabled account or a caller over its rate. */
export function admit(key: ResolvedKey, limiter: RateLimiter): void {
  if (key.accountStatus !== 'active') throw new UsmsError(RetCode.AccountRestricted, 'account is restricted');
  if (!limiter.allow(key.publicKey)) throw new UsmsError(RetCode.ServiceUnavailable, 'rate limit exceeded for this access key, retry later');
}

/** Runs one action for an authenticated caller and returns its answer fields with RetCode and Message. */
export async function runAction(
  services: Services,
  dialect: Dialect,
  action: string,
  caller: Caller,
  params: Record<string, unknown>,
  reqUuid: string = randomUUID(),
): Promise<Answer> {
  const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
  if (!handler) {
    if (plannedActions.has(action)) throw new UsmsError(RetCode.ActionNotFound, `Action [${action}] is not supported by this server yet`);
    throw new UsmsError(RetCode.ActionNotFound, `Action [${action}] not found`);
  }
  const ctx: ActionContext = { caller, dialect, reqUuid, services };
  const answer = await handler(ctx, params);
  return { RetCode: answer.retCode ?? RetCode.Ok, Message: answer.message ?? '', ...answer.fields };
}

/** The answer for an error: a UsmsError as itself, anything else as a logged service error. */
export function errorAnswer(services: Services, err: unknown, context: Record<string, unknown>): Answer {
  if (err instanceof UsmsError) return { RetCode: err.retCode, Message: err.message };
  services.log.error({ err, ...context }, 'request failed');
  return { RetCode: RetCode.ServiceError, Message: 'internal service error, nothing was sent; retry later' };
}

/** Keeps the metrics' action label bounded: unknown actions count as "other". */
export function actionLabel(action: unknown): string {
  return typeof action === 'string' && (Object.hasOwn(actions, action) || plannedActions.has(action)) ? action : 'other';
}
