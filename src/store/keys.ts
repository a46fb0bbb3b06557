import type { Kysely } from 'kysely';
import { newKeyPair, type SecretBox } from '../auth/secrets.ts';
import type { Db } from './db.ts';
import type { Database } from './schema.ts';

export interface ResolvedKey {
  publicKey: string;
  secret: string;
  accountId: number;
  projectId: string;
  region: string;
  accountStatus: string;
}

export async function createKey(db: Kysely<Database>, box: SecretBox, accountId: number) {
  const pair = newKeyPair();
  await db
    .insertInto('api_keys')
    .values({ account_id: accountId, public_key: pair.publicKey, secret_sealed: box.seal(pair.privateKey), status: 'active', created_at: Date.now() })
    .execute();
  return pair;
}

export async function listKeys(db: Db, accountId: number) {
  const rows = await db
    .selectFrom('api_keys')
    .select(['public_key', 'status', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ PublicKey: r.public_key, Status: r.status, CreateTime: Math.floor(Number(r.created_at) / 1000) }));
}

export async function revokeKey(db: Db, accountId: number, publicKey: string): Promise<boolean> {
  const res = await db
    .updateTable('api_keys')
    .set({ status: 'revoked' })
    .where('account_id', '=', accountId)
    .where('public_key', '=', publicKey)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** An active key with its account, secret opened; undefined when unknown or revoked. */
export async function resolveKey(db: Db, box: SecretBox, publicKey: string): Promise<ResolvedKey | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
    .select(['api_keys.secret_sealed', 'api_keys.account_id', 'accounts.project_id', 'accounts.region', 'accounts.status'])
    .where('api_keys.public_key', '=', publicKey)
    .where('api_keys.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    publicKey,
    secret: box.open(row.secret_sealed),
    accountId: Number(row.account_id),
    projectId: row.project_id,
    region: row.region,
    accountStatus: row.status,
  };
}
