import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { reviewQueue } from './review.ts';
import { createSender, reviewSender } from './senders.ts';
import { createTemplate } from './templates.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

testOnBothDatabases('the review queue: what waits in every account, oldest first; operators only', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  const customerOf = (accountId: number) => as(db, { userId: 1, email: 'x@example.com', role: 'admin', accountId });

  const t1 = await createTemplate(customerOf(a.AccountId), { TemplateName: 't1', Template: 'First {1}', Purpose: 2 });
  await createTemplate(op, { AccountId: a.AccountId, Template: 'Approved {1}', Purpose: 2, Approve: true });
  const t2 = await createTemplate(customerOf(b.AccountId), { TemplateName: 't2', Template: 'Second {1}', Purpose: 2 });
  const s1 = await createSender(customerOf(b.AccountId), { SigContent: 'Bee' });
  const s2 = await createSender(customerOf(a.AccountId), { SigContent: 'Ay' });
  await reviewSender(op, { AccountId: a.AccountId, SigId: s2.SigId, Decision: 'reject', Reason: 'no' });

  // Creation times a second apart, so that "oldest first" has one answer.
  for (const [table, id, at] of [['templates', t1.TemplateId, 1], ['templates', t2.TemplateId, 2], ['senders', s1.SigId, 3]] as const) {
    await db.updateTable(table).set({ created_at: at * 1000 }).where('id', '=', id).execute();
  }
  const queue = await reviewQueue(op);
  assert.deepEqual(queue.Templates.map((t) => [t.TemplateId, t.AccountId]), [[t1.TemplateId, a.AccountId], [t2.TemplateId, b.AccountId]]);
  assert.deepEqual(queue.Senders.map((s) => [s.SigId, s.AccountId]), [[s1.SigId, b.AccountId]]);
  assert.equal((await reviewQueue(op, { Limit: 1 })).Templates.length, 1);
  await assert.rejects(reviewQueue(customerOf(a.AccountId)), refused('forbidden'));
});
