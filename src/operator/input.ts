import { UsmsError } from '../sms/errors.ts';
import { badInput } from './actor.ts';

/*
 * Readers for the fields of an operator call. The console sends JSON values, the CLI the strings of its
 * flags: both are read by the same rules here, and a wrong field is a bad-input error that names it
 * (the CLI names its flag instead, see src/cli/errors.ts).
 */

/** A whole number (a JSON number or its digits as text); undefined when absent or empty. */
export function optionalInt(value: unknown, field: string, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw badInput(`${field} must be a whole number`);
  if (range.min !== undefined && n < range.min) throw badInput(`${field} must be at least ${range.min}`);
  if (range.max !== undefined && n > range.max) throw badInput(`${field} must be at most ${range.max}`);
  return n;
}

export function requiredInt(value: unknown, field: string, range: { min?: number; max?: number } = {}): number {
  const n = optionalInt(value, field, range);
  if (n === undefined) throw badInput(`${field} is required`);
  return n;
}

/** true/false, or their text ("true", "1", "false", "0"); undefined when absent. */
export function optionalBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  throw badInput(`${field} must be true or false`);
}

/** A string of at most `max` characters; undefined when absent. Numbers are taken as their text. */
export function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw badInput(`${field} must be a string`);
  const s = String(value);
  if ([...s].length > max) throw badInput(`${field} is longer than ${max} characters`);
  return s;
}

export function requiredString(value: unknown, field: string, max: number): string {
  const s = optionalString(value, field, max);
  if (s === undefined || !s.trim()) throw badInput(`${field} is required`);
  return s;
}

/** A page size: `fallback` when absent, otherwise clamped to 1..max (a list never fails on its size). */
export function pageLimit(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === undefined || value === null || value === '' || !Number.isFinite(n)) return fallback;
  return Math.max(1, Math.min(max, Math.trunc(n) || fallback));
}

/**
 * Runs a USMS action's validation (src/actions) for an operator call: its refusals (UsmsError, with
 * the parameter named as the USMS API names it) become bad-input errors.
 */
export function usmsRules<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof UsmsError) throw badInput(err.message);
    throw err;
  }
}

/** usmsRules for a check that waits (a validation inside a store update). */
export async function usmsRulesAsync<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof UsmsError) throw badInput(err.message);
    throw err;
  }
}

/** A list as a JSON array or comma-separated text (the CLI's flag), as text; undefined when absent. */
export function optionalList(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw badInput(`${field} must be a list (or comma-separated text)`);
}

/** The domain's and the store's own checks answer plain errors: in an operator call they are bad input. */
export function asInput<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw badInput((err as Error).message);
  }
}
