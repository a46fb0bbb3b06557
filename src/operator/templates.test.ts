import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { createAccount, updateAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { createTemplate, getTemplate, listTemplates, reviewTemplate, updateTemplate } from './templates.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;
const CODE = { TemplateName: 'code', Template: 'Your code is {1}', Purpose: 1 };

testOnBothDatabases('templates: customers submit by the USMS rules, under review unless auto-approved; scoped to the account', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  const dev = as(db, user(a.AccountId, 'developer'));

  const t = await createTemplate(dev, CODE);
  assert.equal(t.Status, 1, 'under review');
  await assert.rejects(createTemplate(dev, { ...CODE, Template: '{1}' }), refused('bad-input'), 'placeholders only');
  await assert.rejects(createTemplate(dev, { ...CODE, TemplateName: undefined }), refused('bad-input'));
  await assert.rejects(createTemplate(dev, { ...CODE, Purpose: 3 }), (e: unknown) => refused('bad-input')(e) && /UnsubscribeInfo/.test((e as Error).message));
  await assert.rejects(createTemplate(dev, { ...CODE, Approve: true }), refused('forbidden'));
  await assert.rejects(createTemplate(as(db, user(a.AccountId, 'viewer')), CODE), refused('forbidden'));
  await assert.rejects(createTemplate(dev, { ...CODE, AccountId: b.AccountId }), refused('not-found'));

  await updateAccount(op, a.AccountId, { AutoApprove: true });
  assert.equal((await createTemplate(dev, { ...CODE, TemplateName: 'auto' })).Status, 2);

  const listed = await listTemplates(as(db, user(a.AccountId, 'viewer')), {});
  const rows = listed.Templates.map((x) => [x.TemplateName, x.Status, x.AccountId, x.ParamCount]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
  assert.deepEqual(rows, [['auto', 2, a.AccountId, 1], ['code', 1, a.AccountId, 1]]);
  await assert.rejects(listTemplates(dev, { AccountId: b.AccountId }), refused('not-found'));
  await assert.rejects(getTemplate(as(db, user(b.AccountId)), { TemplateId: t.TemplateId }), refused('not-found'), "another account's template is unknown");

  const entry = (await auditPage(db, { accountId: a.AccountId, limit: 10 })).find((e) => e.Target === t.TemplateId)!;
  assert.deepEqual([entry.Action, entry.Actor, entry.Detail], ['template.create', 'developer@example.com', { TemplateName: 'code', Purpose: 1, Status: 1 }]);
});

testOnBothDatabases('operators may approve at once, leave the name out and store a pass-through template', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const t = await createTemplate(op, { AccountId: a.AccountId, Template: '{1}', Purpose: '2', Approve: true });
  const view = await getTemplate(op, { AccountId: a.AccountId, TemplateId: t.TemplateId });
  assert.deepEqual([view.Status, view.TemplateName, view.Template], [2, t.TemplateId, '{1}']);
  await assert.rejects(createTemplate(op, { Template: 'x {1}', Purpose: 2 }), refused('bad-input'), 'an operator names the account');
  await assert.rejects(createTemplate(op, { AccountId: a.AccountId, Template: 'gap {2}', Purpose: 2 }), refused('bad-input'));
});

testOnBothDatabases('updates follow UpdateUSMSTemplate; review decisions are for operators and audited', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  const admin = as(db, user(a.AccountId));
  const { TemplateId: id } = await createTemplate(admin, CODE);

  await assert.rejects(updateTemplate(admin, id, {}), refused('bad-input'));
  await assert.rejects(updateTemplate(as(db, user(b.AccountId)), id, { Template: 'Hi {1}' }), refused('not-found'));
  await assert.rejects(updateTemplate(as(db, user(a.AccountId, 'viewer')), id, { Template: 'Hi {1}' }), refused('forbidden'));

  await assert.rejects(reviewTemplate(admin, { AccountId: a.AccountId, TemplateId: id, Decision: 'approve' }), refused('forbidden'));
  await assert.rejects(reviewTemplate(op, { AccountId: a.AccountId, TemplateId: id, Decision: 'maybe' }), refused('bad-input'));
  await assert.rejects(reviewTemplate(op, { AccountId: b.AccountId, TemplateId: id, Decision: 'approve' }), refused('not-found'));
  assert.deepEqual(await reviewTemplate(op, { AccountId: a.AccountId, TemplateId: id, Decision: 'reject', Reason: 'say who is writing' }), { TemplateId: id, Status: 3 });
  assert.equal((await getTemplate(admin, { TemplateId: id })).ErrDesc, 'say who is writing');

  const updated = await updateTemplate(admin, id, { Template: 'ACME: your code is {1}' });
  assert.deepEqual([updated.Status, updated.ErrDesc, updated.Template], [1, '', 'ACME: your code is {1}'], 'back to review');

  await reviewTemplate(op, { AccountId: a.AccountId, TemplateId: id, Decision: 'approve' });
  await assert.rejects(updateTemplate(admin, id, { Template: 'Changed {1}' }), (e: unknown) => refused('bad-input')(e) && /approved/.test((e as Error).message));

  const actions = (await auditPage(db, { accountId: a.AccountId, limit: 10 })).map((e) => [e.Action, e.Actor]);
  assert.deepEqual(actions.slice(0, 3), [['template.approve', 'cli'], ['template.update', 'admin@example.com'], ['template.reject', 'cli']]);
  const reject = (await auditPage(db, { accountId: a.AccountId, limit: 10 })).find((e) => e.Action === 'template.reject')!;
  assert.deepEqual(reject.Detail, { Reason: 'say who is writing' });
});
