import type { ActionContext, Caller, Services } from '../actions/context.ts';
import { sendBatchAction } from '../actions/send-actions.ts';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { getAccount } from '../store/accounts.ts';
import { accountOf, badInput, notFound, type Actor } from './actor.ts';

/** The console sends as the UCloud dialect does (SendBatchUSMSMessage, 200 numbers a request). */
export const CONSOLE_CHUNK = 200;

export interface ConsoleTarget {
  Phone: unknown;
  TemplateParams?: unknown;
  UserId?: unknown;
  ExtendCode?: unknown;
}

/** The key space of console requests in the idempotency store: one per user, apart from every API key. */
export function consoleKeyOf(actor: Actor): string {
  return `console:user:${actor.userId ?? 'cli'}`;
}

/** The caller a console user sends as: their account, through the same send action as the API. */
export async function consoleCaller(services: Services, actor: Actor, requested: number | undefined): Promise<Caller> {
  const accountId = accountOf(actor, requested, 'write');
  const account = await getAccount(services.db, accountId);
  if (!account) throw notFound(`no account ${accountId}`);
  if (account.status !== 'active') throw new UsmsError(RetCode.AccountRestricted, 'account is restricted');
  return { accountId, projectId: account.projectId, region: account.region, publicKey: consoleKeyOf(actor) };
}

/**
 * One send from the console: a template, a sender and up to CONSOLE_CHUNK targets, validated, stored and
 * answered exactly as SendBatchUSMSMessage answers an API caller (RetCode, SessionNo, FailContent).
 */
export async function consoleSend(
  services: Services,
  caller: Caller,
  reqUuid: string,
  input: { TemplateId: unknown; SigContent: unknown; Targets: unknown },
): Promise<Record<string, unknown>> {
  if (!Array.isArray(input.Targets) || input.Targets.length === 0) throw badInput('Targets: give at least one target');
  if (input.Targets.length > CONSOLE_CHUNK) throw badInput(`Targets: at most ${CONSOLE_CHUNK} a request`);
  const targets = (input.Targets as ConsoleTarget[]).map((t) => {
    if (typeof t !== 'object' || t === null) throw badInput('Targets: each target is an object with Phone');
    const out: Record<string, unknown> = { Phone: t.Phone, TemplateParams: t.TemplateParams ?? [] };
    if (t.UserId !== undefined && t.UserId !== '') out.UserId = t.UserId;
    if (t.ExtendCode !== undefined && t.ExtendCode !== '') out.ExtendCode = t.ExtendCode;
    return out;
  });
  const ctx: ActionContext = { caller, dialect: 'ucloud', reqUuid, services };
  const params = { TaskContent: [{ TemplateId: input.TemplateId, SigContent: input.SigContent, Target: targets }] };
  try {
    const answer = await sendBatchAction(ctx, params);
    return { RetCode: answer.retCode ?? RetCode.Ok, Message: answer.message ?? '', ...answer.fields };
  } catch (err) {
    if (err instanceof UsmsError) return { RetCode: err.retCode, Message: err.message, ReqUuid: reqUuid, SuccessCount: 0, FailContent: [] };
    throw err;
  }
}
