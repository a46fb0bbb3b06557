import { randomToken, type SecretBox } from '../auth/secrets.ts';
import type { Db } from './db.ts';
import { createKey } from './keys.ts';
import { billingEnabled } from './prices.ts';

export interface Account {
  id: number;
  projectId: string;
  name: string;
  region: string;
  status: string;
}

const FIRST_ACCOUNT_ID = 60000001;

/** Creates an account with its first API key; the only time the secret is returned in clear. */
export async function createAccount(db: Db, box: SecretBox, input: { name: string; region?: string }) {
  const region = (input.region ?? 'CN').toUpperCase();
  if (!/^[A-Z]{2}$/.test(region)) throw new Error(`region must be an ISO 3166 two-letter code, got "${input.region}"`);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('accounts').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    const id = Math.max(Number(row?.max ?? 0) + 1, FIRST_ACCOUNT_ID);
    const projectId = 'org-' + randomToken(8, 'abcdefghijklmnopqrstuvwxyz0123456789');
    // Once billing is on, a new account pays before it sends.
    const billing_mode = (await billingEnabled(trx)) ? 'prepaid' as const : 'free' as const;
    await trx
      .insertInto('accounts')
      .values({ id, project_id: projectId, name: input.name, region, status: 'active', created_at: Date.now(), billing_mode })
      .execute();
    const key = await createKey(trx, box, id);
    return { AccountId: id, ProjectId: projectId, PublicKey: key.publicKey, PrivateKey: key.privateKey };
  });
}

export async function getAccount(db: Db, id: number): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAccount(row);
}

export async function listAccounts(db: Db): Promise<Account[]> {
  const rows = await db.selectFrom('accounts').selectAll().orderBy('id').execute();
  return rows.map(toAccount);
}

export async function requireAccount(db: Db, id: number): Promise<Account> {
  const account = await getAccount(db, id);
  if (!account) throw new Error(`no account ${id}`);
  return account;
}

function toAccount(row: { id: number; project_id: string; name: string; region: string; status: string }): Account {
  return { id: Number(row.id), projectId: row.project_id, name: row.name, region: row.region, status: row.status };
}
