import { RetCode, UsmsError } from '../../sms/errors.ts';
import { MAX_PARAMS, NUL_PROBLEM, formParamCount, holdsNul, parseBoundedJson } from '../bounded-json.ts';

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A form body as a plain object; repeated keys keep the last value. More than MAX_PARAMS params, or a
 * NUL character (%00) in a name or value: 18003.
 */
export function formToObject(body: string): Record<string, unknown> {
  if (formParamCount(body) > MAX_PARAMS) throw new UsmsError(RetCode.InvalidParameter, `Invalid parameter: the form has more than ${MAX_PARAMS} params`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) if (!UNSAFE_KEYS.has(k)) out[k] = v;
  if ((body.includes('%00') || body.includes('\0')) && holdsNul(out)) throw new UsmsError(RetCode.InvalidParameter, `Invalid parameter: the form ${NUL_PROBLEM}`);
  return out;
}

/**
 * UCloud flattens lists as `Name.0`, `Name.1` ...; this turns them back into arrays, ordered by index.
 * `Name.0.Field` (lists of objects) become arrays of objects.
 */
export function unflatten(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lists = new Map<string, Map<number, unknown>>();
  for (const [key, value] of Object.entries(params)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)\.(\d{1,4})(?:\.([A-Za-z][A-Za-z0-9]*))?$/.exec(key);
    if (!m) {
      out[key] = value;
      continue;
    }
    const [, name, index, field] = m;
    let list = lists.get(name!);
    if (!list) lists.set(name!, (list = new Map()));
    const i = Number(index);
    if (field) {
      const obj = (list.get(i) as Record<string, unknown> | undefined) ?? {};
      obj[field] = value;
      list.set(i, obj);
    } else list.set(i, value);
  }
  for (const [name, list] of lists) {
    if (out[name] === undefined) out[name] = [...list.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  return out;
}

/** SendBatch's TaskContent in the UCloud dialect: base64 of the JSON task array. */
export function decodeTaskContent(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text.startsWith('[')) return parseJson(text);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.length === 0) {
    throw new UsmsError(RetCode.BadFormat, 'TaskContent is not valid base64');
  }
  return parseJson(Buffer.from(text, 'base64').toString('utf8'));
}

/** A task list sent as a JSON string (REST v1 documents it so) is accepted like the array itself. */
export function taskListFromJson(raw: unknown): unknown {
  return typeof raw === 'string' ? parseJson(raw) : raw;
}

/** Bounded like a JSON body (http/bounded-json.ts): over the limits, or not JSON, is 18000; a NUL character 18003. */
function parseJson(text: string): unknown {
  const parsed = parseBoundedJson(text);
  if (parsed.ok) return parsed.value;
  throw new UsmsError(parsed.reason === 'nul' ? RetCode.InvalidParameter : RetCode.JsonParseError, `TaskContent ${parsed.problem}`);
}
