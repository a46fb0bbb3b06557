import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import smpp, { type NpmPdu, type NpmSession } from 'smpp';
import { browserSkip, CHROMIUM, CHROMIUM_ARGS, DESKTOP, signIn as signInAs, textOf as waitForText } from './browser.ts';
import { ConsoleClient } from './console-client.ts';
import { ServerProcess, waitFor, type Credentials } from './harness.ts';

/**
 * The console's SMPP page against the real server with its SMPP port open: the JSON API (operators only;
 * customers get 403 `forbidden`), and the page in Chromium. A user created in the console binds with the
 * npm `smpp` client, its bind shows up with its counters, and revoking it closes the bind. The account's
 * SMPP content mode, set on the Accounts page, decides whether free text is accepted.
 */

const ESME_ROK = 0;
const ESME_RINVPASWD = 0x0e;
const USMS_RNOTEMPLATE = 0x401;
const WAIT_MS = 30_000;

interface Esme {
  session: NpmSession;
  closed: Promise<void>;
  submit(fields: Record<string, unknown>): Promise<NpmPdu>;
  close(): Promise<void>;
}

function smppPortOf(server: ServerProcess): number {
  const line = server.output.find((l) => l.startsWith('{"url"'));
  return JSON.parse(line!).smppPort as number;
}

/** Binds as a transceiver that acknowledges every deliver_sm; rejects with the bind's status when refused. */
async function bind(port: number, systemId: string, password: string): Promise<Esme> {
  const session = smpp.connect({ url: `smpp://127.0.0.1:${port}`, auto_enquire_link_period: 0 }) as NpmSession;
  session.on('error', () => {});
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  session.on('deliver_sm', (pdu: NpmPdu) => session.send(pdu.response()));
  const resp = await new Promise<NpmPdu>((resolve) => (session as any).bind_transceiver({ system_id: systemId, password }, resolve));
  if (resp.command_status !== ESME_ROK) {
    session.destroy();
    throw Object.assign(new Error(`bind refused: ${resp.command_status}`), { status: resp.command_status });
  }
  return {
    session,
    closed,
    submit: (fields) => new Promise((resolve) => (session as any).submit_sm(fields, resolve)),
    close: async () => {
      session.close();
      setTimeout(() => session.destroy(), 1000).unref();
      await closed;
    },
  };
}

const refusedBind = (status: number) => (e: { status?: number }) => e.status === status;

describe('console API: SMPP users, binds and the content mode', () => {
  let server: ServerProcess;
  let port: number;
  let op: ConsoleClient;
  let adminA: ConsoleClient;
  let a: { creds: Credentials; sender: string; templateIds: string[] };
  let b: { creds: Credentials; sender: string; templateIds: string[] };
  const esmes: Esme[] = [];

  before(async () => {
    server = await ServerProcess.start({ USMS_SMPP_PORT: '0' });
    port = smppPortOf(server);
    a = await server.setupAccount({ templates: ['Your code is {1}'] });
    b = await server.setupAccount({ templates: ['B code {1}'] });
    const created = await server.cli<{ Password: string }>('user', 'create', '--operator', '--email', 'op@example.com');
    op = await ConsoleClient.login(server.url, 'op@example.com', created.Password);
    const admin = await op.post('/users', { Email: 'admin@a.com', Role: 'admin', AccountId: a.creds.AccountId });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    adminA = await ConsoleClient.login(server.url, 'admin@a.com', admin.body.Password);
  });
  after(async () => {
    for (const e of esmes) await e.close().catch(() => {});
    await server?.stop();
  });

  test('customers get 403 forbidden on every SMPP route, whatever they send; no session gets 401; a write needs the CSRF token', async () => {
    const made = await op.post('/smpp/users', { AccountId: a.creds.AccountId, SystemId: 'opmade' });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    for (const [method, path, body] of [
      ['GET', '/smpp/users', undefined],
      ['GET', `/smpp/users?account=${a.creds.AccountId}`, undefined],
      ['GET', '/smpp/users?account=not-a-number', undefined],
      ['GET', '/smpp/status', undefined],
      ['POST', '/smpp/users', { AccountId: a.creds.AccountId, SystemId: 'sneaky' }],
      ['POST', `/smpp/users?account=${a.creds.AccountId}`, { SystemId: 'sneaky2' }],
      ['POST', '/smpp/users/opmade/revoke', {}],
      ['PUT', `/accounts/${a.creds.AccountId}`, { SmppContent: 'free' }],
    ] as const) {
      const res = await adminA.call(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.Error.Code, 'forbidden', `${method} ${path}`);
    }
    const anon = new ConsoleClient(server.url);
    for (const path of ['/smpp/users', '/smpp/status']) assert.equal((await anon.get(path)).status, 401, path);
    const noCsrf = await op.call('POST', '/smpp/users', { AccountId: a.creds.AccountId, SystemId: 'nocsrf' }, { csrf: false });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.Error.Code, 'csrf');

    // Nothing the customer sent took effect.
    const users = (await op.get('/smpp/users')).body.Users as Array<{ SystemId: string; Status: string }>;
    assert.deepEqual(users.map((u) => [u.SystemId, u.Status]), [['opmade', 'active']]);
    assert.equal((await op.get(`/accounts`)).body.Accounts.find((x: { AccountId: number }) => x.AccountId === a.creds.AccountId).SmppContent, 'template');
    assert.equal((await op.post('/smpp/users/opmade/revoke')).status, 200);
  });

  test('an operator creates a user (the password answered once), lists it by account, binds with it, sees the bind\'s counters and the outbox, and revokes it', async () => {
    const res = await op.post('/smpp/users', {
      AccountId: a.creds.AccountId, SystemId: 'acme', MaxBinds: 2, Window: 20, Throughput: 50, AllowedSources: 'usms, 10690001',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.SystemId, 'acme');
    assert.match(res.body.Password, /^[A-Za-z0-9]{8}$/);
    const password = res.body.Password as string;

    const ofA = await op.get(`/smpp/users?account=${a.creds.AccountId}`);
    assert.equal(ofA.status, 200);
    const acme = ofA.body.Users.find((u: { SystemId: string }) => u.SystemId === 'acme');
    assert.deepEqual(
      { ...acme, CreateTime: typeof acme.CreateTime },
      { SystemId: 'acme', AccountId: a.creds.AccountId, Status: 'active', MaxBinds: 2, Window: 20, Throughput: 50, AllowedSources: ['usms', '10690001'], Binds: 0, CreateTime: 'number', RevokeTime: null },
    );
    assert.ok(!JSON.stringify(ofA.body).includes(password), 'the password is answered only by create');
    assert.deepEqual((await op.get(`/smpp/users?account=${b.creds.AccountId}`)).body.Users, [], 'another account\'s filter');
    assert.ok((await op.get('/smpp/users')).body.Users.some((u: { SystemId: string }) => u.SystemId === 'acme'), 'no filter: every account');

    // Refusals name the field; a taken system_id is a conflict; an unknown account is not found.
    for (const [body, status, code, field] of [
      [{ AccountId: a.creds.AccountId, SystemId: 'acme' }, 409, 'conflict', 'acme'],
      [{ AccountId: a.creds.AccountId, SystemId: 'has space' }, 400, 'bad-input', 'SystemId'],
      [{ AccountId: a.creds.AccountId, SystemId: 'x'.repeat(16) }, 400, 'bad-input', 'SystemId'],
      [{ AccountId: a.creds.AccountId, SystemId: 'w0', Window: 0 }, 400, 'bad-input', 'Window'],
      [{ AccountId: a.creds.AccountId, SystemId: 'b0', MaxBinds: 101 }, 400, 'bad-input', 'MaxBinds'],
      [{ SystemId: 'noaccount' }, 400, 'bad-input', 'AccountId'],
      [{ AccountId: 999_999, SystemId: 'ghost' }, 404, 'not-found', '999999'],
    ] as const) {
      const r = await op.post('/smpp/users', body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.Error.Code, code);
      assert.match(r.body.Error.Message, new RegExp(field));
    }

    // The answered password binds; a submit and its receipt show in the bind's counters and the outbox.
    const esme = await bind(port, 'acme', password);
    esmes.push(esme);
    const sent = await esme.submit({ source_addr: 'usms', destination_addr: '8613800138000', dest_addr_ton: 1, registered_delivery: 1, short_message: '【usms】Your code is 4711' });
    assert.equal(sent.command_status, ESME_ROK);
    const status = await waitFor('the bind reported with its submit and receipt', async () => {
      const s = (await op.get('/smpp/status')).body;
      const row = s.Binds.find((x: { SystemId: string }) => x.SystemId === 'acme');
      return row && row.Submits >= 1 && row.Delivers >= 1 && s.Outbox.Delivered >= 1 ? { s, row } : undefined;
    }, WAIT_MS);
    assert.deepEqual(Object.keys(status.s).sort(), ['Binds', 'Outbox']);
    assert.deepEqual(Object.keys(status.s.Outbox).sort(), ['Delivered', 'Expired', 'Pending']);
    assert.equal(status.row.AccountId, a.creds.AccountId);
    assert.equal(status.row.BindType, 'transceiver');
    assert.equal(status.row.Window, 20);
    assert.equal(status.row.RateLimit, 50);
    assert.match(status.row.Remote, /127\.0\.0\.1/);
    for (const counter of ['WindowUsed', 'SubmitsPerSecond', 'Throttled', 'BadPdus', 'DeliverErrors', 'DeliversInFlight']) assert.equal(typeof status.row[counter], 'number', counter);
    assert.equal((await op.get(`/smpp/users?account=${a.creds.AccountId}`)).body.Users.find((u: { SystemId: string }) => u.SystemId === 'acme').Binds, 1);

    const revoked = await op.post('/smpp/users/acme/revoke');
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.deepEqual(revoked.body, { Revoked: 'acme' });
    await esme.closed; // the live bind ends within a lease renewal
    await assert.rejects(bind(port, 'acme', password), refusedBind(ESME_RINVPASWD));
    const after = (await op.get(`/smpp/users?account=${a.creds.AccountId}`)).body.Users.find((u: { SystemId: string }) => u.SystemId === 'acme');
    assert.equal(after.Status, 'revoked');
    assert.equal(typeof after.RevokeTime, 'number');
    assert.equal((await op.post('/smpp/users/acme/revoke')).status, 404, 'revoked already');
    assert.equal((await op.post('/smpp/users/nobody/revoke')).status, 404);
    const audit = (await op.get(`/audit?account=${a.creds.AccountId}`)).body.Entries as Array<{ Action: string; Target: string; Actor: string }>;
    for (const action of ['smpp-user.create', 'smpp-user.revoke']) {
      assert.ok(audit.some((e) => e.Action === action && e.Target === 'acme' && e.Actor === 'op@example.com'), action);
    }
  });

  test('a system_id with URL characters is revoked through its escaped path', async () => {
    const odd = 'a/b?c#d%e';
    assert.equal((await op.post('/smpp/users', { AccountId: b.creds.AccountId, SystemId: odd })).status, 200);
    const res = await op.post(`/smpp/users/${encodeURIComponent(odd)}/revoke`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { Revoked: odd });
  });

  test('the account\'s SMPP content mode: set through PUT /accounts/:id, read back, and free text is accepted on the next bind', async () => {
    const made = await op.post('/smpp/users', { AccountId: a.creds.AccountId, SystemId: 'freetext' });
    const password = made.body.Password as string;
    const free = { source_addr: 'usms', destination_addr: '8613800138001', dest_addr_ton: 1, short_message: '【usms】anything at all' };
    const before = await bind(port, 'freetext', password);
    assert.equal((await before.submit(free)).command_status, USMS_RNOTEMPLATE, 'template mode: free text is refused');
    // The user holds one bind at a time; the mode is read when a bind is made.
    await before.close();

    const bad = await op.put(`/accounts/${a.creds.AccountId}`, { SmppContent: 'anything' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.Error.Message, /SmppContent/);
    const set = await op.put(`/accounts/${a.creds.AccountId}`, { SmppContent: 'free' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const accounts = (await op.get('/accounts')).body.Accounts as Array<{ AccountId: number; SmppContent: string }>;
    assert.equal(accounts.find((x) => x.AccountId === a.creds.AccountId)!.SmppContent, 'free');
    assert.equal(accounts.find((x) => x.AccountId === b.creds.AccountId)!.SmppContent, 'template', 'only that account changed');

    const after = await bind(port, 'freetext', password);
    esmes.push(after);
    assert.equal((await after.submit(free)).command_status, ESME_ROK, 'free mode: any text goes');
    assert.equal((await op.put(`/accounts/${a.creds.AccountId}`, { SmppContent: 'template' })).status, 200);
  });
});

describe('console SMPP page in a browser', { skip: browserSkip, timeout: 180_000 }, () => {
  let server: ServerProcess;
  let port: number;
  let browser: Browser;
  let a: { creds: Credentials; sender: string; templateIds: string[] };
  let b: { creds: Credentials; sender: string; templateIds: string[] };
  const users = { customer: { email: 'admin@shop.example', password: '' }, operator: { email: 'ops@usms.example', password: '' } };
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const esmes: Esme[] = [];
  let operator: Page;
  let op: ConsoleClient;

  before(async () => {
    server = await ServerProcess.start({ USMS_SMPP_PORT: '0' });
    port = smppPortOf(server);
    a = await server.setupAccount({ templates: ['Your code is {1}'] });
    b = await server.setupAccount({ templates: ['B code {1}'] });
    users.customer.password = (await server.cli<{ Password: string }>('user', 'create', '--account', String(a.creds.AccountId), '--role', 'admin', '--email', users.customer.email)).Password;
    users.operator.password = (await server.cli<{ Password: string }>('user', 'create', '--operator', '--email', users.operator.email)).Password;
    op = await ConsoleClient.login(server.url, users.operator.email, users.operator.password);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    operator = await signIn(users.operator);
  });

  after(async () => {
    for (const e of esmes) await e.close().catch(() => {});
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  const signIn = (user: { email: string; password: string }) =>
    signInAs({ browser, baseUrl: server.url, contexts, pageErrors, waitMs: WAIT_MS }, DESKTOP, user);
  const textOf = (locator: Locator, want: RegExp) => waitForText(locator, want, WAIT_MS);

  test('the operator creates an SMPP user (password shown once), its bind appears with live counters, and revoking it after a confirmation closes the bind', async () => {
    await operator.getByTestId('nav-smpp').click();
    await operator.getByTestId('page-smpp').waitFor();
    await operator.getByTestId('smpp-users-empty').waitFor();
    await operator.getByTestId('smpp-binds-empty').waitFor();
    await textOf(operator.getByTestId('smpp-outbox-Pending'), /Waiting\s*0/);

    await operator.getByTestId('smpp-user-add').click();
    await operator.getByTestId('smpp-user-AccountId').selectOption(String(a.creds.AccountId));
    await operator.getByTestId('smpp-user-SystemId').fill('shop1');
    await operator.getByTestId('smpp-user-MaxBinds').fill('2');
    await operator.getByTestId('smpp-user-Window').fill('30');
    await operator.getByTestId('smpp-user-Throughput').fill('0');
    await operator.getByTestId('smpp-user-AllowedSources').fill('usms');
    await operator.getByTestId('smpp-user-submit').click();
    await textOf(operator.getByTestId('smpp-user-created'), /SMPP user shop1 created/);
    const password = await operator.getByTestId('smpp-password-value').inputValue();
    assert.match(password, /^[A-Za-z0-9]{8}$/);
    assert.match((await operator.getByTestId('smpp-user-created').textContent())!, /shown only this once and cannot be seen again/);
    assert.equal(await operator.getByTestId('smpp-user-form').count(), 0, 'the form closed');

    const row = operator.getByTestId('smpp-user-row').filter({ hasText: 'shop1' });
    await textOf(row, /Active/);
    const cells = (await row.textContent())!;
    assert.match(cells, /0\/2/, 'no bind of 2');
    assert.match(cells, /No cap/);
    assert.match(cells, /usms/);

    // A bind made with the shown password appears without a reload, with its counters.
    await operator.evaluate(() => Object.assign(window, { notReloaded: true }));
    const esme = await bind(port, 'shop1', password);
    esmes.push(esme);
    const sent = await esme.submit({ source_addr: 'usms', destination_addr: '8613800138000', dest_addr_ton: 1, registered_delivery: 1, short_message: '【usms】Your code is 1234' });
    assert.equal(sent.command_status, ESME_ROK);
    const bindRow = operator.getByTestId('smpp-bind-row').filter({ hasText: 'shop1' });
    await textOf(bindRow.getByTestId('smpp-bind-submits'), /^1$/);
    await textOf(bindRow.getByTestId('smpp-bind-delivers'), /^1$/);
    assert.equal(await bindRow.getByTestId('smpp-bind-type').textContent(), 'transceiver');
    assert.match((await bindRow.getByTestId('smpp-bind-window').textContent())!, /^0\/30$/);
    assert.equal(await bindRow.getByTestId('smpp-bind-throttled').textContent(), '0');
    await textOf(row.getByTestId('smpp-user-binds'), /^1\/2$/);
    await textOf(operator.getByTestId('smpp-outbox-Delivered'), /Delivered\s*1/);
    assert.equal(await operator.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true);

    // The refresh button asks again at once.
    const asked = operator.waitForRequest((r) => r.url().endsWith('/console/api/smpp/status'));
    await operator.getByTestId('smpp-refresh').click();
    await asked;

    // The filter: another account has no users and no binds.
    await operator.getByTestId('smpp-account').selectOption(String(b.creds.AccountId));
    await operator.getByTestId('smpp-users-empty').waitFor();
    await operator.getByTestId('smpp-binds-empty').waitFor();
    assert.equal(await operator.getByTestId('smpp-password-value').count(), 0, 'the password is not shown again');
    await operator.getByTestId('smpp-account').selectOption(String(a.creds.AccountId));
    await row.waitFor();

    // Revoke asks first; "cancel" keeps the user.
    await row.getByTestId('smpp-user-revoke').click();
    await operator.getByTestId('confirm-no').click();
    await textOf(row, /Active/);
    await row.getByTestId('smpp-user-revoke').click();
    await operator.getByTestId('confirm-yes').click();
    await textOf(operator.getByTestId('notice'), /SMPP user shop1 revoked/);
    await textOf(row, /Revoked/);
    assert.equal(await row.getByTestId('smpp-user-revoke').count(), 0, 'a revoked user has no revoke button');
    await esme.closed;
    await bindRow.waitFor({ state: 'detached' });
    await assert.rejects(bind(port, 'shop1', password), refusedBind(ESME_RINVPASWD));
    assert.deepEqual(await operator.locator('[role="alert"]:not(.empty)').allTextContents(), []);
  });

  test('a refused create shows the server\'s reason in the form', async () => {
    assert.equal((await op.post('/smpp/users', { AccountId: b.creds.AccountId, SystemId: 'taken' })).status, 200);
    await operator.getByTestId('nav-smpp').click();
    await operator.getByTestId('smpp-user-add').click();
    await operator.getByTestId('smpp-user-AccountId').selectOption(String(a.creds.AccountId));
    await operator.getByTestId('smpp-user-SystemId').fill('taken');
    await operator.getByTestId('smpp-user-submit').click();
    await textOf(operator.getByTestId('smpp-user-error'), /already exists/);
    await operator.getByTestId('smpp-user-cancel').click();
    assert.equal(await operator.getByTestId('smpp-user-form').count(), 0);
  });

  test('the SMPP content mode is set on the Accounts page and stays after a reload', async () => {
    await operator.getByTestId('nav-accounts').click();
    const row = operator.getByTestId('account-row').filter({ has: operator.locator('th', { hasText: new RegExp(`^${a.creds.AccountId}$`) }) });
    const select = row.getByTestId('account-smpp-content');
    assert.equal(await select.inputValue(), 'template');
    await select.selectOption('free');
    await textOf(operator.getByTestId('account-notice'), /Saved/);
    const accounts = (await op.get('/accounts')).body.Accounts as Array<{ AccountId: number; SmppContent: string }>;
    assert.equal(accounts.find((x) => x.AccountId === a.creds.AccountId)!.SmppContent, 'free');
    assert.equal(accounts.find((x) => x.AccountId === b.creds.AccountId)!.SmppContent, 'template');
    await operator.reload();
    await operator.getByTestId('page-accounts').waitFor();
    await operator.getByTestId('accounts-table').waitFor();
    assert.equal(await row.getByTestId('account-smpp-content').inputValue(), 'free');
    await row.getByTestId('account-smpp-content').selectOption('template');
    await textOf(operator.getByTestId('account-notice'), /Saved/);
  });

  test('a customer has no SMPP page: no menu entry, and the address shows the forbidden page', async () => {
    const customer = await signIn(users.customer);
    assert.equal(await customer.getByTestId('nav-smpp').count(), 0);
    await customer.goto(`${server.url}/console/#/smpp`);
    await customer.getByTestId('page-not-found').waitFor();
    assert.equal(await customer.getByTestId('page-smpp').count(), 0);
    assert.deepEqual(pageErrors, []);
  });
});
