import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { ConsoleClient } from './console-client.ts';
import { ServerProcess, ucloudGet, waitFor, type Credentials } from './harness.ts';

/**
 * The console's JSON API against a real server: sessions, CSRF, roles, lockout, and above all that a
 * customer user never reaches another account's data, by id or by search, on any endpoint.
 */
describe('console API: authorization', () => {
  let server: ServerProcess;
  let op: ConsoleClient;
  let adminA: ConsoleClient;
  let adminB: ConsoleClient;
  let viewerA: ConsoleClient;
  let devA: ConsoleClient;
  let a: { creds: Credentials; sender: string; templateIds: string[] };
  let b: { creds: Credentials; sender: string; templateIds: string[] };
  const passwords: Record<string, string> = {};

  before(async () => {
    // Room for this file's own logins; the last test reaches the limit on purpose.
    server = await ServerProcess.start({ USMS_CONSOLE_LOGIN_RATE: '40' });
    a = await server.setupAccount({ templates: ['Your code is {1}'] });
    b = await server.setupAccount({ templates: ['B code {1}'] });
    const created = await server.cli<{ UserId: number; Email: string; Password: string }>('user', 'create', '--operator', '--email', 'op@example.com');
    assert.equal(created.Email, 'op@example.com');
    assert.equal(typeof created.Password, 'string');
    op = await ConsoleClient.login(server.url, 'op@example.com', created.Password);
    for (const [email, role, account] of [
      ['admin@a.com', 'admin', a.creds.AccountId],
      ['admin@b.com', 'admin', b.creds.AccountId],
    ] as const) {
      const res = await op.post('/users', { Email: email, Role: role, AccountId: account });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      passwords[email] = res.body.Password;
    }
    adminA = await ConsoleClient.login(server.url, 'admin@a.com', passwords['admin@a.com']!);
    adminB = await ConsoleClient.login(server.url, 'admin@b.com', passwords['admin@b.com']!);
    for (const [email, role] of [['viewer@a.com', 'viewer'], ['dev@a.com', 'developer']] as const) {
      const res = await adminA.post('/users', { Email: email, Role: role });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      passwords[email] = res.body.Password;
    }
    viewerA = await ConsoleClient.login(server.url, 'viewer@a.com', passwords['viewer@a.com']!);
    devA = await ConsoleClient.login(server.url, 'dev@a.com', passwords['dev@a.com']!);
  });
  after(async () => server?.stop());

  test('without a session: 401 on every API route; the page itself is public', async () => {
    const anon = new ConsoleClient(server.url);
    for (const path of ['/me', '/messages', '/overview', '/templates', '/keys', '/users', '/audit', '/accounts']) {
      const res = await anon.get(path);
      assert.equal(res.status, 401, path);
      assert.equal(res.body.Error.Code, 'unauthenticated');
    }
    assert.equal((await anon.post('/keys')).status, 401);
    const page = await request(`${server.url}/console/`);
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    await page.body.text();
  });

  test('a write without the session\'s CSRF token, with a wrong one, or from another origin is refused', async () => {
    const none = await adminA.call('POST', '/keys', {}, { csrf: false });
    assert.equal(none.status, 403);
    assert.equal(none.body.Error.Code, 'csrf');
    assert.equal((await adminA.call('POST', '/keys', {}, { csrf: 'x'.repeat(32) })).status, 403);
    assert.equal((await adminA.call('POST', '/keys', {}, { csrf: adminB.csrf })).status, 403);
    const cross = await adminA.call('POST', '/keys', {}, { headers: { origin: 'https://evil.example' } });
    assert.equal(cross.status, 403);
    assert.equal((await adminA.get('/keys')).body.Keys.length, 1, 'no key was created');
  });

  test('a customer user never sees another account: every read endpoint, by account, id and search', async () => {
    const sent = await adminA.post('/send', { Phone: '13800000001', TemplateId: a.templateIds[0], SigContent: a.sender, TemplateParams: ['1234'] });
    assert.equal(sent.body.RetCode, 0, JSON.stringify(sent.body));
    const session = sent.body.SessionNo as string;
    const found = await waitFor('A sees its message', async () => {
      const r = await adminA.get(`/messages?session=${session}`);
      return r.body.Messages?.length === 1 ? r.body.Messages[0] : undefined;
    });
    const other = `account=${a.creds.AccountId}`;
    for (const path of ['/overview', '/messages', '/templates', '/senders', '/keys', '/callback', '/blacklist', '/inbound', '/users', '/audit']) {
      const res = await adminB.get(`${path}?${other}`);
      assert.equal(res.status, 404, `${path}?${other}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await adminB.get(`/messages/${found.Id}`)).status, 404);
    for (const q of [`session=${session}`, 'phone=13800000001', `template=${a.templateIds[0]}`]) {
      const res = await adminB.get(`/messages?${q}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.Messages, [], q);
    }
    const keyOfA = (await adminA.get('/keys')).body.Keys[0].PublicKey;
    assert.equal((await adminB.post(`/keys/${keyOfA}/revoke`)).status, 404);
    const usersOfA = (await adminA.get('/users')).body.Users as Array<{ UserId: number }>;
    assert.equal((await adminB.put(`/users/${usersOfA[0]!.UserId}`, { Role: 'viewer' })).status, 404);
    assert.equal((await adminB.put(`/templates/${a.templateIds[0]}`, { TemplateName: 'x' })).status, 404);
    assert.equal((await adminB.get('/users')).body.Users.length, 1);
    assert.ok((await adminB.get('/audit')).body.Entries.every((e: { AccountId: number }) => e.AccountId === b.creds.AccountId));
    // Operators only.
    for (const path of ['/accounts', '/review', '/carriers', '/nodes', '/sandbox']) assert.equal((await adminA.get(path)).status, 403, path);
    for (const [method, path, body] of [
      ['POST', '/accounts', { Name: 'x' }],
      ['PUT', `/accounts/${a.creds.AccountId}`, { Status: 'disabled' }],
      ['POST', `/review/templates/${a.creds.AccountId}/${a.templateIds[0]}`, { Decision: 'approve' }],
      ['POST', '/carriers', { Name: 'c', Host: '127.0.0.1', Port: 2775, SystemId: 's', Password: 'p' }],
      ['DELETE', '/carriers/c', undefined],
      ['POST', '/users', { Email: 'op2@a.com', Role: 'operator' }],
      ['POST', `/users/${usersOfA[0]!.UserId}/reset-link`, {}],
    ] as const) {
      const res = await adminA.call(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
  });

  test('a viewer reads and cannot write; a developer cannot manage users', async () => {
    assert.equal((await viewerA.get('/messages')).status, 200);
    for (const [method, path, body] of [
      ['POST', '/keys', {}],
      ['POST', '/send', { Phone: '13800000002', TemplateId: a.templateIds[0], SigContent: a.sender, TemplateParams: ['1'] }],
      ['POST', '/templates', { TemplateName: 'n', Template: 'Hi {1}', Purpose: 2 }],
      ['POST', '/blacklist', { Phone: '13800000003' }],
      ['PUT', '/callback', { Url: 'http://127.0.0.1:9/' }],
      ['POST', '/users', { Email: 'x@a.com', Role: 'viewer' }],
    ] as const) {
      const res = await viewerA.call(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.Error.Code, 'forbidden');
    }
    assert.equal((await devA.post('/users', { Email: 'y@a.com', Role: 'viewer' })).status, 403);
    assert.equal((await devA.get('/audit')).status, 403);
    assert.equal((await devA.post('/blacklist', { Phone: '13800000004' })).status, 200);
  });

  test('a key created in the console works at once, and is refused by the API at once when revoked', async () => {
    const created = await devA.post('/keys');
    assert.equal(created.status, 200);
    const creds = { ...a.creds, PublicKey: created.body.PublicKey, PrivateKey: created.body.PrivateKey };
    assert.equal((await ucloudGet(server.url, creds, { Action: 'QueryUSMSTemplate', TemplateId: a.templateIds[0]! })).body.RetCode, 0);
    assert.ok(!JSON.stringify((await devA.get('/keys')).body).includes(created.body.PrivateKey), 'the secret is shown once');
    assert.equal((await devA.post(`/keys/${created.body.PublicKey}/revoke`)).status, 200);
    assert.equal((await ucloudGet(server.url, creds, { Action: 'QueryUSMSTemplate', TemplateId: a.templateIds[0]! })).body.RetCode, 172);
  });

  test('lockout: five wrong passwords lock the user, even with the right one; the audit log says so', async () => {
    const created = await adminA.post('/users', { Email: 'lock@a.com', Role: 'viewer' });
    for (let i = 0; i < 4; i++) assert.equal((await new ConsoleClient(server.url).post('/login', { Email: 'lock@a.com', Password: 'wrong password' })).status, 401);
    const locked = await new ConsoleClient(server.url).post('/login', { Email: 'lock@a.com', Password: 'wrong password' });
    assert.equal(locked.status, 423);
    assert.equal(locked.body.Error.Code, 'locked');
    assert.ok(locked.body.Error.RetryAfter > 800);
    assert.equal((await new ConsoleClient(server.url).post('/login', { Email: 'lock@a.com', Password: created.body.Password })).status, 423);
    const audit = (await adminA.get('/audit')).body.Entries as Array<{ Action: string; Target: string }>;
    assert.ok(audit.some((e) => e.Action === 'user.locked' && e.Target === 'lock@a.com'));
    // An operator's reset link lifts the lock and sets a new password.
    const link = await op.post(`/users/${created.body.UserId}/reset-link`);
    const token = String(link.body.Url).split('/').pop();
    assert.equal((await new ConsoleClient(server.url).post('/reset', { Token: token, Password: 'a fresh password' })).status, 200);
    assert.equal((await new ConsoleClient(server.url).post('/reset', { Token: token, Password: 'another password' })).status, 400);
    await ConsoleClient.login(server.url, 'lock@a.com', 'a fresh password');
  });

  test('the audit log records each change with who made it', async () => {
    await adminA.put('/callback', { Url: 'http://127.0.0.1:9/hook' });
    const entries = (await op.get(`/audit?account=${a.creds.AccountId}`)).body.Entries as Array<{ Action: string; Actor: string }>;
    for (const action of ['user.create', 'key.create', 'key.revoke', 'blacklist.add', 'callback.set']) {
      assert.ok(entries.some((e) => e.Action === action), `${action} in ${JSON.stringify(entries.map((e) => e.Action))}`);
    }
    assert.ok(entries.some((e) => e.Action === 'key.revoke' && e.Actor === 'dev@a.com'));
  });

  test('a session made on one node is served by another node of the same database, and ends on both', async () => {
    const second = await ServerProcess.start({ USMS_ROLE: 'api' }, server.workspace);
    try {
      const c = await ConsoleClient.login(server.url, 'viewer@a.com', passwords['viewer@a.com']!);
      const there = new ConsoleClient(second.url);
      there.cookie = c.cookie;
      there.csrf = c.csrf;
      const me = await there.get('/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.User.Email, 'viewer@a.com');
      assert.equal((await there.post('/logout')).status, 200);
      assert.equal((await c.get('/me')).status, 401);
    } finally {
      await second.stop(true);
    }
  });

  test('logging out ends the session on the server', async () => {
    const c = await ConsoleClient.login(server.url, 'viewer@a.com', passwords['viewer@a.com']!);
    const cookie = c.cookie;
    assert.equal((await c.post('/logout')).status, 200);
    c.cookie = cookie;
    assert.equal((await c.get('/me')).status, 401);
  });

  test('login tries per address are limited (429 with Retry-After), after which even the right password waits', async () => {
    let status = 0;
    for (let i = 0; i < 45 && status !== 429; i++) status = (await new ConsoleClient(server.url).post('/login', { Email: 'nobody@example.com', Password: 'wrong password' })).status;
    assert.equal(status, 429);
    const res = await new ConsoleClient(server.url).post('/login', { Email: 'viewer@a.com', Password: passwords['viewer@a.com'] });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
  });
});
