import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { createSender, listSenders, reviewSender, updateSender } from './senders.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

testOnBothDatabases('senders: CreateUSMSSignature rules, one name per account, scoped; review by operators, audited', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  const dev = as(db, user(a.AccountId, 'developer'));

  const s = await createSender(dev, { SigContent: 'ACME', SigType: '1', Description: 'our app' });
  assert.equal(s.Status, 1, 'under review');
  await assert.rejects(createSender(dev, { SigContent: 'ACME' }), refused('conflict'));
  await assert.rejects(createSender(dev, { SigContent: '【ACME】' }), refused('bad-input'));
  await assert.rejects(createSender(dev, { SigContent: 'Other', SigType: 9 }), refused('bad-input'));
  await assert.rejects(createSender(dev, { SigContent: 'Other', Approve: true }), refused('forbidden'));
  await assert.rejects(createSender(as(db, user(a.AccountId, 'viewer')), { SigContent: 'Other' }), refused('forbidden'));
  await assert.rejects(createSender(dev, { AccountId: b.AccountId, SigContent: 'Other' }), refused('not-found'));
  assert.equal((await createSender(op, { AccountId: b.AccountId, SigContent: 'ACME', Approve: true })).Status, 2, 'names are per account');

  const listed = await listSenders(as(db, user(a.AccountId, 'viewer')), {});
  assert.deepEqual(listed.Senders.map((x) => [x.SigId, x.SigContent, x.SigType, x.Description, x.Status]), [[s.SigId, 'ACME', 1, 'our app', 1]]);
  await assert.rejects(listSenders(dev, { AccountId: b.AccountId }), refused('not-found'));

  await assert.rejects(updateSender(as(db, user(b.AccountId)), s.SigId, { Description: 'x' }), refused('not-found'));
  await assert.rejects(reviewSender(dev, { AccountId: a.AccountId, SigId: s.SigId, Decision: 'approve' }), refused('forbidden'));
  assert.deepEqual(await reviewSender(op, { AccountId: a.AccountId, SigId: s.SigId, Decision: 'reject', Reason: 'certificate unreadable' }), { SigId: s.SigId, Status: 3 });
  const updated = await updateSender(dev, s.SigId, { SigContent: 'ACME Corp' });
  assert.deepEqual([updated.SigContent, updated.Status, updated.ErrDesc], ['ACME Corp', 1, '']);
  await reviewSender(op, { AccountId: a.AccountId, SigId: s.SigId, Decision: 'approve' });
  await assert.rejects(updateSender(dev, s.SigId, { Description: 'late' }), refused('bad-input'), 'approved: no more changes');

  const entries = await auditPage(db, { accountId: a.AccountId, limit: 10 });
  assert.deepEqual(entries.slice(0, 4).map((e) => e.Action), ['sender.approve', 'sender.update', 'sender.reject', 'sender.create']);
});
