import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { resolveKey } from '../store/keys.ts';
import { createAccount, getAccount, listAccounts, updateAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

testOnBothDatabases('accounts: operators create, list and change them; a customer sees only their own', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: ' acme ', Region: 'us' });
  const b = await createAccount(op, { Name: 'other' });
  assert.ok((await resolveKey(db, box, a.PublicKey))?.secret === a.PrivateKey, 'the first key works');

  const entry = (await auditPage(db, { limit: 10 })).find((e) => e.Action === 'account.create' && e.AccountId === a.AccountId)!;
  assert.deepEqual(entry.Detail, { Name: 'acme', Region: 'US', PublicKey: a.PublicKey });
  assert.equal(entry.Actor, 'cli');
  assert.ok(!JSON.stringify(await auditPage(db, { limit: 10 })).includes(a.PrivateKey), 'no secret in the audit log');

  assert.deepEqual((await listAccounts(op)).Accounts.map((x) => x.Name), ['acme', 'other']);
  await assert.rejects(listAccounts(as(db, user(a.AccountId))), refused('forbidden'));
  await assert.rejects(createAccount(as(db, user(a.AccountId)), { Name: 'mine' }), refused('forbidden'));
  await assert.rejects(createAccount(op, { Name: 'x', Region: 'USA' }), refused('bad-input'));
  await assert.rejects(createAccount(op, { Name: '  ' }), refused('bad-input'));

  const mine = await getAccount(as(db, user(a.AccountId, 'viewer')), undefined);
  assert.equal(mine.AccountId, a.AccountId);
  assert.equal(mine.Region, 'US');
  await assert.rejects(getAccount(as(db, user(a.AccountId)), b.AccountId), refused('not-found'));
  await assert.rejects(getAccount(op, 99_999_999), refused('not-found'));
  await assert.rejects(getAccount(op, undefined), refused('bad-input'));
});

testOnBothDatabases('account settings: suspend, region, auto-approval and callback URL, audited; customers may not', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'acme' });
  await assert.rejects(updateAccount(as(db, user(a.AccountId)), a.AccountId, { Status: 'disabled' }), refused('forbidden'));
  await assert.rejects(updateAccount(op, a.AccountId, {}), refused('bad-input'));
  await assert.rejects(updateAccount(op, a.AccountId, { Status: 'gone' }), refused('bad-input'));
  await assert.rejects(updateAccount(op, a.AccountId, { CallbackUrl: 'ftp://example.com/x' }), refused('bad-input'));
  await assert.rejects(updateAccount(op, 99_999_999, { Status: 'disabled' }), refused('not-found'));

  const changed = await updateAccount(op, a.AccountId, { Status: 'disabled', Region: 'gb', AutoApprove: true, CallbackUrl: 'https://example.com/usms' });
  assert.deepEqual(
    { Status: changed.Status, Region: changed.Region, TemplateAutoApprove: changed.TemplateAutoApprove, CallbackUrl: changed.CallbackUrl },
    { Status: 'disabled', Region: 'GB', TemplateAutoApprove: true, CallbackUrl: 'https://example.com/usms' },
  );
  assert.equal((await resolveKey(db, box, a.PublicKey))?.accountStatus, 'disabled', 'the API refuses its keys');
  const [entry] = await auditPage(db, { accountId: a.AccountId, limit: 1 });
  assert.equal(entry!.Action, 'account.update');
  assert.deepEqual(entry!.Detail, { Status: 'disabled', Region: 'GB', AutoApprove: true, CallbackUrl: 'https://example.com/usms' });

  const reopened = await updateAccount(op, a.AccountId, { Status: 'active', AutoApprove: 'false', CallbackUrl: '' });
  assert.deepEqual([reopened.Status, reopened.TemplateAutoApprove, reopened.CallbackUrl, reopened.Region], ['active', false, '', 'GB']);
});
