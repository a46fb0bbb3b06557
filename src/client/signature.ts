/**
 * The USMS signing rule (UCloud-style signed params and the uSpeedo X-Signature): sorted top-level keys,
 * `key + str(value)` concatenated with no separators, then the secret; SHA1, lower-case hex.
 * Self-contained (Web Crypto), so the client runs anywhere `fetch` and `crypto.subtle` exist.
 */

/** The string that is hashed (before the secret is appended). `Signature` is never part of it. */
export function signingString(params: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(params).sort(byCodeUnit)) {
    if (key === 'Signature') continue;
    out += key + paramString(params[key]);
  }
  return out;
}

/** SHA1(signingString(params) + secret) as lower-case hex. */
export async function sign(params: Record<string, unknown>, secret: string): Promise<string> {
  return sha1Hex(signingString(params) + secret);
}

export async function sha1Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** `str(value)` of the rule: arrays concatenate their items, objects their sorted `k + str(v)` pairs. */
export function paramString(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return numberString(value);
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) {
        let out = '';
        for (const item of value) out += paramString(item);
        return out;
      }
      const obj = value as Record<string, unknown>;
      let out = '';
      for (const key of Object.keys(obj).sort(byCodeUnit)) out += key + paramString(obj[key]);
      return out;
    }
    default:
      return String(value);
  }
}

/** 42.0 -> "42"; never scientific notation. */
export function numberString(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  const plain = String(n);
  if (!/e/i.test(plain)) return plain;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
