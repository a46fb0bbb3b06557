import { numberString } from './signature.ts';

/**
 * UCloud-style params are flat strings: lists become `Name.0`, `Name.1`, ...; a list of objects
 * `Name.0.Field`; an object `Name.Field`. Booleans are `true`/`false`; undefined and null are left out.
 */
export function flattenParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) put(out, key, value);
  return out;
}

function put(out: Record<string, string>, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => put(out, `${name}.${i}`, item));
    return;
  }
  switch (typeof value) {
    case 'object':
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) put(out, `${name}.${k}`, v);
      return;
    case 'string':
      out[name] = value;
      return;
    case 'number':
      out[name] = numberString(value);
      return;
    case 'boolean':
      out[name] = value ? 'true' : 'false';
      return;
    default:
      out[name] = String(value);
  }
}

/** Base64 of the UTF-8 bytes (SendBatchUSMSMessage's TaskContent in the UCloud dialect). */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
