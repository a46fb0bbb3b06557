// HTTP carriers end to end with each preset: USMS API -> usms -> a local fake of the provider's API,
// the provider's receipt callback -> /carriers/<name>/receipts -> the customer's report by pull and push.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwilioFake } from './fakes/twilio-fake.ts';
import { VonageFake } from './fakes/vonage-fake.ts';
import { fresh, ServerProcess, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/** The customer's callback receiver: every push's items, by MsgType. */
class Receiver {
  readonly items: Array<{ msgType: number; item: any }> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const push = JSON.parse(body);
        for (const item of push.Data) this.items.push({ msgType: push.MsgType, item });
        res.setHeader('content-type', 'application/json');
        res.end('{"code":0}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/usms`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('HTTP carriers (Twilio and Vonage presets)', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let templateId: string;
  const receiver = new Receiver();
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    server = await ServerProcess.start({ USMS_CARRIER_POLL_MS: '200', USMS_CALLBACK_POLL_MS: '100' });
    const a = await server.setupAccount({ region: 'GB', sender: 'usms', templates: ['{1}'] });
    creds = a.creds;
    templateId = a.templateIds[0]!;
    await receiver.start();
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--callback-url', receiver.url);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
    await receiver.close();
    for (const c of cleanups.reverse()) await c();
  });

  async function send(phones: string[], text: string): Promise<string> {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
      TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: phones.map((Phone) => ({ Phone, TemplateParams: [text] })) }],
    });
    assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
    return res.body.SessionNo;
  }

  async function receiptsOf(sessionNo: string): Promise<any[]> {
    const res = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessionNo] });
    assert.equal(res.body.RetCode, 0);
    return res.body.Data[0]?.ReceiptSet ?? [];
  }

  async function pulled(sessionNo: string): Promise<any[]> {
    const res = await uspeedoPost(server.url, creds, { Action: 'PullUSMSReport', AccountId: creds.AccountId, Limit: 100 });
    assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
    return res.body.ReportSet.filter((r: any) => r.SessionNo === sessionNo);
  }

  test('Twilio: sent through the Messages API, the signed status callback becomes the receipt, pulled and pushed', async () => {
    const twilio = await TwilioFake.start({ autoReceipt: { delayMs: 50, status: 'delivered' } });
    cleanups.push(() => twilio.close());
    server.env.TWILIO_E2E_TOKEN = twilio.authToken;
    const added = await server.cli('carrier', 'add', '--kind', 'http', '--preset', 'twilio', '--name', 'twilio', '--base-url', twilio.url,
      '--username', twilio.accountSid, '--password-env', 'TWILIO_E2E_TOKEN', '--from', '+15005550006', '--prefix', '447701');
    assert.equal(added.Added, 'twilio', JSON.stringify(added));
    await waitFor('twilio running', async () => ((await server.cli<any>('carrier', 'status', '--name', 'twilio')).Carriers[0]?.Ready ? true : undefined), 30_000);
    const phones = ['+447701000001', '+447701000002', '+447701000003'];
    const session = await send(phones, 'hello from usms');
    const set = await waitFor('three delivered', async () => {
      const r = await receiptsOf(session);
      return r.length === 3 && r.every((x) => x.ReceiptResult === 'Success') ? r : undefined;
    });
    assert.deepEqual(set.map((r) => r.Phone).sort(), phones);
    assert.deepEqual(twilio.messages.map((m) => m.to).sort(), phones, 'one request per message, to the number as E.164');
    assert.ok(twilio.messages.every((m) => m.from === '+15005550006' && m.body === 'hello from usms'));
    assert.ok(twilio.messages.every((m) => m.statusCallback === `${server.url}/carriers/twilio/receipts`), 'the receipt webhook is named in each request');
    assert.equal((await pulled(session)).length, 3, 'pulled');
    await waitFor('pushed', async () => (receiver.items.filter((p) => p.msgType === 2 && p.item.SessionNo === session).length === 3 ? true : undefined));

    // A callback that is not Twilio's (wrong signature) is refused and changes nothing.
    const forged = await fresh(server.url, 'POST', '/carriers/twilio/receipts', { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      `MessageSid=${twilio.messages[0]!.sid}&MessageStatus=undelivered&AccountSid=${twilio.accountSid}`);
    assert.equal(forged.status, 403);
    const unknown = await fresh(server.url, 'POST', '/carriers/nobody/receipts', { 'content-type': 'application/x-www-form-urlencoded' }, 'MessageSid=x');
    assert.equal(unknown.status, 404);
    assert.ok((await receiptsOf(session)).every((x) => x.ReceiptResult === 'Success'));
    await server.cli('carrier', 'remove', '--name', 'twilio');
  });

  test('Vonage: a long text split by the provider is two parts, each with its own receipt, rolled up into one report', async () => {
    const vonage = await VonageFake.start({ autoReceipt: { delayMs: 50, status: 'delivered' } });
    cleanups.push(() => vonage.close());
    server.env.VONAGE_E2E_SECRET = vonage.apiSecret;
    await server.cli('carrier', 'add', '--kind', 'http', '--preset', 'vonage', '--name', 'vonage', '--base-url', vonage.url,
      '--username', vonage.apiKey, '--password-env', 'VONAGE_E2E_SECRET', '--from', 'USMS', '--prefix', '447702', '--window', '50');
    // An explicit flag is kept, even when it equals the SMPP default (50); what was not given is the preset's own.
    const listed = (await server.cli<any>('carrier', 'list', '--json')).Carriers.find((c: any) => c.Name === 'vonage');
    assert.deepEqual([listed.Window, listed.Prefetch, listed.Throughput], [50, 50, listed.Http.throughput]);
    await waitFor('vonage running', async () => ((await server.cli<any>('carrier', 'status', '--name', 'vonage')).Carriers[0]?.Ready ? true : undefined), 30_000);
    const long = 'x'.repeat(200);
    const session = await send(['+447702000001'], long);
    const [r] = await waitFor('delivered', async () => {
      const set = await receiptsOf(session);
      return set.length === 1 && set[0].ReceiptResult === 'Success' ? set : undefined;
    });
    assert.equal(r.Phone, '+447702000001');
    assert.equal(vonage.messages.length, 1);
    assert.equal(vonage.messages[0]!.ids.length, 2, 'the provider answered two parts');
    assert.equal(vonage.messages[0]!.to, '447702000001', 'Vonage takes the number without +');
    assert.equal((await pulled(session)).length, 1);
    await waitFor('pushed', async () => (receiver.items.some((p) => p.msgType === 2 && p.item.SessionNo === session) ? true : undefined));
    await server.cli('carrier', 'remove', '--name', 'vonage');
  });
});
