import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { ContentRulesCache } from '../actions/content-rules-cache.ts';
import { SecretBox } from '../auth/secrets.ts';
import { MAX_RULES_PER_SCOPE } from '../compliance/content-rules.ts';
import { auditPage } from '../store/audit.ts';
import { addContentRule } from '../store/content-rules.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { blockContent, listContentRules, unblockContent } from './content.ts';
import { createTemplate, updateTemplate } from './templates.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind'], message?: RegExp) => (e: unknown) =>
  e instanceof OperatorError && e.kind === kind && (!message || message.test(e.message));
const patterns = (r: { Rules: Array<{ AccountId: number; Pattern: string; Regex: boolean }> }) => r.Rules.map((x) => [x.AccountId, x.Pattern, x.Regex]);

testOnBothDatabases('content rules: operators block platform-wide or per account, plain or regex; idempotent; checked; audited', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });

  const free = await blockContent(op, { Pattern: 'ＦＲＥＥ' });
  assert.deepEqual({ ...free, CreateTime: 0 }, { RuleId: free.RuleId, AccountId: 0, Pattern: 'free', Regex: false, CreatedBy: 'cli', CreateTime: 0, Added: true });
  const again = await blockContent(op, { Pattern: ' Free ', Regex: false });
  assert.deepEqual([again.RuleId, again.Added], [free.RuleId, false], 'the same word in another case or width is the same rule');
  const re = await blockContent(op, { AccountId: a.AccountId, Pattern: 'l[o0]an\\s*now', Regex: 'true' });
  assert.deepEqual([re.AccountId, re.Pattern, re.Regex, re.Added], [a.AccountId, 'l[o0]an\\s*now', true, true]);
  const sameAsWord = await blockContent(op, { AccountId: a.AccountId, Pattern: 'l[o0]an\\s*now' });
  assert.ok(sameAsWord.Added && sameAsWord.RuleId !== re.RuleId, 'a word and a regex of the same text are two rules');

  await assert.rejects(blockContent(op, { Pattern: 'fr(ee', Regex: true }), refused('bad-input', /^Pattern is not a valid regular expression: /));
  await assert.rejects(blockContent(op, { Pattern: '(a+)+', Regex: true }), refused('bad-input', /exponential/));
  await assert.rejects(blockContent(op, { Pattern: 'x*', Regex: true }), refused('bad-input', /block every message/));
  await assert.rejects(blockContent(op, { Pattern: 'x'.repeat(101) }), refused('bad-input', /^Pattern is 101 characters, more than 100$/));
  await assert.rejects(blockContent(op, { Pattern: '  ' }), refused('bad-input', /^Pattern is required$/));
  await assert.rejects(blockContent(op, { AccountId: 99999, Pattern: 'x' }), refused('not-found'));

  assert.deepEqual(patterns(await listContentRules(op, {})), [[0, 'free', false]], 'without an account: the platform-wide rules');
  assert.deepEqual(patterns(await listContentRules(op, { AccountId: a.AccountId })), [
    [0, 'free', false], [a.AccountId, 'l[o0]an\\s*now', true], [a.AccountId, 'l[o0]an\\s*now', false],
  ]);

  const entries = await auditPage(db, { accountId: a.AccountId, limit: 10 });
  assert.deepEqual(entries.slice(0, 2).map((e) => [e.Action, e.Target, e.Detail.Regex]), [
    ['content.block', 'l[o0]an\\s*now', false], ['content.block', 'l[o0]an\\s*now', true],
  ]);
  const platform = (await auditPage(db, { limit: 20 })).filter((e) => e.Action === 'content.block' && e.AccountId === null);
  assert.deepEqual(platform.map((e) => [e.Target, e.Detail.Added]), [['free', false], ['free', true]]);
});

testOnBothDatabases('content rules: an admin blocks its own plain words only; developers and viewers read', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  const admin = as(db, user(a.AccountId, 'admin'));
  await blockContent(op, { Pattern: 'platform-word' });
  const opRegex = await blockContent(op, { AccountId: a.AccountId, Pattern: 'ca[s$]ino', Regex: true });
  const other = await blockContent(op, { AccountId: b.AccountId, Pattern: 'b-only' });

  const mine = await blockContent(admin, { Pattern: '赌博' });
  assert.deepEqual([mine.AccountId, mine.Pattern, mine.CreatedBy], [a.AccountId, '赌博', 'admin@example.com']);
  await assert.rejects(blockContent(admin, { Pattern: 'x+', Regex: true }), refused('forbidden', /only operators manage regular expressions/));
  await assert.rejects(blockContent(admin, { AccountId: b.AccountId, Pattern: 'x' }), refused('not-found'));
  await assert.rejects(blockContent(admin, { AccountId: 0, Pattern: 'x' }), refused('not-found'), 'platform-wide is for operators');
  for (const role of ['developer', 'viewer'] as const) {
    await assert.rejects(blockContent(as(db, user(a.AccountId, role)), { Pattern: 'x' }), refused('forbidden'));
    await assert.rejects(unblockContent(as(db, user(a.AccountId, role)), { Pattern: '赌博' }), refused('forbidden'));
  }

  const viewer = await listContentRules(as(db, user(a.AccountId, 'viewer')), {});
  assert.deepEqual(patterns(viewer), [[0, 'platform-word', false], [a.AccountId, 'ca[s$]ino', true], [a.AccountId, '赌博', false]]);
  assert.equal(viewer.Rules[0]!.CreatedBy, undefined, "customers are not told who on the platform added a rule");
  assert.equal(viewer.Rules[2]!.CreatedBy, 'admin@example.com');
  await assert.rejects(listContentRules(admin, { AccountId: b.AccountId }), refused('not-found'));

  // Lifting: its own plain words, not the operator's regex, not another account's rule.
  await assert.rejects(unblockContent(admin, { RuleId: opRegex.RuleId }), refused('forbidden'));
  await assert.rejects(unblockContent(admin, { Pattern: 'ca[s$]ino', Regex: true }), refused('forbidden'));
  await assert.rejects(unblockContent(admin, { RuleId: other.RuleId }), refused('not-found'));
  await assert.rejects(unblockContent(admin, { Pattern: 'platform-word', AccountId: 0 }), refused('not-found'));
  assert.deepEqual(await unblockContent(admin, { Pattern: 'platform-word' }), { AccountId: a.AccountId, Pattern: 'platform-word', Regex: false, Removed: false });
  const lifted = await unblockContent(admin, { RuleId: String(mine.RuleId) });
  assert.deepEqual([lifted.RuleId, lifted.Pattern, lifted.Removed], [mine.RuleId, '赌博', true]);
  assert.deepEqual(patterns(await listContentRules(op, { AccountId: b.AccountId })), [[0, 'platform-word', false], [b.AccountId, 'b-only', false]]);
});

testOnBothDatabases('content rules: operators unblock by pattern (any case or width) or by id in any account', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  await blockContent(op, { Pattern: 'Winner' });
  const re = await blockContent(op, { AccountId: a.AccountId, Pattern: 'w[i1]n', Regex: true });

  await assert.rejects(unblockContent(op, {}), refused('bad-input', /^give one of \[RuleId\] and \[Pattern\]$/));
  await assert.rejects(unblockContent(op, { RuleId: re.RuleId, Pattern: 'x' }), refused('bad-input'));
  await assert.rejects(unblockContent(op, { RuleId: 'abc' }), refused('bad-input', /^RuleId must be a whole number$/));
  await assert.rejects(unblockContent(op, { RuleId: 987654 }), refused('not-found'));
  await assert.rejects(unblockContent(op, { RuleId: re.RuleId, AccountId: 0 }), refused('not-found'), 'not platform-wide');
  assert.equal((await unblockContent(op, { Pattern: 'w[i1]n' })).Removed, false, 'a regex is not a word');

  const word = await unblockContent(op, { Pattern: 'ＷＩＮＮＥＲ' });
  assert.deepEqual([word.AccountId, word.Pattern, word.Removed], [0, 'winner', true]);
  const byId = await unblockContent(op, { RuleId: re.RuleId });
  assert.deepEqual([byId.AccountId, byId.Pattern, byId.Regex, byId.Removed], [a.AccountId, 'w[i1]n', true, true]);
  assert.deepEqual(patterns(await listContentRules(op, { AccountId: a.AccountId })), []);
  const entries = await auditPage(db, { accountId: a.AccountId, limit: 1 });
  assert.deepEqual([entries[0]!.Action, entries[0]!.Target, entries[0]!.Detail.Removed], ['content.unblock', 'w[i1]n', true]);
});

testOnBothDatabases('content rules: at most MAX_RULES_PER_SCOPE per account; re-adding an existing one still answers', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  for (let i = 0; i < MAX_RULES_PER_SCOPE; i++) await addContentRule(db, { accountId: a.AccountId, pattern: `w${i}`, isRegex: false, createdBy: 'test' });
  await assert.rejects(blockContent(op, { AccountId: a.AccountId, Pattern: 'one-more' }), refused('conflict', /already has 500 blocked words/));
  assert.equal((await blockContent(op, { AccountId: a.AccountId, Pattern: 'w7' })).Added, false);
  assert.equal((await listContentRules(op, { AccountId: a.AccountId })).Rules.length, MAX_RULES_PER_SCOPE);
  assert.equal((await blockContent(op, { Pattern: 'one-more' })).Added, true, 'the platform has its own bound');
});

testOnBothDatabases('templates with a blocked word are refused, naming it; other accounts are not affected by an account rule', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  await blockContent(op, { Pattern: '发票' });
  await blockContent(op, { AccountId: a.AccountId, Pattern: 'b[o0]nus', Regex: true });
  const code = { Template: 'Your code is {1}', Purpose: 1, TemplateName: 'code' };

  await assert.rejects(createTemplate(op, { ...code, AccountId: b.AccountId, Template: '代开发票 {1}' }), refused('bad-input', /^Template contains the blocked word "发票"$/));
  await assert.rejects(createTemplate(as(db, user(a.AccountId, 'developer')), { ...code, Template: 'Claim your B0NUS {1}' }), refused('bad-input', /^Template contains the blocked pattern "b\[o0\]nus"$/));
  const ok = await createTemplate(op, { ...code, AccountId: b.AccountId, Template: 'Claim your bonus {1}' });
  assert.equal(ok.Status, 1);
  await assert.rejects(updateTemplate(op, ok.TemplateId, { AccountId: b.AccountId, Template: 'ＦＡＰＩＡＯ 发票 {1}' }), refused('bad-input', /发票/));
  assert.equal((await updateTemplate(op, ok.TemplateId, { AccountId: b.AccountId, TemplateName: 'renamed' })).TemplateName, 'renamed', 'a change without text is not checked');
});

testOnBothDatabases('ContentRulesCache: a rule added or lifted elsewhere applies within about a second', async (db) => {
  const op = as(db, CLI_ACTOR);
  const a = await createAccount(op, { Name: 'a' });
  const b = await createAccount(op, { Name: 'b' });
  const cache = new ContentRulesCache(db);
  const poll = async (accountId: number, text: string, want: boolean) => {
    const start = Date.now();
    while (Boolean((await cache.forAccount(accountId)).find(text)) !== want) {
      assert.ok(Date.now() - start < 3_000, `${text} in ${accountId}: still ${!want} after 3 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - start;
  };
  assert.equal((await cache.forAccount(a.AccountId)).find('hot deal'), undefined);
  await blockContent(op, { AccountId: a.AccountId, Pattern: 'Deal' });
  assert.equal((await cache.forAccount(a.AccountId)).find('hot deal'), undefined, 'cached: read again at most once a second');
  assert.ok((await poll(a.AccountId, 'HOT ＤＥＡＬ', true)) <= 1_500);
  assert.equal((await cache.forAccount(b.AccountId)).find('hot deal'), undefined, "another account's rule");
  await blockContent(op, { Pattern: 'jackpot' });
  await poll(b.AccountId, 'Jackpot!', true);
  await unblockContent(op, { AccountId: a.AccountId, Pattern: 'deal' });
  await poll(a.AccountId, 'hot deal', false);
  assert.ok((await cache.forAccount(a.AccountId)).find('jackpot'), 'platform-wide rules apply to every account');
});
