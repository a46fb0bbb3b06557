import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { ServerProcess, basicAuth, restPost, ucloudGet, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');
const SENDER = 'Acme';
const BEFORE_RULE = 'Tonight at the casino: your code {1}';
const CLEAN = 'Hello {1}, your parcel is on its way';
type Dialect = 'ucloud-get' | 'ucloud-form' | 'uspeedo' | 'rest';
const DIALECTS: Dialect[] = ['ucloud-get', 'ucloud-form', 'uspeedo', 'rest'];

/** Mobile numbers spread over many ranges, so that no burst lands on one. */
const PREFIXES = ['139', '138', '137', '136', '135', '150', '151', '152', '186', '188'];
let phoneSeq = 0;
function phone(): string {
  const n = phoneSeq++;
  return PREFIXES[n % PREFIXES.length]! + String((n * 7_654_321 + 12_345_678) % 100_000_000).padStart(8, '0');
}

const WORD_IN_TEMPLATE = /^content contains? the blocked word "casino"$/;
const WORD_IN_PARAMS = (word: string, kind = 'word') => new RegExp(`^template parameters contains? the blocked ${kind} "${word.replace(/[[\]()]/g, '\\$&')}"$`);

describe('content rules (blocked words and patterns), end to end in every dialect', () => {
  let server: ServerProcess;
  let a: Credentials;
  let b: Credentials;
  let aBeforeRule: string;
  let aClean: string;
  let bClean: string;
  let casinoRule: any;
  let jackpotRule: any;

  before(async () => {
    server = await ServerProcess.start();
    const sa = await server.setupAccount({ sender: SENDER, templates: [BEFORE_RULE, CLEAN] });
    a = sa.creds;
    [aBeforeRule, aClean] = sa.templateIds as [string, string];
    const sb = await server.setupAccount({ sender: SENDER, templates: [CLEAN] });
    b = sb.creds;
    bClean = sb.templateIds[0]!;
    // Before any request of these accounts: no server has their rules cached yet, so these apply at once.
    casinoRule = await server.cli('content', 'block', '--pattern', 'CASINO', '--account', String(a.AccountId));
    jackpotRule = await server.cli('content', 'block', '--pattern', 'ja[c(]kp[o0]t', '--regex');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  /** `usms <args> --json` that must fail: its JSON error. */
  async function cliFails(...args: string[]): Promise<string> {
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args, '--json'], { env: server.env });
    } catch (err) {
      const e = err as { code: number; stdout: string };
      assert.equal(e.code, 1);
      return JSON.parse(e.stdout.trim().split('\n').pop()!).error;
    }
    assert.fail(`usms ${args.join(' ')} succeeded`);
  }

  const createTemplate = async (dialect: Dialect, c: Credentials, text: string) => {
    const fields = { Purpose: '2', TemplateName: 'promo', Template: text };
    switch (dialect) {
      case 'ucloud-get': return (await ucloudGet(server.url, c, { Action: 'CreateUSMSTemplate', ...fields })).body;
      case 'ucloud-form': return (await ucloudPostForm(server.url, c, { Action: 'CreateUSMSTemplate', ...fields })).body;
      case 'uspeedo': return (await uspeedoPost(server.url, c, { Action: 'CreateUSMSTemplate', AccountId: c.AccountId, ...fields, Purpose: 2 })).body;
      case 'rest': return (await restPost(server.url, c, '/api/v1/usms/USMSTemplate', { ...fields, Purpose: 2 })).body;
    }
  };

  /** SendBatchUSMSMessage in a dialect, its refused targets as [Phone, reason]. */
  async function sendBatch(dialect: Dialect, c: Credentials, templateId: string, targets: Array<{ Phone: string; TemplateParams: string[] }>) {
    const senderField = dialect.startsWith('ucloud') ? 'SigContent' : 'SenderId';
    const tasks = [{ TemplateId: templateId, [senderField]: SENDER, Target: targets }];
    const taskContent = Buffer.from(JSON.stringify(tasks)).toString('base64');
    let body: any;
    if (dialect === 'ucloud-get') body = (await ucloudGet(server.url, c, { Action: 'SendBatchUSMSMessage', TaskContent: taskContent })).body;
    else if (dialect === 'ucloud-form') body = (await ucloudPostForm(server.url, c, { Action: 'SendBatchUSMSMessage', TaskContent: taskContent })).body;
    else if (dialect === 'uspeedo') body = (await uspeedoPost(server.url, c, { Action: 'SendBatchUSMSMessage', AccountId: c.AccountId, TaskContent: tasks })).body;
    else body = (await restPost(server.url, c, '/api/v1/usms/SendBatchUSMSMessage', { TaskContent: tasks })).body;
    const failed: Array<[string, string]> = dialect === 'rest'
      ? body.FailedTargetPhones.map((f: any) => [f.Phone, f.FailureReason])
      : body.FailContent.flatMap((g: any) => g.Target.map((t: any) => [t.Phone, t.FailureDetails]));
    const accepted = dialect === 'rest' ? (body.RetCode === 0 ? body.SessionNo.length : 0) : body.SuccessCount;
    return { body, failed, accepted };
  }

  /** SendUSMSMessage (all or nothing) in an action dialect. */
  async function sendOne(dialect: Exclude<Dialect, 'rest'>, c: Credentials, templateId: string, phones: string[], param: string) {
    if (dialect === 'uspeedo') {
      return (await uspeedoPost(server.url, c, { Action: 'SendUSMSMessage', AccountId: c.AccountId, PhoneNumbers: phones, TemplateId: templateId, TemplateParams: [param], SenderId: SENDER })).body;
    }
    const params: Record<string, string> = { Action: 'SendUSMSMessage', TemplateId: templateId, 'TemplateParams.0': param, SigContent: SENDER };
    phones.forEach((p, i) => (params[`PhoneNumbers.${i}`] = p));
    return (await (dialect === 'ucloud-get' ? ucloudGet : ucloudPostForm)(server.url, c, params)).body;
  }

  const inboxTexts = async () => ((await server.cli('sandbox', 'inbox', '--limit', '500')).Messages as Array<{ Text: string }>).map((m) => m.Text);

  test('CLI: block answers the stored rule; list shows platform-wide and account rules; refusals name the flag and the word', async () => {
    assert.deepEqual(
      [casinoRule.AccountId, casinoRule.Pattern, casinoRule.Regex, casinoRule.Added, casinoRule.CreatedBy],
      [a.AccountId, 'casino', false, true, 'cli'],
      'a plain word is stored normalised',
    );
    assert.deepEqual([jackpotRule.AccountId, jackpotRule.Pattern, jackpotRule.Regex], [0, 'ja[c(]kp[o0]t', true]);
    const again = await server.cli('content', 'block', '--pattern', 'Ｃａｓｉｎｏ', '--account', String(a.AccountId));
    assert.deepEqual([again.RuleId, again.Added], [casinoRule.RuleId, false]);

    const listA = await server.cli('content', 'list', '--account', String(a.AccountId));
    assert.deepEqual(listA.Rules.map((r: any) => [r.RuleId, r.AccountId, r.Pattern, r.Regex]), [
      [jackpotRule.RuleId, 0, 'ja[c(]kp[o0]t', true], [casinoRule.RuleId, a.AccountId, 'casino', false],
    ]);
    assert.deepEqual((await server.cli('content', 'list')).Rules.map((r: any) => r.Pattern), ['ja[c(]kp[o0]t']);

    assert.match(await cliFails('content', 'block', '--pattern', 'fr(ee', '--regex'), /^--pattern is not a valid regular expression: /);
    assert.equal(await cliFails('content', 'unblock', '--account', String(a.AccountId)), 'give one of [--id] and [--pattern]');
    assert.equal(
      await cliFails('template', 'create', '--account', String(a.AccountId), '--content', 'Big ＣＡＳＩＮＯ night {1}', '--approve'),
      '--content contains the blocked word "casino"',
    );
  });

  test('template creation and update: 18023 naming the word in every dialect (REST v1: 215392), nothing stored', async () => {
    const count = async (c: Credentials) => (await uspeedoPost(server.url, c, { Action: 'QueryUSMSTemplate', AccountId: c.AccountId })).body.Total;
    const before = await count(a);
    for (const dialect of DIALECTS) {
      const rest = dialect === 'rest';
      const word = await createTemplate(dialect, a, 'Big ＣＡＳＩＮＯ night {1}');
      assert.equal(word.RetCode, rest ? 215392 : 18023, `${dialect}: ${JSON.stringify(word)}`);
      assert.equal(word.Message, 'template contains the blocked word "casino"', dialect);
      assert.equal(word.TemplateId, undefined);
      const regex = await createTemplate(dialect, a, 'Win the JACKPOT {1}');
      assert.equal(regex.RetCode, rest ? 215392 : 18023, dialect);
      assert.equal(regex.Message, 'template contains the blocked pattern "ja[c(]kp[o0]t"', dialect);
      if (!rest) assert.equal(word.Action, 'CreateUSMSTemplateResponse');
    }
    assert.equal(await count(a), before, 'nothing stored');

    // An update to a blocked text is refused the same way (the template is still under review).
    const draft = await createTemplate('uspeedo', a, 'Your table is ready {1}');
    assert.equal(draft.RetCode, 0, draft.Message);
    const upUcloud = (await ucloudGet(server.url, a, { Action: 'UpdateUSMSTemplate', TemplateId: draft.TemplateId, Template: 'Casino table {1}' })).body;
    assert.deepEqual([upUcloud.RetCode, upUcloud.Message], [18023, 'template contains the blocked word "casino"']);
    const upRest = await fetch(`${server.url}/api/v1/usms/USMSTemplate`, {
      method: 'PUT',
      headers: { authorization: basicAuth(a), 'content-type': 'application/json' },
      body: JSON.stringify({ TemplateId: draft.TemplateId, Template: 'ｃａｓｉｎｏ table {1}' }),
    });
    assert.deepEqual(await upRest.json(), { RetCode: 215392, Message: 'template contains the blocked word "casino"' });
    const kept = (await uspeedoPost(server.url, a, { Action: 'QueryUSMSTemplate', AccountId: a.AccountId, TemplateId: [draft.TemplateId] })).body.Data[0];
    assert.equal(kept.Template, 'Your table is ready {1}');

    // Account B is not bound by A's word, only by the platform-wide pattern.
    for (const dialect of DIALECTS) {
      const ok = await createTemplate(dialect, b, 'Casino night {1}');
      assert.equal(ok.RetCode, 0, `${dialect}: ${ok.Message}`);
      const refused = await createTemplate(dialect, b, 'ＪＡＣＫＰＯＴ {1}');
      assert.equal(refused.RetCode, dialect === 'rest' ? 215392 : 18023);
      assert.equal(refused.Message, 'template contains the blocked pattern "ja[c(]kp[o0]t"');
    }
  });

  test('send: a template approved before the rule is refused per target with 18023, in every dialect', async () => {
    for (const dialect of DIALECTS) {
      const targets = [{ Phone: phone(), TemplateParams: ['1234'] }, { Phone: phone(), TemplateParams: ['5678'] }];
      const { body, failed, accepted } = await sendBatch(dialect, a, aBeforeRule, targets);
      assert.equal(accepted, 0, dialect);
      assert.equal(body.RetCode, dialect === 'rest' ? 215392 : 18023, `${dialect}: ${JSON.stringify(body)}`);
      assert.deepEqual(failed.map(([p]) => p), targets.map((t) => t.Phone), dialect);
      for (const [, reason] of failed) assert.match(reason, WORD_IN_TEMPLATE, dialect);
      if (dialect === 'rest') assert.deepEqual(body.SessionNo, []);
      else assert.equal(body.SessionNo, undefined);
    }
    for (const dialect of ['ucloud-get', 'ucloud-form', 'uspeedo'] as const) {
      const one = await sendOne(dialect, a, aBeforeRule, [phone(), phone()], '4321');
      assert.equal(one.RetCode, 18023, `${dialect}: ${JSON.stringify(one)}`);
      assert.match(one.Message, /blocked word "casino"/);
      assert.equal(one.SessionNo, undefined);
    }
  });

  test('send: a word brought only by TemplateParams (half- or full-width) is 18033 for that target; the rest of the batch goes', async () => {
    const sent: string[] = [];
    for (const dialect of DIALECTS) {
      const blocked = [{ Phone: phone(), TemplateParams: ['ＣＡＳＩＮＯ royale'] }, { Phone: phone(), TemplateParams: ['the Casino'] }];
      const fine = { Phone: phone(), TemplateParams: [`Ann-${dialect}`] };
      const { body, failed, accepted } = await sendBatch(dialect, a, aClean, [blocked[0]!, fine, blocked[1]!]);
      assert.equal(body.RetCode, 0, `${dialect}: ${JSON.stringify(body)}`);
      assert.equal(accepted, 1, dialect);
      assert.deepEqual(failed.map(([p]) => p), blocked.map((t) => t.Phone), dialect);
      for (const [, reason] of failed) assert.match(reason, WORD_IN_PARAMS('casino'), dialect);
      sent.push(`【${SENDER}】Hello Ann-${dialect}, your parcel is on its way`);
    }
    // Every refused target of a request was refused for its params: the answer is 18033 itself.
    for (const dialect of ['ucloud-get', 'ucloud-form', 'uspeedo'] as const) {
      const one = await sendOne(dialect, a, aClean, [phone()], 'ｃａｓｉｎｏ');
      assert.equal(one.RetCode, 18033, `${dialect}: ${JSON.stringify(one)}`);
      assert.match(one.Message, /template parameters contains? the blocked word "casino"/);
      const batch = await sendBatch(dialect, a, aClean, [{ Phone: phone(), TemplateParams: ['CASINO'] }]);
      assert.equal(batch.body.RetCode, 18033, dialect);
    }
    const rest = await sendBatch('rest', a, aClean, [{ Phone: phone(), TemplateParams: ['CASINO'] }]);
    assert.deepEqual([rest.body.RetCode, rest.body.SessionNo, rest.failed.length], [215392, [], 1]);
    assert.match(rest.body.Message, WORD_IN_PARAMS('casino'));

    // Account B: A's word goes through, the platform-wide pattern does not.
    for (const dialect of DIALECTS) {
      const theirs = { Phone: phone(), TemplateParams: [`casino-${dialect}`] };
      const platform = { Phone: phone(), TemplateParams: ['ＪＡＣＫＰ０Ｔ'] };
      const { body, failed, accepted } = await sendBatch(dialect, b, bClean, [theirs, platform]);
      assert.equal(body.RetCode, 0, `${dialect}: ${JSON.stringify(body)}`);
      assert.equal(accepted, 1);
      assert.deepEqual(failed.map(([p]) => p), [platform.Phone]);
      assert.match(failed[0]![1], WORD_IN_PARAMS('ja[c(]kp[o0]t', 'pattern'));
      sent.push(`【${SENDER}】Hello casino-${dialect}, your parcel is on its way`);
    }

    const texts = await waitFor('the accepted targets delivered', async () => {
      const t = await inboxTexts();
      return sent.every((s) => t.includes(s)) ? t : undefined;
    }, 20_000);
    assert.ok(!texts.some((t) => /casino royale|jackp0t/i.test(t.normalize('NFKC'))), 'no refused text was delivered');
  });

  test('a rule added with the CLI while the server runs bites within about a second; content unblock lifts it', async () => {
    const probe = async (d: Exclude<Dialect, 'rest'> = 'uspeedo') => (await sendOne(d, b, bClean, [phone()], 'LOTTERY winner')).RetCode;
    assert.equal(await probe(), 0, 'not blocked yet (and B\'s rules are now cached)');
    const poll = async (what: string, done: () => Promise<boolean>) => {
      const start = Date.now();
      while (!(await done())) {
        assert.ok(Date.now() - start < 5_000, `${what}: not within 5 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return Date.now() - start;
    };

    const rule = await server.cli('content', 'block', '--pattern', 'ｌｏｔｔｅｒｙ', '--account', String(b.AccountId));
    assert.deepEqual([rule.Pattern, rule.Added], ['lottery', true]);
    const took = await poll('the new rule', async () => (await probe()) === 18033);
    assert.ok(took < 2_000, `the rule took ${took} ms to apply`);
    for (const dialect of DIALECTS) {
      const { body, failed } = await sendBatch(dialect, b, bClean, [{ Phone: phone(), TemplateParams: ['Lottery'] }, { Phone: phone(), TemplateParams: ['Bo'] }]);
      assert.equal(body.RetCode, 0, dialect);
      assert.equal(failed.length, 1, dialect);
      assert.match(failed[0]![1], WORD_IN_PARAMS('lottery'), dialect);
      const t = await createTemplate(dialect, b, 'Lottery results {1}');
      assert.equal(t.RetCode, dialect === 'rest' ? 215392 : 18023, dialect);
      assert.equal(t.Message, 'template contains the blocked word "lottery"');
    }
    assert.equal(await probe('ucloud-get'), 18033);
    // A's sends are untouched by B's new word.
    assert.equal((await sendOne('uspeedo', a, aClean, [phone()], 'lottery')).RetCode, 0);

    const lifted = await server.cli('content', 'unblock', '--id', String(rule.RuleId));
    assert.deepEqual([lifted.RuleId, lifted.AccountId, lifted.Pattern, lifted.Removed], [rule.RuleId, b.AccountId, 'lottery', true]);
    const liftTook = await poll('the unblock', async () => (await probe()) === 0);
    assert.ok(liftTook < 2_000, `the unblock took ${liftTook} ms to apply`);
    for (const dialect of DIALECTS) {
      const { body, failed } = await sendBatch(dialect, b, bClean, [{ Phone: phone(), TemplateParams: ['Lottery'] }]);
      assert.deepEqual([body.RetCode, failed], [0, []], dialect);
    }
    assert.equal((await createTemplate('uspeedo', b, 'Lottery results {1}')).RetCode, 0);

    // A platform-wide word added while running reaches every account; unblock by pattern lifts it.
    await server.cli('content', 'block', '--pattern', 'raffle');
    await poll('the platform-wide rule in A', async () => (await sendOne('uspeedo', a, aClean, [phone()], 'Raffle')).RetCode === 18033);
    await poll('the platform-wide rule in B', async () => (await sendOne('ucloud-form', b, bClean, [phone()], 'RAFFLE')).RetCode === 18033);
    assert.equal((await server.cli('content', 'unblock', '--pattern', 'RAFFLE')).Removed, true);
    await poll('the platform-wide unblock', async () => (await sendOne('uspeedo', a, aClean, [phone()], 'raffle')).RetCode === 0);
    assert.equal((await server.cli('content', 'unblock', '--pattern', 'raffle')).Removed, false);
  });
});
