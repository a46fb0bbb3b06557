// Opt-out by reply, end to end: handsets answer through our SMSC simulator (the carrier), the real server
// stores the reply, blacklists or releases the phone, and every dialect's send then refuses or sends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { ServerProcess, restPost, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const OPTED_OUT = /^phone opted out by replying STOP \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A send reads the account's blacklist through a cache of at most one second (actions/lookups.ts). */
const pastBlacklistCache = () => sleep(1_100);

type Refusal = { Phone: string; Reason: string };
/** A batch with one template and sender: how many were accepted, and each refused phone with its reason. */
type Dialect = (phones: string[], text: string) => Promise<{ accepted: number; refused: Refusal[] }>;

describe('opt-out by inbound reply, end to end through the SMSC simulator', () => {
  let server: ServerProcess;
  let sim: Simulator;
  let hook: Server;
  let creds: Credentials;
  let templateId: string;
  const pushes: Array<{ Phone: string; ReplyContent: string }> = [];
  let next = 10;
  const phone = () => `+1415555${String(next++).padStart(4, '0')}`;

  before(async () => {
    sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1', receiptDelayMs: 20 });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const push = JSON.parse(body);
        if (push.MsgType === 0) pushes.push(...push.Data);
        res.setHeader('content-type', 'application/json');
        res.end('{"code":0,"message":"ok"}');
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    server = await ServerProcess.start({ USMS_CARRIER_POLL_MS: '200', USMS_CALLBACK_POLL_MS: '100', USMS_CALLBACK_RETRY_BASE_MS: '100' });
    const a = await server.setupAccount({ region: 'US', sender: 'USMS', templates: ['{1}'] });
    creds = a.creds;
    templateId = a.templateIds[0]!;
    const id = String(creds.AccountId);
    await server.cli('account', 'set', '--account', id, '--callback-url', `http://127.0.0.1:${(hook.address() as AddressInfo).port}/usms`);
    // Replies the carrier cannot match to a message it sent belong to this account (--mo-account).
    await server.cli('carrier', 'add', '--name', 'smsc', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms',
      '--password', 'secret1', '--prefix', '1415555', '--source-addr', '1069000', '--mo-account', id);
    await waitFor('bound', async () => (sim.stats.activeBinds > 0 ? true : undefined));
  });
  after(async () => {
    const code = await server.stop();
    sim.close();
    await new Promise((r) => hook.close(r));
    assert.equal(code, 0, 'clean exit on SIGTERM');
  });

  /** The handset at `from` replies `text` (UCS-2 when it is not ASCII); resolves once the customer got the push. */
  async function reply(from: string, text: string): Promise<void> {
    const ascii = /^[\x20-\x7e]*$/.test(text);
    const ack = await sim.sendMo({
      sourceAddr: from.slice(1), destinationAddr: '1069000',
      shortMessage: ascii ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf16le').swap16(), dataCoding: ascii ? 0 : 8,
    });
    assert.equal(ack.status, 0);
    await waitFor(`push of "${text}" from ${from}`, async () => (pushes.some((p) => p.Phone === from && p.ReplyContent === text) ? true : undefined));
  }

  async function blacklist(): Promise<{ Phones: string[]; OptedOut: Array<{ Phone: string; OptedOutAt: number }> }> {
    return server.cli('blacklist', 'list', '--account', String(creds.AccountId));
  }

  /** Pulled like any reply: the account's inbound messages. */
  async function pulled(from: string): Promise<string[]> {
    const listed = await server.cli('inbound', 'list', '--account', String(creds.AccountId), '--limit', '1000');
    return listed.Messages.filter((m: { Phone: string }) => m.Phone === from).map((m: { Content: string }) => m.Content).reverse();
  }

  const submittedTo = (p: string, text: string) => waitFor(`submit to ${p}`, async () => (sim.submitted.some((s) => s.destinationAddr === p.slice(1) && s.shortMessage.toString('latin1') === text) ? true : undefined));

  const target = (p: string, text: string) => ({ Phone: p, TemplateParams: [text] });
  const dialects: Record<string, Dialect> = {
    ucloud: async (phones, text) => {
      const tasks = [{ TemplateId: templateId, SigContent: 'USMS', Target: phones.map((p) => target(p, text)) }];
      const res = await ucloudPostForm(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from(JSON.stringify(tasks)).toString('base64') });
      assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
      const refused = res.body.FailContent.flatMap((g: any) => g.Target.map((t: any) => ({ Phone: t.Phone, Reason: t.FailureDetails })));
      return { accepted: res.body.SuccessCount, refused };
    },
    uspeedo: async (phones, text) => {
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: templateId, SenderId: 'USMS', Target: phones.map((p) => target(p, text)) }],
      });
      assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
      const refused = res.body.FailContent.flatMap((g: any) => g.Target.map((t: any) => ({ Phone: t.Phone, Reason: t.FailureDetails })));
      return { accepted: res.body.SuccessCount, refused };
    },
    'REST v1': async (phones, text) => {
      const res = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
        TaskContent: [{ TemplateId: templateId, SenderId: 'USMS', Target: phones.map((p) => target(p, text)) }],
      });
      assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
      const refused: Refusal[] = res.body.FailedTargetPhones.map((f: any) => ({ Phone: f.Phone, Reason: f.FailureReason }));
      return { accepted: phones.length - refused.length, refused };
    },
  };
  // Each dialect meets another spelling of the keywords: upper case, lower case, full width with punctuation.
  const spelling: Record<string, { stop: string; start: string }> = {
    ucloud: { stop: 'STOP', start: '订阅' },
    uspeedo: { stop: 'stop', start: 'start' },
    'REST v1': { stop: 'ＳＴＯＰ！', start: 'START' },
  };

  for (const [name, send] of Object.entries(dialects)) {
    test(`${name}: a STOP reply refuses later sends to that phone (the rest of the batch goes), a START reply allows them again`, { timeout: 90_000 }, async () => {
      const { stop, start } = spelling[name]!;
      const [quitter, other] = [phone(), phone()];
      const before = Date.now();
      await reply(quitter, stop);
      const listed = await blacklist();
      assert.ok(listed.Phones.includes(quitter));
      const entry = listed.OptedOut.find((o) => o.Phone === quitter);
      assert.ok(entry && entry.OptedOutAt >= Math.floor(before / 1000) - 1 && entry.OptedOutAt <= Date.now() / 1000 + 1, JSON.stringify(listed));
      assert.deepEqual(await pulled(quitter), [stop], 'the STOP reaches the customer like any reply');

      await pastBlacklistCache();
      const refusedSend = await send([quitter, other], `after ${name} stop`);
      assert.equal(refusedSend.accepted, 1);
      assert.equal(refusedSend.refused.length, 1, JSON.stringify(refusedSend));
      assert.equal(refusedSend.refused[0]!.Phone, quitter);
      assert.match(refusedSend.refused[0]!.Reason, OPTED_OUT);
      await submittedTo(other, `after ${name} stop`);
      assert.ok(!sim.submitted.some((s) => s.destinationAddr === quitter.slice(1)), 'nothing reached the phone that opted out');

      await reply(quitter, start);
      assert.ok(!(await blacklist()).Phones.includes(quitter));
      assert.deepEqual(await pulled(quitter), [stop, start]);
      await pastBlacklistCache();
      const again = await send([quitter], `after ${name} start`);
      assert.deepEqual(again, { accepted: 1, refused: [] });
      await submittedTo(quitter, `after ${name} start`);
    });
  }

  test('a reply that only contains the word is a plain reply: nothing is blocked', { timeout: 60_000 }, async () => {
    const p = phone();
    await reply(p, 'please stop calling');
    assert.ok(!(await blacklist()).Phones.includes(p));
    await pastBlacklistCache();
    assert.deepEqual(await dialects.uspeedo!([p], 'still welcome'), { accepted: 1, refused: [] });
  });

  test("START does not lift the operator's block; STOP does not turn it into an opt-out (SendUSMSMessage: 18014)", { timeout: 60_000 }, async () => {
    const blocked = phone();
    await server.cli('blacklist', 'add', '--account', String(creds.AccountId), '--phone', blocked);
    await reply(blocked, 'STOP');
    await reply(blocked, 'START');
    const listed = await blacklist();
    assert.ok(listed.Phones.includes(blocked));
    assert.ok(!listed.OptedOut.some((o) => o.Phone === blocked), 'still the operator block');
    await pastBlacklistCache();
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: templateId, TemplateParams: ['x'], SenderId: 'USMS', PhoneNumbers: [blocked],
    });
    assert.equal(res.body.RetCode, 18014);
    assert.equal(res.body.Message, `${blocked}: phone in the black list`);

    // And an opted-out phone in an all-or-nothing send refuses it with 18014 and the opt-out reason.
    const quitter = phone();
    await reply(quitter, 'Unsubscribe.');
    await pastBlacklistCache();
    const optedOut = await uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: templateId, TemplateParams: ['x'], SenderId: 'USMS', PhoneNumbers: [phone(), quitter],
    });
    assert.equal(optedOut.body.RetCode, 18014);
    assert.equal(optedOut.body.SessionNo, undefined);
    assert.match(optedOut.body.Message, new RegExp(`^\\${quitter}: phone opted out by replying STOP`));
  });
});
