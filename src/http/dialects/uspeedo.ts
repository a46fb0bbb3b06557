import type { Services } from '../../actions/context.ts';
import { sign, signatureMatches } from '../../auth/signature.ts';
import { RetCode, UsmsError } from '../../sms/errors.ts';
import { admit, callerOf, runAction, type Answer } from '../dispatch.ts';
import { claimsKey, requestHash, type IdempotencyGuard } from '../idempotency.ts';
import type { NonceCache } from '../nonces.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { taskListFromJson } from './params.ts';
import { assertOwnScope } from './scope.ts';

export interface UspeedoHeaders {
  keyId: string;
  signature?: string;
  timestamp?: string;
  nonce?: string;
  /** The Idempotency-Key header, checked; when present it keys the request instead of the nonce. */
  idempotencyKey?: string;
}

/**
 * The uSpeedo action dialect (seeds 001, 003): JSON body with `Action` and `AccountId`; headers
 * X-Access-Key-Id, X-Signature (SHA1 over the body by the signing rule), X-Timestamp (within the skew)
 * and X-Nonce. An `AccountId` or `ProjectId` in the body that is not the key's is 290. A nonce seen
 * again with the same body is a retry, answered with the first answer (the
 * SDKs resend); with another body it is a replay (171), see http/idempotency.ts. The PHP SDK leaves
 * PublicKey/Signature in the body: they are stripped before verifying.
 */
export async function uspeedoRequest(
  services: Services,
  limiter: RateLimiter,
  nonces: NonceCache,
  body: Record<string, unknown>,
  queryAction: unknown,
  h: UspeedoHeaders,
  reqUuid: string,
  guard?: IdempotencyGuard,
): Promise<Answer> {
  const action = body.Action ?? queryAction;
  if (typeof action !== 'string' || !action) throw new UsmsError(RetCode.MissingAction, 'Missing Action');
  if (!h.signature) throw new UsmsError(RetCode.MissingSignature, 'Missing X-Signature');
  if (!h.timestamp || !/^\d{1,13}$/.test(h.timestamp)) throw new UsmsError(RetCode.MissingSignature, 'Missing or malformed X-Timestamp (unix seconds)');
  if (!h.nonce || h.nonce.length > 32) throw new UsmsError(RetCode.MissingSignature, 'Missing X-Nonce, or longer than 32 characters');
  const skew = services.config.timestampSkewSeconds;
  if (Math.abs(Date.now() / 1000 - Number(h.timestamp)) > skew) {
    throw new UsmsError(RetCode.SignatureInvalid, `X-Timestamp is more than ${skew} seconds away from the server clock`);
  }
  const key = await services.lookups.key(h.keyId);
  if (!key) throw new UsmsError(RetCode.AccountNotFound, 'no active key with this X-Access-Key-Id');
  const signed: Record<string, unknown> = { ...body };
  delete signed.PublicKey;
  delete signed.Signature;
  if (!signatureMatches(sign(signed, key.secret), h.signature)) throw new UsmsError(RetCode.SignatureInvalid, 'Signature verification failed');
  const freshNonce = nonces.firstUse(key.publicKey, h.nonce);
  if (!freshNonce && !guard) throw new UsmsError(RetCode.SignatureInvalid, 'X-Nonce was already used: replayed request refused');
  assertOwnScope(signed, key);
  admit(key, limiter);
  const hash = guard ? requestHash(`uspeedo ${action}`, signed) : '';
  if (action === 'SendBatchUSMSMessage') signed.TaskContent = taskListFromJson(signed.TaskContent);
  if (!guard) return runAction(services, 'uspeedo', action, callerOf(key), signed, reqUuid);
  const header = h.idempotencyKey !== undefined;
  return guard.run(
    {
      publicKey: key.publicKey,
      accountId: key.accountId,
      kind: header ? 'header' : 'nonce',
      key: h.idempotencyKey ?? h.nonce,
      hash,
      // A send with a nonce this process has not seen skips the lookup: its sessions commit only if
      // its record is new (the primary key arbitrates). Other actions claim the key first (no lookup needed).
      lookup: header || !freshNonce,
      claim: claimsKey(action),
    },
    (svc) => runAction(svc, 'uspeedo', action, callerOf(key), signed, reqUuid),
    (err) => ({ RetCode: err.retCode, Message: err.message }),
  );
}
