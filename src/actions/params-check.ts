import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { RetCode, UsmsError, missingParameter } from '../sms/errors.ts';
import { EXPECTED, PER_ITEM, RETCODE } from './schema-kit.ts';

/*
 * Checks an action's params against its schema before the handler runs: the same schema /docs
 * publishes. Values sent as text (UCloud) are converted to the schema's types first (exact forms only:
 * "5" -> 5, "true" -> true, 5 -> "5"; 1.5 stays 1.5 and is refused); an empty value of a
 * number, boolean or list param counts as absent, as the UCloud SDKs send unset params as "". The first
 * violation is answered: 18001 for a missing param, 18003 for an invalid one (or the code the schema
 * names with x-usms-retcode).
 */

export type ParamsCheck = (params: Record<string, unknown>) => Record<string, unknown>;

interface ObjectSchema extends TSchema {
  properties: Record<string, TSchema>;
  required?: string[];
}

/** A checker for one action's params schema (an object schema). */
export function paramsChecker(schema: ObjectSchema): ParamsCheck {
  const entry = withoutPerItemChecks(schema) as ObjectSchema;
  // JSON Schema's maxLength counts characters (code points), TypeBox's check counts UTF-16 units:
  // text params are measured here instead, so an emoji counts once as the documentation says.
  const charLimits: Array<[string, number]> = [];
  for (const [name, s] of Object.entries(entry.properties)) {
    if (s.type === 'string' && typeof s.maxLength === 'number') {
      charLimits.push([name, s.maxLength]);
      const { maxLength: _counted, ...rest } = s;
      entry.properties[name] = rest as TSchema;
    }
  }
  const compiled = TypeCompiler.Compile(entry);
  const properties = Object.entries(entry.properties);
  const blankIsAbsent = Object.entries(entry.properties)
    .filter(([, s]) => s.type !== 'string')
    .map(([name]) => name);
  return (params) => {
    const copy: Record<string, unknown> = { ...params };
    for (const name of blankIsAbsent) if (copy[name] === '' || copy[name] === null) delete copy[name];
    for (const [name, s] of properties) if (copy[name] !== undefined) copy[name] = converted(s, copy[name]);
    const value = copy;
    if (!compiled.Check(value)) throw toUsmsError(compiled.Errors(value).First()!);
    for (const [name, max] of charLimits) {
      const v = value[name];
      if (typeof v === 'string' && v.length > max && [...v].length > max) {
        throw new UsmsError(RetCode.InvalidParameter, `Invalid parameter [${name}]: at most ${max} characters, got ${[...v].length}`);
      }
    }
    return value;
  };
}

/**
 * Text to the schema's type ("5" -> 5, "true" -> true, 5 -> "5"). A lone value is not wrapped into a
 * list (TypeBox would): a list param that is not a list is refused, as before the schemas.
 */
function converted(schema: TSchema, value: unknown): unknown {
  switch (schema.type) {
    case 'array':
      return Array.isArray(value) ? value.map((item) => converted(schema.items as TSchema, item)) : value;
    case 'integer':
      return typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : value;
    case 'boolean':
      if (value === 1 || value === 0) return value === 1;
      if (typeof value !== 'string') return value;
      return ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[value.trim().toLowerCase()] ?? value;
    case 'string':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}

/** A checker for one item of a PER_ITEM list: the reason and RetCode of its first problem, or undefined. */
export function itemChecker(schema: TSchema, name: string): (item: unknown) => { retCode: number; reason: string } | undefined {
  const compiled: TypeCheck<TSchema> = TypeCompiler.Compile(withoutPerItemChecks(schema));
  return (item) => {
    if (compiled.Check(item)) return undefined;
    const err = toUsmsError(compiled.Errors(item).First()!, name);
    return { retCode: err.retCode, reason: err.message };
  };
}

function toUsmsError(e: ValueError, root = 'params'): UsmsError {
  const name = e.path.replace(/^\//, '').replace(/\//g, '.') || root;
  const blank = e.value === undefined || e.value === '' || (Array.isArray(e.value) && e.value.length === 0);
  if (e.type === ValueErrorType.ObjectRequiredProperty || blank) return missingParameter(name);
  const override = (e.schema as Record<string, unknown>)[RETCODE] as Record<string, number> | undefined;
  const keyword = e.type === ValueErrorType.ArrayMaxItems ? 'maxItems' : 'type';
  return new UsmsError(override?.[keyword] ?? RetCode.InvalidParameter, `Invalid parameter [${name}]: ${why(e)}`);
}

function why(e: ValueError): string {
  const s = e.schema as Record<string, unknown> & { anyOf?: TSchema[] };
  if (typeof s[EXPECTED] === 'string') return `must be ${s[EXPECTED]}, got ${JSON.stringify(e.value)}`;
  switch (e.type) {
    case ValueErrorType.StringMaxLength:
      return `at most ${s.maxLength as number} characters`;
    case ValueErrorType.StringMinLength:
      return `at least ${s.minLength as number} characters`;
    case ValueErrorType.StringPattern:
      return `must match ${s.pattern as string}`;
    case ValueErrorType.Integer:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
      return `must be an integer from ${s.minimum as number} to ${s.maximum as number}`;
    case ValueErrorType.ArrayMaxItems:
      return `at most ${s.maxItems as number} items, got ${(e.value as unknown[]).length}`;
    case ValueErrorType.ArrayMinItems:
      return 'must not be empty';
    case ValueErrorType.Union:
      return `must be ${(s.anyOf ?? []).map(kindName).join(' or ')}`;
    default:
      return `must be ${kindName(e.schema)}`;
  }
}

function kindName(s: TSchema): string {
  if (s.type === 'array') return `a list${s.maxItems !== undefined ? ` of at most ${s.maxItems as number} items` : ''}`;
  if (s[Kind] === 'Literal') return JSON.stringify(s.const);
  if (s.type === 'integer') return 'an integer';
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'object') return 'a JSON object';
  return `a ${String(s.type ?? 'value')}`;
}

/** The schema with the items of PER_ITEM lists left unchecked (the action checks them one by one). */
function withoutPerItemChecks(schema: TSchema): TSchema {
  const copy: TSchema = { ...schema };
  if (copy[PER_ITEM] === true && copy.items) copy.items = { [Kind]: 'Unknown' };
  else if (copy.items) copy.items = withoutPerItemChecks(copy.items as TSchema);
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties as Record<string, TSchema>).map(([k, v]) => [k, withoutPerItemChecks(v)]));
  }
  if (Array.isArray(copy.anyOf)) copy.anyOf = copy.anyOf.map(withoutPerItemChecks);
  return copy;
}
