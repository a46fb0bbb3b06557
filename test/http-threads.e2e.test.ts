import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sign } from '../src/auth/signature.ts';
import { ServerProcess, Workspace, fresh, waitFor, type Credentials } from './harness.ts';


function signedPost(url: string, creds: Credentials, body: Record<string, unknown>, nonce = randomUUID().replace(/-/g, '')) {
  return fresh(url, 'POST', '/api', {
    'content-type': 'application/json',
    'x-access-key-id': creds.PublicKey,
    'x-signature': sign(body, creds.PrivateKey),
    'x-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-nonce': nonce,
  }, JSON.stringify(body)).then((r) => JSON.parse(r.text));
}

/** The sum of a counter's samples in a scrape, optionally only those whose labels contain `labels`. */
function counter(scrape: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of scrape.split('\n')) {
    if (!line.startsWith(name) || (labels && !line.includes(labels))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

describe('two HTTP threads on one listening socket (USMS_HTTP_THREADS=2)', { skip: process.platform === 'win32' }, () => {
  let server: ServerProcess;
  let creds: Credentials;
  let template: string;

  before(async () => {
    server = await ServerProcess.start({ USMS_HTTP_THREADS: '2', USMS_RATE_LIMIT: '0' });
    const a = await server.setupAccount({ templates: ['Your verification code is {1}'] });
    creds = a.creds;
    template = a.templateIds[0]!;
  });
  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  const scrape = async () => (await fresh(server.url, 'GET', '/metrics', {})).text;

  test('both threads accept connections, and every scrape counts every thread', async () => {
    const before = await scrape();
    const sent = 60;
    const answers = await Promise.all(Array.from({ length: sent }, (_, i) =>
      signedPost(server.url, creds, {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: template, SenderId: 'usms',
        PhoneNumbers: [`1851234${String(1000 + i).padStart(4, '0')}`], TemplateParams: [String(i)],
      })));
    assert.ok(answers.every((a) => a.RetCode === 0), JSON.stringify(answers.find((a) => a.RetCode !== 0)));
    const after = await scrape();
    for (const thread of ['0', '1']) {
      assert.ok(counter(after, 'usms_http_connections_total', `thread="${thread}"`) > 0, `thread ${thread} accepted connections:\n${after.split('\n').filter((l) => l.startsWith('usms_http_connections')).join('\n')}`);
    }
    const label = 'action="SendUSMSMessage",retcode="0"';
    assert.equal(counter(after, 'usms_http_requests_total', label) - counter(before, 'usms_http_requests_total', label), sent);
    assert.equal(counter(after, 'usms_messages_accepted_total') - counter(before, 'usms_messages_accepted_total'), sent);
    // Several scrapes, each on its own connection: whichever thread answers, the totals are the same.
    const totals = new Set<number>();
    for (let i = 0; i < 8; i++) totals.add(counter(await scrape(), 'usms_messages_accepted_total'));
    assert.deepEqual([...totals], [counter(after, 'usms_messages_accepted_total')]);
    assert.match(after, /usms_process_cpu_seconds_total/, 'the process-wide metrics are there once');
    assert.match(after, /usms_process_start_time_seconds \d/);
  });

  test('a nonce is a replay whichever thread saw it first (the idempotency record arbitrates)', async () => {
    const nonce = 'shared' + randomUUID().slice(0, 8);
    const body = (i: number) => ({ Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [`s${i}`] });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => signedPost(server.url, creds, body(i), nonce)));
    assert.equal(answers.filter((a) => a.RetCode === 0).length, 1, 'one of 40 different bodies with one nonce is accepted: ' + JSON.stringify(answers.map((a) => [a.RetCode, a.Message])));
    for (const a of answers.filter((x) => x.RetCode !== 0)) {
      assert.equal(a.RetCode, 171);
      assert.match(a.Message, /X-Nonce was already used/);
    }
  });

  test('a template created twice with one nonce on both threads at once is created once', async () => {
    const total = async () => (await signedPost(server.url, creds, { Action: 'QueryUSMSTemplate', AccountId: creds.AccountId, Offset: 0, Limit: 100 })).Total as number;
    const before = await total();
    const nonce = 'tpl' + randomUUID().slice(0, 8);
    const body = { Action: 'CreateUSMSTemplate', AccountId: creds.AccountId, Purpose: 2, TemplateName: 'once', Template: 'Your parcel {1} is here' };
    const answers = await Promise.all(Array.from({ length: 30 }, () => signedPost(server.url, creds, body, nonce)));
    assert.ok(answers.every((a) => a.RetCode === 0), JSON.stringify(answers.map((a) => [a.RetCode, a.Message])));
    assert.equal(new Set(answers.map((a) => a.TemplateId)).size, 1, 'every duplicate got the first answer');
    assert.equal(await total(), before + 1);
  });

  test('messages accepted by either thread are delivered', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signedPost(server.url, creds, {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: template, SenderId: 'usms',
        PhoneNumbers: [`1851235${String(1000 + i).padStart(4, '0')}`], TemplateParams: [String(i)],
      })));
    const sessions = answers.map((a) => a.SessionNo as string);
    assert.equal(new Set(sessions).size, 20);
    await waitFor('every receipt', async () => {
      const r = await signedPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: sessions });
      const done = (r.Data ?? []).filter((d: any) => d.ReceiptSet?.[0]?.ReceiptCode === 'DELIVRD').length;
      return done === 20 ? true : undefined;
    });
  });
});

describe('SIGTERM with two HTTP threads under load', { skip: process.platform === 'win32' }, () => {
  test('every request answered before the exit was accepted is stored', async () => {
    const ws = await Workspace.create();
    let server = await ServerProcess.start({ USMS_HTTP_THREADS: '2', USMS_RATE_LIMIT: '0', USMS_WORKERS: '0' }, ws);
    try {
      const { creds, templateIds } = await server.setupAccount({ templates: ['Code {1}'] });
      const accepted: string[] = [];
      let stopping = false;
      const load = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; !stopping; i++) {
          try {
            const a = await signedPost(server.url, creds, {
              Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: templateIds[0], SenderId: 'usms',
              PhoneNumbers: [`185${String(w).padStart(2, '0')}${String(i % 1_000_000).padStart(6, '0')}`], TemplateParams: ['1'],
            });
            if (a.RetCode === 0) accepted.push(a.SessionNo);
          } catch {
            return; // refused or cut: the server is going away
          }
        }
      });
      await waitFor('some accepted', async () => (accepted.length >= 50 ? true : undefined));
      const exit = server.stop(true);
      stopping = true;
      assert.equal(await exit, 0, 'clean exit on SIGTERM');
      await Promise.all(load);
      server = await ServerProcess.start({ USMS_HTTP_THREADS: '2', USMS_RATE_LIMIT: '0', USMS_WORKERS: '0' }, ws);
      for (let i = 0; i < accepted.length; i += 100) {
        const r = await signedPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: accepted.slice(i, i + 100) });
        assert.equal(r.RetCode, 0);
        assert.equal(r.Data.length, accepted.slice(i, i + 100).length, 'every accepted session is there after the restart');
      }
    } finally {
      await server.stop();
    }
  });
});
