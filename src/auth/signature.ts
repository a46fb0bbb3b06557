import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The UCloud/uSpeedo signing rule (reference/usms-api.md, section 2):
 * sorted top-level keys, `key + str(value)` concatenated without separators, then the secret, SHA1 hex.
 */
export function signingString(params: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(params).sort(compareCodeUnits)) {
    if (key === 'Signature') continue;
    out += key + stringify(params[key]);
  }
  return out;
}

export function sign(params: Record<string, unknown>, secret: string): string {
  return sha1Hex(signingString(params) + secret);
}

export function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return value.map(stringify).join('');
      const obj = value as Record<string, unknown>;
      let out = '';
      for (const key of Object.keys(obj).sort(compareCodeUnits)) out += key + stringify(obj[key]);
      return out;
    }
    default:
      return String(value);
  }
}

/** Integers without a fraction, and never scientific notation. */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  const plain = String(n);
  if (!/e/i.test(plain)) return plain;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}
