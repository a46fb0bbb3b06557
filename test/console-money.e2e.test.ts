import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConsoleClient } from './console-client.ts';
import { ServerProcess, waitFor, type Credentials } from './harness.ts';

/**
 * The console's money and compliance routes against a real server: billing settings, balance, ledger,
 * top-ups, prices, blocked words, sending limits and pumping alarms. Above all who may do what: a customer
 * never reaches another account's, a viewer never writes, only operators move money or change how an
 * account pays, and no write passes without the session's CSRF token.
 */
describe('console API: money and compliance', () => {
  let server: ServerProcess;
  let op: ConsoleClient;
  let adminA: ConsoleClient;
  let adminB: ConsoleClient;
  let viewerA: ConsoleClient;
  let devA: ConsoleClient;
  let a: { creds: Credentials; sender: string; templateIds: string[] };
  let b: { creds: Credentials; sender: string; templateIds: string[] };
  let A: number;

  before(async () => {
    server = await ServerProcess.start({ USMS_CONSOLE_LOGIN_RATE: '40' });
    a = await server.setupAccount({ templates: ['Your code is {1}'] });
    b = await server.setupAccount({ templates: ['B code {1}'] });
    A = a.creds.AccountId;
    const created = await server.cli<{ Password: string }>('user', 'create', '--operator', '--email', 'op@example.com');
    op = await ConsoleClient.login(server.url, 'op@example.com', created.Password);
    const passwords: Record<string, string> = {};
    for (const [email, role, account] of [
      ['admin@a.com', 'admin', A],
      ['admin@b.com', 'admin', b.creds.AccountId],
      ['viewer@a.com', 'viewer', A],
      ['dev@a.com', 'developer', A],
    ] as const) {
      const res = await op.post('/users', { Email: email, Role: role, AccountId: account });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      passwords[email] = res.body.Password;
    }
    adminA = await ConsoleClient.login(server.url, 'admin@a.com', passwords['admin@a.com']!);
    adminB = await ConsoleClient.login(server.url, 'admin@b.com', passwords['admin@b.com']!);
    viewerA = await ConsoleClient.login(server.url, 'viewer@a.com', passwords['viewer@a.com']!);
    devA = await ConsoleClient.login(server.url, 'dev@a.com', passwords['dev@a.com']!);
  });
  after(async () => server?.stop());

  const balanceOf = async (accountId: number) => (await op.get(`/balance?account=${accountId}`)).body.Balance as string;

  test('the operator sets prices (the first turns billing on), imports a CSV, removes one; a customer sees the prices it pays', async () => {
    const off = await adminA.get('/prices');
    assert.equal(off.status, 200);
    assert.equal(off.body.BillingEnabled, false);
    const set = await op.post('/prices', { Prefix: '86', Price: '0.05', Currency: 'CNY' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual([set.body.Prefix, set.body.Price, set.body.Currency, set.body.BillingTurnedOn], ['86', '0.05', 'CNY', true]);
    const imported = await op.call('POST', '/prices/import', undefined, { raw: 'prefix,price\n44,0.10\n1,0.02\n,0.30\n' });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.Imported, 3);
    assert.equal((await op.call('POST', '/prices/import', undefined, { raw: '44,abc\n' })).status, 400, 'a bad line refuses the file');
    assert.deepEqual((await op.delete('/prices/default')).body.Removed, true);
    assert.deepEqual((await op.get('/prices')).body.Prices, [{ Prefix: '1', Price: '0.02' }, { Prefix: '44', Price: '0.10' }, { Prefix: '86', Price: '0.05' }]);
    assert.equal((await op.post(`/prices?account=${A}`, { Prefix: '8613', Price: '0.04' })).status, 200);
    assert.deepEqual((await op.get(`/prices?account=${A}`)).body.Prices, [{ Prefix: '8613', Price: '0.04' }], 'the account\'s own list');

    const mine = await adminA.get('/prices');
    assert.deepEqual([mine.body.AccountId, mine.body.Currency, mine.body.BillingEnabled], [A, 'CNY', true]);
    assert.deepEqual(mine.body.Prices.map((p: { Prefix: string }) => p.Prefix), ['1', '44', '86', '8613'], 'the platform list with its own over it');
    assert.ok(!(await adminB.get('/prices')).body.Prices.some((p: { Prefix: string }) => p.Prefix === '8613'), 'not another account\'s own prices');
  });

  test('the operator tops up and adjusts; the customer sees its balance and ledger, a page at a time', async () => {
    // Made before billing was on: postpaid without a limit; the operator makes it prepaid.
    assert.equal((await adminA.get('/billing')).body.Mode, 'postpaid');
    const prepaid = await op.put(`/billing?account=${A}`, { Mode: 'prepaid' });
    assert.equal(prepaid.status, 200, JSON.stringify(prepaid.body));
    assert.equal(prepaid.body.Mode, 'prepaid');
    const topped = await op.post(`/billing/topup?account=${A}`, { Amount: '1.00', Note: 'first' });
    assert.equal(topped.status, 200, JSON.stringify(topped.body));
    assert.deepEqual(topped.body, { AccountId: A, Balance: '1.00', Currency: 'CNY', Mode: 'prepaid' });
    assert.equal((await op.post(`/billing/adjust?account=${A}`, { Amount: '-0.25' })).status, 400, 'an adjustment needs a note');
    assert.equal((await op.post(`/billing/topup?account=${A}`, { Amount: '-1' })).status, 400, 'a top-up is more than 0');
    assert.equal((await op.post(`/billing/adjust?account=${A}`, { Amount: '-0.25', Note: 'goodwill reversed' })).body.Balance, '0.75');

    assert.deepEqual((await adminA.get('/balance')).body, { AccountId: A, Balance: '0.75', Currency: 'CNY', Mode: 'prepaid' });
    const first = await viewerA.get('/ledger?limit=1');
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.Entries.map((e: { Kind: string; Amount: string; BalanceAfter: string; Note: string; Actor: string }) => [e.Kind, e.Amount, e.BalanceAfter, e.Note, e.Actor]),
      [['topup', '1.00', '1.00', 'first', 'op@example.com']]);
    const second = await viewerA.get(`/ledger?limit=1&after=${first.body.Next}`);
    assert.deepEqual(second.body.Entries.map((e: { Kind: string; Amount: string }) => [e.Kind, e.Amount]), [['adjustment', '-0.25']]);
    assert.equal((await viewerA.get(`/ledger?limit=1&after=${second.body.Next}`)).body.Entries.length, 0);
    assert.equal((await viewerA.get('/ledger?limit=100000')).status, 400);
    const future = Math.floor(Date.now() / 1000) + 3600;
    assert.deepEqual((await adminA.get(`/ledger?from=${future}`)).body.Entries, [], 'from: nothing yet');
  });

  test('a customer never sees or changes another account\'s billing, ledger, prices, rules, limits or alarms', async () => {
    const blocked = await adminA.post('/content-rules', { Pattern: 'casino' });
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    const ruleOfA = blocked.body.RuleId as number;
    const other = `account=${A}`;
    for (const path of ['/billing', '/balance', '/ledger', '/prices', '/content-rules', '/limits', '/alarms']) {
      const res = await adminB.get(`${path}?${other}`);
      assert.equal(res.status, 404, `${path}?${other}: ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual((await adminB.get('/ledger')).body.Entries, [], 'B\'s own ledger holds nothing of A\'s');
    assert.equal((await adminB.get('/balance')).body.AccountId, b.creds.AccountId);
    assert.ok(!(await adminB.get('/content-rules')).body.Rules.some((r: { Pattern: string }) => r.Pattern === 'casino'));
    assert.equal((await adminB.delete(`/content-rules/${ruleOfA}`)).status, 404);
    assert.equal((await adminB.put(`/billing?${other}`, { LowBalanceThreshold: '9' })).status, 404);
    assert.equal((await adminB.put(`/limits?${other}`, { Countries: 'GB' })).status, 404);
    assert.equal((await adminB.post(`/content-rules?${other}`, { Pattern: 'x' })).status, 404);
    assert.ok((await adminA.get('/content-rules')).body.Rules.some((r: { RuleId: number }) => r.RuleId === ruleOfA), 'A\'s rule is still there');
    assert.equal((await adminA.get('/billing')).body.LowBalanceThreshold, null);
    assert.equal((await adminA.get('/limits')).body.AllCountries, true);
  });

  test('a viewer reads and cannot write; a developer cannot move money; a customer cannot set how it pays', async () => {
    assert.equal((await viewerA.get('/billing')).status, 200);
    assert.equal((await viewerA.get('/content-rules')).status, 200);
    assert.equal((await viewerA.get('/limits')).status, 200);
    for (const [method, path, body] of [
      ['PUT', '/billing', { LowBalanceThreshold: '1' }],
      ['POST', '/billing/topup', { Amount: '5' }],
      ['POST', '/prices', { Prefix: '49', Price: '1' }],
      ['DELETE', '/prices/86', undefined],
      ['POST', '/content-rules', { Pattern: 'lottery' }],
      ['PUT', '/limits', { Countries: 'CN' }],
      ['POST', '/alarms/1/drop', {}],
    ] as const) {
      const res = await viewerA.call(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.Error.Code, 'forbidden');
    }
    for (const [client, who] of [[devA, 'developer'], [adminA, 'admin']] as const) {
      for (const path of ['/billing/topup', '/billing/adjust']) {
        const res = await client.post(path, { Amount: '5', Note: 'please' });
        assert.equal(res.status, 403, `${who} ${path}`);
      }
      assert.equal((await client.post('/prices', { Prefix: '49', Price: '0' })).status, 403, `${who} sets no price`);
    }
    assert.equal(await balanceOf(A), '0.75', 'no money moved');
    for (const change of [{ Mode: 'free' }, { CreditLimit: '100' }, { Mode: 'postpaid', LowBalanceThreshold: '0.50' }]) {
      const res = await adminA.put('/billing', change);
      assert.equal(res.status, 403, JSON.stringify(change));
    }
    const settings = (await op.get(`/billing?account=${A}`)).body;
    assert.deepEqual([settings.Mode, settings.CreditLimit, settings.LowBalanceThreshold], ['prepaid', null, null], 'nothing changed');
    // The account's own alert threshold is the customer's to set.
    assert.equal((await adminA.put('/billing', { LowBalanceThreshold: '0.50' })).body.LowBalanceThreshold, '0.50');
    assert.equal((await adminA.put('/billing', { LowBalanceThreshold: '' })).body.LowBalanceThreshold, null);
    // Regular expressions are the operator's; platform-wide rules too.
    assert.equal((await adminA.post('/content-rules', { Pattern: 'win.*prize', Regex: true })).status, 403);
    const platform = await op.post('/content-rules', { Pattern: 'free\\s+money', Regex: true });
    assert.equal(platform.status, 200, JSON.stringify(platform.body));
    assert.equal(platform.body.AccountId, 0);
    assert.notEqual((await adminA.delete(`/content-rules/${platform.body.RuleId}`)).status, 200);
    assert.ok((await adminA.get('/content-rules')).body.Rules.some((r: { RuleId: number }) => r.RuleId === platform.body.RuleId), 'the customer sees the platform\'s rule');
    assert.equal((await op.delete(`/content-rules/${platform.body.RuleId}`)).body.Removed, true);
    // Developers and viewers may not set limits; the account admin may.
    assert.equal((await devA.put('/limits', { Countries: 'CN' })).status, 403);
    const limits = await adminA.put('/limits', { Countries: 'CN, HK', PerPhone: { 1: ['2/1m'] } });
    assert.equal(limits.status, 200, JSON.stringify(limits.body));
    assert.deepEqual([limits.body.AllCountries, limits.body.Countries, limits.body.Limits[0].PerPhone], [false, ['CN', 'HK'], ['2/1m']]);
    assert.equal((await adminA.put('/limits', { Countries: 'all', PerPhone: { 1: 'default' } })).body.AllCountries, true);
    // Only operators release an alarm; there is none to release here.
    assert.equal((await adminA.post('/alarms/1/release')).status, 403);
    assert.equal((await op.post('/alarms/999999/release')).status, 404);
  });

  test('no write without the session\'s CSRF token: nothing changes', async () => {
    const writes: Array<[ConsoleClient, string, string, unknown]> = [
      [op, 'POST', `/billing/topup?account=${A}`, { Amount: '100' }],
      [op, 'POST', `/billing/adjust?account=${A}`, { Amount: '100', Note: 'x' }],
      [op, 'PUT', `/billing?account=${A}`, { Mode: 'free' }],
      [op, 'POST', '/prices', { Prefix: '49', Price: '0.01' }],
      [op, 'DELETE', '/prices/86', undefined],
      [adminA, 'PUT', '/billing', { LowBalanceThreshold: '3' }],
      [adminA, 'POST', '/content-rules', { Pattern: 'nocsrf' }],
      [adminA, 'PUT', '/limits', { Countries: 'GB' }],
    ];
    for (const [client, method, path, body] of writes) {
      const res = await client.call(method, path, body, { csrf: false });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.Error.Code, 'csrf');
    }
    const csv = await op.call('POST', '/prices/import', undefined, { raw: '49,0.01\n', csrf: false });
    assert.equal(csv.status, 403);
    assert.equal(await balanceOf(A), '0.75');
    assert.equal((await op.get(`/billing?account=${A}`)).body.Mode, 'prepaid');
    assert.deepEqual((await op.get('/prices')).body.Prices.map((p: { Prefix: string }) => p.Prefix), ['1', '44', '86']);
    assert.ok(!(await adminA.get('/content-rules')).body.Rules.some((r: { Pattern: string }) => r.Pattern === 'nocsrf'));
    assert.equal((await adminA.get('/limits')).body.AllCountries, true);
  });

  test('a send is charged: the ledger shows the charge and the overview its spend next to the volume', async () => {
    const before = await adminA.get('/overview?days=1');
    assert.equal(before.body.Currency, 'CNY');
    assert.equal(before.body.Today.Spend, '0.00');
    const sent = await adminA.post('/send', { Phone: '13800000001', TemplateId: a.templateIds[0], SigContent: a.sender, TemplateParams: ['1234'] });
    assert.equal(sent.body.RetCode, 0, JSON.stringify(sent.body));
    // 8613... is the account's own price, 0.04 a segment.
    assert.equal(await balanceOf(A), '0.71');
    const charge = (await adminA.get('/ledger')).body.Entries.at(-1);
    assert.deepEqual([charge.Kind, charge.Amount, charge.BalanceAfter], ['charge', '-0.04', '0.71']);
    const overview = await waitFor('the send in the overview', async () => {
      const o = (await adminA.get('/overview?days=1')).body;
      return o.Today.Sent === 1 ? o : undefined;
    });
    assert.equal(overview.Today.Spend, '0.04');
    assert.deepEqual(overview.Regions.map((r: { Region: string; Spend: string }) => [r.Region, r.Spend]), [['CN', '0.04']]);
    assert.equal((await adminB.get('/overview?days=1')).body.Today.Spend, '0.00', 'not another account\'s spend');
    assert.equal((await op.get('/overview?days=1')).body.Today.Spend, '0.04');
  });
});
