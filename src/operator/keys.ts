import { createKey as storeCreateKey, listKeys as storeListKeys, revokeKey as storeRevokeKey } from '../store/keys.ts';
import { accountOf, notFound } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { requiredString } from './input.ts';
import { accountInScope } from './scope.ts';

/** A new API key pair; the secret (PrivateKey) is answered this once and stored sealed. */
export async function createKey(ctx: OperatorContext, q: { AccountId?: number }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'write');
  const pair = await storeCreateKey(ctx.db, ctx.box, id);
  await audit(ctx.db, ctx.actor, 'key.create', pair.publicKey, id);
  return { AccountId: id, PublicKey: pair.publicKey, PrivateKey: pair.privateKey };
}

/** The account's keys without their secrets; CreateTime in unix seconds. */
export async function listKeys(ctx: OperatorContext, q: { AccountId?: number }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'read');
  return { Keys: await storeListKeys(ctx.db, id) };
}

/**
 * Revokes a key in the database. Running API nodes keep accepting it until their key cache forgets it
 * (KEY_TTL_MS, actions/lookups.ts): the caller tells the node it talks to (http/operator.ts) to drop it at once.
 */
export async function revokeKey(ctx: OperatorContext, q: { AccountId?: number; PublicKey: unknown }) {
  const id = accountOf(ctx.actor, q.AccountId, 'write');
  const publicKey = requiredString(q.PublicKey, 'PublicKey', 64);
  if (!(await storeRevokeKey(ctx.db, id, publicKey))) throw notFound(`no key ${publicKey} in account ${id}`);
  await audit(ctx.db, ctx.actor, 'key.revoke', publicKey, id);
  return { AccountId: id, Revoked: publicKey };
}
