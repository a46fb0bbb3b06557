import type { ActionAnswer, ActionContext } from '../../actions/context.ts';
import { actions } from '../../actions/registry.ts';
import { RetCode, UsmsError, toRestV1Code } from '../../sms/errors.ts';
import { assertOwnScope } from './scope.ts';

/*
 * REST v1 templates: `/api/v1/usms/USMSTemplate` with POST (create, JSON body), GET (query, query string),
 * PUT (update, JSON body) and DELETE (delete, query string). The same action handlers as the action
 * dialects; answers are `{RetCode, Message, ...}` with REST codes (215396 unknown template, 215397 missing
 * parameter, 215392 anything else the caller got wrong).
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON body; one naming another account or project (AccountId / ProjectId) is refused (215392). */
function jsonBody(ctx: ActionContext, body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw new UsmsError(RetCode.RestParameterError, 'body must be a JSON object');
  assertOwnScope(body, ctx.caller);
  return body;
}

/** The query string, checked the same way. */
function queryOf(ctx: ActionContext, query: unknown): Record<string, unknown> {
  const q = isObject(query) ? query : {};
  assertOwnScope(q, ctx.caller);
  return q;
}

function restAnswer(answer: ActionAnswer): Record<string, unknown> {
  const code = toRestV1Code(answer.retCode ?? RetCode.Ok);
  return { RetCode: code, Message: answer.message || (code === 0 ? 'success' : ''), ...answer.fields };
}

/**
 * Ids from the query string: `?TemplateId=A&TemplateId=B`, `?TemplateId=A,B`, or the same under `id`
 * (as USMSSendReceipt takes them) or, for DELETE, `TemplateIds`.
 */
function queryIds(query: Record<string, unknown>, names: string[]): string[] | undefined {
  for (const name of names) {
    const v = query[name];
    if (v === undefined || v === '') continue;
    const list = Array.isArray(v) ? v : [v];
    return list.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
  }
  return undefined;
}

/** POST /api/v1/usms/USMSTemplate -> `{RetCode, Message, TemplateId}` */
export async function restCreateTemplate(ctx: ActionContext, body: unknown) {
  return restAnswer(await actions.CreateUSMSTemplate!(ctx, jsonBody(ctx, body)));
}

/** GET /api/v1/usms/USMSTemplate?TemplateId=A&TemplateId=B -> `{RetCode, Message, Data[]}`; without ids, all of them, paged. */
export async function restQueryTemplates(ctx: ActionContext, query: unknown) {
  const q = queryOf(ctx, query);
  const params: Record<string, unknown> = { Page: q.Page, NumPerPage: q.NumPerPage };
  const ids = queryIds(q, ['TemplateId', 'id']);
  if (ids) params.TemplateId = ids;
  return restAnswer(await actions.QueryUSMSTemplate!(ctx, params));
}

/** PUT /api/v1/usms/USMSTemplate with `{TemplateId, Template?, TemplateName?, ...}` -> `{RetCode, Message}` */
export async function restUpdateTemplate(ctx: ActionContext, body: unknown) {
  return restAnswer(await actions.UpdateUSMSTemplate!(ctx, jsonBody(ctx, body)));
}

/** DELETE /api/v1/usms/USMSTemplate?TemplateIds=A&TemplateIds=B (a JSON body `{TemplateIds: [...]}` works too) -> `{RetCode, Message}` */
export async function restDeleteTemplates(ctx: ActionContext, query: unknown, body: unknown) {
  const q = queryOf(ctx, query);
  if (isObject(body)) assertOwnScope(body, ctx.caller);
  const ids = queryIds(q, ['TemplateIds', 'TemplateId', 'id']);
  const params = ids ? { TemplateIds: ids } : jsonBody(ctx, body);
  return restAnswer(await actions.DeleteUSMSTemplate!(ctx, params));
}
