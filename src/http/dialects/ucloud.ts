import type { FastifyRequest } from 'fastify';
import type { Services } from '../../actions/context.ts';
import { sign, signatureMatches } from '../../auth/signature.ts';
import { RetCode, UsmsError } from '../../sms/errors.ts';
import { admit, callerOf, runAction, type Answer } from '../dispatch.ts';
import { claimsKey, requestHash, type IdempotencyGuard } from '../idempotency.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { decodeTaskContent, unflatten } from './params.ts';
import { assertOwnScope } from './scope.ts';

/**
 * The UCloud-style signed dialect (seed 000): params in the query string, a form body or a flat JSON body;
 * `PublicKey` + `Signature` (SHA1 over every param but Signature, then the secret) + `ProjectId`.
 * A `ProjectId` or `AccountId` that is not the key's is 290.
 */
export async function ucloudRequest(
  services: Services,
  limiter: RateLimiter,
  raw: Record<string, unknown>,
  reqUuid: string,
  idempotencyKey?: string,
  guard?: IdempotencyGuard,
): Promise<Answer & { Action?: string }> {
  const action = raw.Action;
  if (typeof action !== 'string' || !action) throw new UsmsError(RetCode.MissingAction, 'Missing Action');
  const publicKey = raw.PublicKey;
  const signature = raw.Signature;
  if (typeof publicKey !== 'string' || !publicKey || signature === undefined || signature === '') {
    throw new UsmsError(RetCode.MissingSignature, 'Missing PublicKey or Signature');
  }
  const key = await services.lookups.key(publicKey);
  if (!key) throw new UsmsError(RetCode.AccountNotFound, 'no active key with this PublicKey');
  const verified = verifiedParams(raw, key.secret, signature);
  assertOwnScope(verified, key);
  admit(key, limiter);
  const params = unflatten(verified);
  if (action === 'SendBatchUSMSMessage') params.TaskContent = decodeTaskContent(params.TaskContent);
  if (idempotencyKey === undefined || !guard) return runAction(services, 'ucloud', action, callerOf(key), params, reqUuid);
  const { Signature: _signature, ...signed } = verified;
  return guard.run(
    { publicKey: key.publicKey, accountId: key.accountId, kind: 'header', key: idempotencyKey, hash: requestHash('ucloud', signed), lookup: true, claim: claimsKey(action) },
    (svc) => runAction(svc, 'ucloud', action, callerOf(key), params, reqUuid),
    (err) => ({ RetCode: err.retCode, Message: err.message }),
  );
}

/**
 * The params the signature was made over, or 171. Seed 000 shows the base64 `TaskContent` put into the
 * URL unescaped, so a client following it sends each `+` of the base64 as a literal `+`, which URL
 * decoding turns into a space: the client signed the `+`, the server received a space. When the
 * signature does not match as received and TaskContent holds a space, it is checked once more with
 * those spaces read as `+` (base64 never contains a space); if that matches, those are the params.
 * Both checks compare in constant time.
 */
function verifiedParams(raw: Record<string, unknown>, secret: string, signature: unknown): Record<string, unknown> {
  if (signatureMatches(sign(raw, secret), signature)) return raw;
  const taskContent = raw.TaskContent;
  if (typeof taskContent === 'string' && taskContent.includes(' ')) {
    const asSigned = { ...raw, TaskContent: taskContent.replace(/ /g, '+') };
    if (signatureMatches(sign(asSigned, secret), signature)) return asSigned;
  }
  throw new UsmsError(RetCode.SignatureInvalid, 'Signature verification failed');
}

/** Query string and body merged (body wins); a JSON body must be a flat object. */
export function ucloudParams(req: FastifyRequest): Record<string, unknown> {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body;
  if (body === undefined || body === null || body === '') return { ...query };
  if (typeof body !== 'object' || Array.isArray(body)) throw new UsmsError(RetCode.BadFormat, 'request body must be a JSON object or a form');
  return { ...query, ...(body as Record<string, unknown>) };
}
