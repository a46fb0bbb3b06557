import { Type, type TSchema } from '@sinclair/typebox';

/*
 * Builders for the request schemas of the USMS actions. One schema per action validates every request
 * (actions/params-check.ts) and is also what /docs publishes (http/openapi.ts).
 *
 * The schemas describe the JSON form. The UCloud dialect sends every value as text ("5", "true") and
 * lists flattened as `Name.0`; those are converted to the schema's types before the check.
 */

/**
 * OpenAPI extension: the RetCode a violation of this (sub)schema answers instead of 18003, by keyword:
 * `maxItems` for too many items, `type` for anything else.
 */
export const RETCODE = 'x-usms-retcode';
/**
 * OpenAPI extension on an array: its items are checked one at a time by the action, so that a bad item
 * refuses only itself (SendBatch's partial acceptance) instead of the whole request.
 */
export const PER_ITEM = 'x-usms-checked-per-item';

/** Extension: what a valid value looks like, in words, for the error message ("a date as YYYY-MM-DD"). */
export const EXPECTED = 'x-usms-expected';

type Opts = Record<string, unknown>;

export const text = (description: string, maxLength: number, opts: Opts = {}) => Type.String({ description, maxLength, ...opts });
export const requiredText = (description: string, maxLength: number, opts: Opts = {}) => Type.String({ description, minLength: 1, maxLength, ...opts });
export const int = (description: string, minimum: number, maximum: number, opts: Opts = {}) => Type.Integer({ description, minimum, maximum, ...opts });
export const bool = (description: string) => Type.Boolean({ description });
export const id = (description: string) => Type.String({ description, minLength: 1, maxLength: 64 });

/** One id or a list of them (UCloud `Name.0`, `Name.1`; uSpeedo a JSON array). */
export const idList = (description: string, maxItems: number) =>
  Type.Union([id(description), Type.Array(id(description), { minItems: 1, maxItems })], { description });

/** A calendar date as YYYY-MM-DD (UTC). */
export const date = (description: string) =>
  Type.String({ description, pattern: '^\\d{4}-\\d{2}-\\d{2}$', examples: ['2026-11-01'], [EXPECTED]: 'a date as YYYY-MM-DD' });

/** One of a few words. */
export const oneOf = (description: string, words: string[]) =>
  Type.Union(words.map((w) => Type.Literal(w)), { description, [EXPECTED]: `one of ${words.join(', ')}` });

/** The answer every action gives: RetCode, Action = <Action>Response, Message, then its own fields. */
export function actionAnswer(action: string, fields: Record<string, TSchema>) {
  return Type.Object({
    RetCode: Type.Integer({ description: '0 on success, else a code of the RetCode catalogue' }),
    Action: Type.Literal(`${action}Response`),
    Message: Type.String(),
    ...fields,
  });
}
