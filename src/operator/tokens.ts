import { createHash } from 'node:crypto';

/** Session and reset tokens are stored as their sha256: a stolen database holds no usable token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
