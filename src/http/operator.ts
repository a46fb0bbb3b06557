import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The operator's bearer token for /operator/* endpoints: USMS_OPERATOR_TOKEN, else `<dataDir>/operator.token`. */
export function operatorToken(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, 'operator.token');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

export function sameToken(expected: string, authorization: string | undefined): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(m[1]!);
  return a.length === b.length && timingSafeEqual(a, b);
}
