import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerProcess, ucloudGet, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/** What our test receiver does with a push. */
type Mode = 'ok' | 'garbage' | 'error500';

interface Push {
  path: string;
  msgType: number;
  data: Array<Record<string, any>>;
  headers: IncomingHttpHeaders;
  signatureOk: boolean;
}

/**
 * A customer's callback receiver on 127.0.0.1: checks each push's HMAC signature independently of
 * our code (HMAC-SHA256(secret, timestamp + "." + raw body)) and answers per path according to `modes`.
 */
class Receiver {
  readonly pushes: Push[] = [];
  readonly modes = new Map<string, Mode>();
  readonly secrets = new Map<string, string>();
  private server?: Server;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const path = req.url ?? '/';
        const mode = this.modes.get(path) ?? 'ok';
        const body = JSON.parse(raw.toString('utf8'));
        this.pushes.push({ path, msgType: body.MsgType, data: body.Data, headers: req.headers, signatureOk: this.verify(path, raw, req.headers) });
        if (mode === 'garbage') return void res.end('<html>we are down for maintenance</html>');
        if (mode === 'error500') {
          res.statusCode = 500;
          return void res.end('{"code":0}');
        }
        res.setHeader('content-type', 'application/json');
        res.end('{"code":0,"message":"ok"}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  itemsAt(path: string, msgType = 2): Array<Record<string, any>> {
    return this.pushes.filter((p) => p.path === path && p.msgType === msgType).flatMap((p) => p.data);
  }

  private verify(path: string, raw: Buffer, headers: IncomingHttpHeaders): boolean {
    const secret = this.secrets.get(path);
    const ts = headers['x-usms-timestamp'];
    const sig = headers['x-usms-signature'];
    if (!secret || typeof ts !== 'string' || typeof sig !== 'string') return false;
    if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
    const want = Buffer.from('sha256=' + createHmac('sha256', secret).update(ts + '.').update(raw).digest('hex'));
    return want.length === Buffer.byteLength(sig) && timingSafeEqual(want, Buffer.from(sig));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('delivery reports (pull and push) and statistics, end to end', () => {
  let server: ServerProcess;
  const receiver = new Receiver();
  // The CLI costs seconds per call on a busy machine: a few accounts, shared by the tests that can.
  let pullAccount: { creds: Credentials; templateId: string };
  let otherAccount: { creds: Credentials; templateId: string };
  let pushAccount: { creds: Credentials; templateId: string };

  before(async () => {
    // Fast pushes: poll 50 ms, retries 100 ms doubling to at most 800 ms, failed after 10 attempts (~5.5 s).
    server = await ServerProcess.start({
      USMS_CALLBACK_POLL_MS: '50',
      USMS_CALLBACK_RETRY_BASE_MS: '100',
      USMS_CALLBACK_RETRY_MAX_MS: '800',
      USMS_CALLBACK_MAX_ATTEMPTS: '10',
      USMS_CALLBACK_TIMEOUT_MS: '2000',
    });
    await receiver.start();
    pullAccount = await account();
    otherAccount = await account();
    pushAccount = await account();
  });
  after(async () => {
    await receiver.stop();
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  /** An account with one approved template `Your code is {1}` and sender `usms`. */
  async function account() {
    const a = await server.setupAccount({ templates: ['Your code is {1}'] });
    return { creds: a.creds, templateId: a.templateIds[0]! };
  }

  async function send(creds: Credentials, templateId: string, phones: string[], userId = '') {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendBatchUSMSMessage',
      AccountId: creds.AccountId,
      TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: phones.map((Phone, i) => ({ Phone, TemplateParams: [String(1000 + i)], ...(userId ? { UserId: `${userId}${i}` } : {}) })) }],
    });
    assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
    assert.equal(res.body.SuccessCount, phones.length);
    return res.body.SessionNo as string;
  }

  /** Waits until `count` messages of the session have a final receipt code. */
  async function receipts(creds: Credentials, sessionNo: string, count: number) {
    return waitFor(`${count} receipts of ${sessionNo}`, async () => {
      const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessionNo] });
      const set = r.body.Data?.[0]?.ReceiptSet ?? [];
      return set.filter((x: any) => x.ReceiptCode).length >= count ? set : undefined;
    });
  }

  /** Runs a CLI command that must fail; returns its JSON error. */
  async function cliError(...args: string[]): Promise<{ error: string }> {
    try {
      await server.cli(...args);
    } catch (err) {
      return JSON.parse(String((err as { stdout?: string }).stdout).trim().split('\n').pop()!);
    }
    throw new Error(`usms ${args.join(' ')} succeeded`);
  }

  const stats = (id: number) => server.cli('callbacks', 'stats', '--account', String(id));

  const pull = (creds: Credentials, params: Record<string, unknown> = {}) =>
    uspeedoPost(server.url, creds, { Action: 'PullUSMSReport', AccountId: creds.AccountId, ...params });

  test('PullUSMSReport: oldest first up to Limit, a pulled report is gone, only the caller\'s own', async () => {
    const { creds, templateId } = pullAccount;
    const other = otherAccount;
    const session = await send(creds, templateId, ['13800001001', '13800000000', '13800001003', '(852)55311004', '13800001005'], 'u');
    const otherSession = await send(other.creds, other.templateId, ['13800002001']);
    await receipts(creds, session, 5);
    await receipts(other.creds, otherSession, 1);

    const first = await pull(creds, { Limit: 2 });
    assert.equal(first.status, 200);
    assert.equal(first.body.RetCode, 0);
    assert.equal(first.body.Action, 'PullUSMSReportResponse');
    assert.equal(first.body.ReportSet.length, 2);
    const [a, b] = first.body.ReportSet;
    assert.deepEqual(Object.keys(a).sort(), ['AccountId', 'BrevityCode', 'CostCount', 'CountryCode', 'Phone', 'ReceiptCode', 'ReceiptDesc', 'ReceiptResult', 'ReceiptTime', 'SessionNo', 'UserId']);
    assert.equal(a.SessionNo, session);
    assert.equal(a.AccountId, creds.AccountId);
    assert.equal(a.CostCount, 1);
    assert.equal(a.BrevityCode, 'CN');
    assert.equal(a.CountryCode, '86');
    assert.ok(Math.abs(a.ReceiptTime - Date.now() / 1000) < 60);
    // The sandbox reports ...0000 as undeliverable.
    const byPhone = new Map<string, any>([...first.body.ReportSet].map((r: any) => [r.Phone, r]));
    const rest = await pull(creds, { Limit: 200 });
    for (const r of rest.body.ReportSet) byPhone.set(r.Phone, r);
    assert.equal(byPhone.size, 5, 'five different reports over two pulls');
    assert.equal(rest.body.ReportSet.length, 3);
    assert.deepEqual([a.Phone, b.Phone].every((p) => !rest.body.ReportSet.some((r: any) => r.Phone === p)), true, 'no report twice');
    assert.equal(byPhone.get('13800000000').ReceiptResult, 'Fail');
    assert.equal(byPhone.get('13800000000').ReceiptCode, 'UNDELIV');
    assert.equal(byPhone.get('13800001001').ReceiptResult, 'Success');
    assert.equal(byPhone.get('13800001001').UserId, 'u0');
    assert.equal(byPhone.get('(852)55311004').BrevityCode, 'HK');

    const again = await pull(creds);
    assert.equal(again.body.RetCode, 0);
    assert.deepEqual(again.body.ReportSet, [], 'pulled twice = gone');

    // The other account still has exactly its own report; the UCloud dialect spells it without the uSpeedo extras.
    const theirs = await ucloudGet(server.url, other.creds, { Action: 'PullUSMSReport', Limit: '10' });
    assert.equal(theirs.body.RetCode, 0);
    assert.equal(theirs.body.Action, 'PullUSMSReportResponse');
    assert.deepEqual(theirs.body.ReportSet.map((r: any) => [r.SessionNo, r.Phone, r.ReceiptResult]), [[otherSession, '13800002001', 'Success']]);
    assert.equal('AccountId' in theirs.body.ReportSet[0], false);
  });

  test('PullUSMSReport: concurrent pulls share the reports without duplicates', async () => {
    const { creds, templateId } = pullAccount;
    const phones = Array.from({ length: 30 }, (_, i) => `138000030${String(i).padStart(2, '0')}`);
    const session = await send(creds, templateId, phones);
    await receipts(creds, session, 30);
    const seen: string[] = [];
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all([1, 2, 3, 4].map(() => pull(creds, { Limit: 4 })));
      for (const r of answers) {
        assert.equal(r.body.RetCode, 0);
        seen.push(...r.body.ReportSet.map((x: any) => x.Phone));
      }
    }
    assert.equal(seen.length, 30);
    assert.deepEqual([...new Set(seen)].sort(), [...phones].sort());
  });

  test('PullUSMSReport: Limit is validated', async () => {
    const { creds } = pullAccount;
    for (const Limit of [0, 201, 'abc', 1.5, -1]) {
      const r = await pull(creds, { Limit });
      assert.equal(r.body.RetCode, 18003, `Limit ${JSON.stringify(Limit)}`);
      assert.match(r.body.Message, /Limit/);
    }
    const u = await ucloudGet(server.url, creds, { Action: 'PullUSMSReport', Limit: '500' });
    assert.equal(u.body.RetCode, 18003);
    assert.equal((await pull(creds, { Limit: 200 })).body.RetCode, 0);
  });

  test('account set --callback-url: shown, validated, cleared', async () => {
    const { creds } = pullAccount;
    const id = String(creds.AccountId);
    assert.deepEqual(await server.cli('account', 'set', '--account', id), { AccountId: creds.AccountId, CallbackUrl: '' });
    assert.deepEqual(await server.cli('account', 'set', '--account', id, '--callback-url', 'https://example.com/usms'), {
      AccountId: creds.AccountId,
      CallbackUrl: 'https://example.com/usms',
    });
    assert.match((await cliError('account', 'set', '--account', id, '--callback-url', 'ftp://example.com/x')).error, /http:\/\/ or https:\/\//);
    assert.match((await cliError('account', 'set', '--account', '99999999', '--callback-url', 'https://example.com/usms')).error, /no account 99999999/);
    assert.equal((await server.cli('account', 'set', '--account', id)).CallbackUrl, 'https://example.com/usms', 'a refused change changes nothing');
    assert.deepEqual(await server.cli('account', 'set', '--account', id, '--callback-url', ''), { AccountId: creds.AccountId, CallbackUrl: '' });
  });

  // The push tests run in order on one account; each points its callback URL at its own receiver path.
  test('push: receipts are POSTed signed, batched, each once; pulling still works alongside', async () => {
    const { creds, templateId } = pushAccount;
    receiver.secrets.set('/ok', creds.PrivateKey);
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--callback-url', receiver.url('/ok'));
    const phones = Array.from({ length: 12 }, (_, i) => `138000040${String(i).padStart(2, '0')}`);
    phones[11] = '13800040000'; // UNDELIV
    const session = await send(creds, templateId, phones, 'p');
    const items = await waitFor('12 pushed receipts', async () => (receiver.itemsAt('/ok').length >= 12 ? receiver.itemsAt('/ok') : undefined));
    assert.deepEqual(await stats(creds.AccountId), { AccountId: creds.AccountId, Pending: 0, Retrying: 0, Delivered: 12, Failed: 0 });
    const pushes = receiver.pushes.filter((p) => p.path === '/ok');
    assert.equal(receiver.itemsAt('/ok').length, 12, 'no item pushed twice');
    assert.ok(pushes.every((p) => p.signatureOk), 'every push verifies with the account secret');
    assert.ok(pushes.every((p) => p.headers['x-usms-key-id'] === creds.PublicKey));
    assert.ok(pushes.every((p) => String(p.headers['content-type']).startsWith('application/json')));
    assert.ok(pushes.length < 12, `batched: ${pushes.length} requests for 12 receipts`);
    assert.deepEqual([...new Set(items.map((i) => i.Phone))].sort(), [...phones].sort());
    const bad = items.find((i) => i.Phone === '13800040000')!;
    assert.deepEqual(Object.keys(bad), ['SessionNo', 'Phone', 'CostCount', 'ReceiptTime', 'ReceiptResult', 'ReceiptCode', 'ReceiptDesc', 'UserId']);
    assert.equal(bad.SessionNo, session);
    assert.equal(bad.ReceiptResult, 'Fail');
    assert.equal(bad.ReceiptCode, 'UNDELIV');
    assert.equal(bad.UserId, 'p11');
    assert.equal(bad.CostCount, 1);
    assert.ok(items.filter((i) => i !== bad).every((i) => i.ReceiptResult === 'Success' && i.ReceiptCode === 'DELIVRD'));
    assert.equal((await pull(creds, { Limit: 200 })).body.ReportSet.length, 12, 'push and pull are independent');
  });

  test('push: receiver down, then up again: nothing lost, nothing twice', async () => {
    const { creds, templateId } = pushAccount;
    const down = new Receiver();
    await down.start();
    const port = down.port;
    down.secrets.set('/down', creds.PrivateKey);
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--callback-url', down.url('/down'));
    await down.stop(); // connection refused from now on
    const phones = Array.from({ length: 6 }, (_, i) => `138000050${i}1`);
    const session = await send(creds, templateId, phones);
    await receipts(creds, session, 6);
    // Every item has failed at least once against the closed port.
    await waitFor('failed attempts', async () => {
      const s = await stats(creds.AccountId);
      return s.Retrying === 6 ? s : undefined;
    });
    await down.start(port);
    try {
      await waitFor('delivery after the receiver came back', async () => (down.itemsAt('/down').length >= 6 ? true : undefined));
      const s = await stats(creds.AccountId); // also time for a duplicate to arrive, if there were one
      assert.deepEqual([s.Pending, s.Delivered, s.Failed], [0, 18, 0]);
      const got = down.itemsAt('/down').map((i) => i.Phone);
      assert.equal(got.length, 6, `each receipt once, got ${JSON.stringify(got)}`);
      assert.deepEqual([...got].sort(), [...phones].sort());
      assert.ok(down.pushes.every((p) => p.signatureOk));
    } finally {
      await down.stop();
    }
  });

  test('push: a receiver answering HTTP 500 is retried until it answers ok', async () => {
    const { creds, templateId } = pushAccount;
    receiver.secrets.set('/flaky', creds.PrivateKey);
    receiver.modes.set('/flaky', 'error500');
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--callback-url', receiver.url('/flaky'));
    await send(creds, templateId, ['13800007001']);
    const hits = () => receiver.pushes.filter((p) => p.path === '/flaky');
    await waitFor('two failed attempts', async () => (hits().length >= 2 ? true : undefined));
    receiver.modes.set('/flaky', 'ok');
    const n = await waitFor('answered ok', async () => {
      const ok = hits().findIndex((p, i) => i >= 2 && p.data[0]?.Phone === '13800007001');
      return ok >= 0 ? hits().length : undefined;
    });
    await sleep(1000);
    assert.equal(hits().length, n, 'not sent again after ok');
    assert.ok(hits().every((p) => p.data.length === 1 && p.data[0]!.Phone === '13800007001'));
  });

  test('push: a receiver answering garbage is retried, then listed as failed; `callbacks retry` delivers once', async () => {
    const { creds, templateId } = pushAccount;
    const id = String(creds.AccountId);
    receiver.secrets.set('/garbage', creds.PrivateKey);
    receiver.modes.set('/garbage', 'garbage');
    await server.cli('account', 'set', '--account', id, '--callback-url', receiver.url('/garbage'));
    const phones = ['13800006001', '13800006002'];
    await send(creds, templateId, phones);
    const hits = () => receiver.pushes.filter((p) => p.path === '/garbage');
    // 10 attempts (the configured limit), then no more.
    await waitFor('ten attempts', async () => (hits().flatMap((p) => p.data).length >= 20 ? true : undefined), 30_000);
    const failed = await waitFor('listed as failed', async () => {
      const f = await server.cli('callbacks', 'failed', '--account', id);
      return f.Total === 2 ? f : undefined;
    });
    assert.equal(failed.AccountId, creds.AccountId);
    assert.deepEqual(failed.Failed.map((f: any) => f.Data.Phone).sort(), phones);
    for (const f of failed.Failed) {
      assert.equal(f.MsgType, 2);
      assert.equal(f.Attempts, 10);
      assert.match(f.LastError, /not JSON: <html>/);
    }
    const attempts = hits().length;
    assert.equal(hits().flatMap((p) => p.data).length, 20, 'each item attempted exactly 10 times');
    await sleep(1000);
    assert.equal(hits().length, attempts, 'failed pushes are not retried by themselves');

    receiver.modes.set('/garbage', 'ok');
    assert.deepEqual(await server.cli('callbacks', 'retry', '--account', id), { AccountId: creds.AccountId, Requeued: 2 });
    await waitFor('delivered after retry', async () => (hits().length > attempts ? true : undefined));
    assert.equal((await server.cli('callbacks', 'failed', '--account', id)).Total, 0);
    const after = hits().slice(attempts);
    assert.deepEqual(after.flatMap((p) => p.data.map((d) => d.Phone)).sort(), phones, 'each item delivered once after the retry');
    assert.ok(after.every((p) => p.signatureOk));
  });

  describe('statistics', () => {
    let creds: Credentials;
    let verification: string; // purpose 1
    let notification: string; // purpose 2
    const today = () => new Date().toISOString().slice(0, 10);
    const shift = (date: string, days: number) => new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);

    before(async () => {
      const a = await server.setupAccount({ templates: [] });
      creds = a.creds;
      const id = String(creds.AccountId);
      verification = (await server.cli('template', 'create', '--account', id, '--content', 'Your code is {1}', '--purpose', '1', '--approve')).TemplateId;
      notification = (await server.cli('template', 'create', '--account', id, '--content', 'Your parcel {1} is here', '--purpose', '2', '--approve')).TemplateId;
      // CN: 3 verification (one undeliverable), 1 notification; HK: 2 notification (one never gets a receipt).
      const s1 = await send(creds, verification, ['13800008001', '13800000000', '13800008003']);
      const s2 = await send(creds, notification, ['13800008004', '(852)55310001', '(852)55318006']);
      await receipts(creds, s1, 3);
      await receipts(creds, s2, 2);
    });

    const statistics = (params: Record<string, unknown>, action = 'GetUSMSSendStatistics') => {
      const body: Record<string, unknown> = { Action: action, AccountId: creds.AccountId, StartDate: shift(today(), -1), EndDate: shift(today(), 1), ...params };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      return uspeedoPost(server.url, creds, body);
    };
    const zero = { SubmitFailedCount: 0, SubmitFailedCostCount: 0 };

    test('per country and day, with totals (uSpeedo dialect)', async () => {
      const r = await statistics({ OrderBy: 'BrevityCode', OrderType: 'asc', Domestic: undefined });
      assert.equal(r.body.RetCode, 0, r.body.Message);
      assert.equal(r.body.Action, 'GetUSMSSendStatisticsResponse');
      assert.equal(r.body.Total, 2);
      assert.deepEqual(r.body.Data, [
        { BrevityCode: 'CN', SendDate: today(), Count: 4, CostCount: 4, SuccessCount: 3, SuccessCostCount: 3, FailedCount: 1, FailedCostCount: 1, ...zero, UnknownCount: 0, UnknownCostCount: 0, SuccessRate: 75 },
        { BrevityCode: 'HK', SendDate: today(), Count: 2, CostCount: 2, SuccessCount: 1, SuccessCostCount: 1, FailedCount: 0, FailedCostCount: 0, ...zero, UnknownCount: 1, UnknownCostCount: 1, SuccessRate: 50 },
      ]);
      // The totals carry the UCloud SDK's StatisticsData names, not the rows' names.
      assert.deepEqual(r.body.StatisticsData, {
        SendCount: 6, SendCostCount: 6, SuccessCount: 4, SuccessCostCount: 4, FailCount: 1, FailCostCount: 1, SubmitFailCount: 0, SubmitFailCostCount: 0, UnknownCount: 1, UnknownCostCount: 1,
      });
    });

    test('ordering and paging', async () => {
      const desc = await statistics({ OrderBy: 'BrevityCode', OrderType: 'desc' });
      assert.deepEqual(desc.body.Data.map((d: any) => d.BrevityCode), ['HK', 'CN']);
      const page0 = await statistics({ OrderBy: 'BrevityCode', OrderType: 'asc', NumPerPage: 1, Page: 0 });
      const page1 = await statistics({ OrderBy: 'BrevityCode', OrderType: 'asc', NumPerPage: 1, Page: 1 });
      const page2 = await statistics({ OrderBy: 'BrevityCode', OrderType: 'asc', NumPerPage: 1, Page: 2 });
      assert.deepEqual([page0, page1, page2].map((p) => p.body.Data.map((d: any) => d.BrevityCode)), [['CN'], ['HK'], []]);
      assert.deepEqual([page0, page1, page2].map((p) => p.body.Total), [2, 2, 2]);
      assert.equal(page2.body.StatisticsData.SendCount, 6, 'totals cover every page');
    });

    test('filters: Domestic, BrevityCode, Purpose, dates', async () => {
      const domestic = await statistics({ Domestic: 1 });
      assert.deepEqual(domestic.body.Data.map((d: any) => [d.BrevityCode, d.Count]), [['CN', 4]]);
      const intl = await statistics({ Domestic: 0 });
      assert.deepEqual(intl.body.Data.map((d: any) => [d.BrevityCode, d.Count]), [['HK', 2]]);
      const hk = await statistics({ BrevityCode: 'hk' });
      assert.deepEqual(hk.body.Data.map((d: any) => [d.BrevityCode, d.Count]), [['HK', 2]]);
      const purpose1 = await statistics({ Purpose: 1 });
      assert.deepEqual(purpose1.body.Data.map((d: any) => [d.BrevityCode, d.Count, d.FailedCount]), [['CN', 3, 1]]);
      const yesterday = await statistics({ StartDate: shift(today(), -3), EndDate: shift(today(), -2) });
      assert.deepEqual([yesterday.body.RetCode, yesterday.body.Data, yesterday.body.Total, yesterday.body.StatisticsData.SendCount], [0, [], 0, 0]);
    });

    test('per template, and the UCloud dialect with string params', async () => {
      const r = await statistics({ OrderBy: 'BrevityCode', OrderType: 'asc' }, 'GetUSMSTemplateSendStatistics');
      assert.equal(r.body.Action, 'GetUSMSTemplateSendStatisticsResponse');
      const rows = r.body.Data.map((d: any) => [d.TemplateId, d.BrevityCode, d.Count, d.SuccessCount]);
      assert.equal(r.body.Total, 3);
      assert.deepEqual(rows.slice(0, 2).sort(), [[notification, 'CN', 1, 1], [verification, 'CN', 3, 2]].sort());
      assert.deepEqual(rows[2], [notification, 'HK', 2, 1]);
      const only = await statistics({ TemplateId: verification }, 'GetUSMSTemplateSendStatistics');
      assert.deepEqual(only.body.Data.map((d: any) => [d.TemplateId, d.Count]), [[verification, 3]]);

      const u = await ucloudGet(server.url, creds, {
        Action: 'GetUSMSTemplateSendStatistics', StartDate: today(), EndDate: today(), Domestic: '0', NumPerPage: '10', Page: '0', OrderBy: 'SendDate', OrderType: 'desc', 'TemplateId.0': notification,
      });
      assert.equal(u.body.RetCode, 0, u.body.Message);
      assert.deepEqual(u.body.Data.map((d: any) => [d.TemplateId, d.BrevityCode, d.SendDate, d.Count, d.UnknownCount]), [[notification, 'HK', today(), 2, 1]]);
      const plain = await ucloudGet(server.url, creds, { Action: 'GetUSMSSendStatistics', StartDate: today(), EndDate: today(), Purpose: '2' });
      assert.equal(plain.body.RetCode, 0, plain.body.Message);
      assert.equal(plain.body.StatisticsData.SendCount, 3);
      assert.equal('TemplateId' in plain.body.Data[0], false);
    });

    test("another account sees only its own messages", async () => {
      const other = otherAccount.creds; // one message, sent by the pull test
      const r = await uspeedoPost(server.url, other, { Action: 'GetUSMSSendStatistics', AccountId: other.AccountId, StartDate: shift(today(), -1), EndDate: shift(today(), 1) });
      assert.deepEqual([r.body.RetCode, r.body.Total, r.body.StatisticsData.SendCount], [0, 1, 1]);
    });

    test('bad dates and paging are refused with clear messages', async () => {
      const cases: Array<[Record<string, unknown>, number, RegExp]> = [
        [{ StartDate: undefined }, 18001, /StartDate/],
        [{ StartDate: '2026/01/01' }, 18003, /StartDate.*YYYY-MM-DD/],
        [{ EndDate: '2026-02-30' }, 18003, /EndDate.*not a calendar date/],
        [{ StartDate: today(), EndDate: shift(today(), -1) }, 18003, /EndDate.*before StartDate/],
        [{ StartDate: '2020-01-01', EndDate: '2022-01-01' }, 18003, /at most 366 days/],
        [{ NumPerPage: 0 }, 18003, /NumPerPage/],
        [{ NumPerPage: 101 }, 18003, /NumPerPage/],
        [{ Page: -1 }, 18003, /Page/],
        [{ OrderBy: 'Count' }, 18003, /OrderBy.*SendDate, BrevityCode/],
        [{ OrderType: 'up' }, 18003, /OrderType/],
        [{ Domestic: 2 }, 18003, /Domestic/],
        [{ Purpose: 4 }, 18003, /Purpose/],
        [{ BrevityCode: 'China' }, 18003, /BrevityCode/],
      ];
      for (const [params, code, message] of cases) {
        const r = await statistics(params);
        assert.equal(r.body.RetCode, code, JSON.stringify(params));
        assert.match(r.body.Message, message, JSON.stringify(params));
      }
    });
  });
});
