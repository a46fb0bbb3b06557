import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildParts, planMessage } from '../src/carriers/smpp-message.ts';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { decodeShortMessage } from '../src/smpp/short-message-text.ts';
import { ServerProcess, uspeedoPost, waitFor, type Credentials } from './harness.ts';
import { Kannel, kannelSkip } from './kannel.ts';

/*
 * The SMPP server for customers with Debian's Kannel as the customer: bearerbox binds to usms as a
 * transceiver, messages go in through smsbox's sendsms HTTP interface, usms sends them on through a real
 * SMPP carrier (our SMSC simulator), and the simulator's receipts travel back simulator -> usms -> Kannel,
 * which reports them to the dlr-url. A handset's reply travels the same way to smsbox's sms-service.
 */

interface Hit {
  path: string;
  query: URLSearchParams;
}

const FROM = 'USMS';
const SHORT_TO = '+14155550101';
const LONG_TO = '+14155550102';
const SHORT_TEXT = 'Your table for two is booked for 8pm tonight.';
// 250 GSM characters: two parts with a UDH (153 + 97), and two again when usms sends it to the carrier.
const LONG_TEXT = 'Dear customer, your order 4711 has shipped and will arrive on Friday between 9 and 12. '.repeat(3).slice(0, 250);

describe('SMPP server for customers, with Kannel as the ESME', { skip: kannelSkip, timeout: 300_000 }, () => {
  let server: ServerProcess | undefined;
  let sim: Simulator | undefined;
  let kannel: Kannel | undefined;
  let receiver: Server | undefined;
  let receiverUrl: string;
  let creds: Credentials;
  const hits: Hit[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      hits.push({ path: url.pathname, query: url.searchParams });
      res.end('');
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1', receiptDelayMs: 20 });
    server = await ServerProcess.start({ USMS_SMPP_PORT: '0', USMS_CARRIER_POLL_MS: '200' });
    const smppPort = JSON.parse(server.output.find((l) => l.startsWith('{"url"'))!).smppPort as number;
    assert.ok(smppPort > 0, 'the SMPP port is in the first line');
    // A US account: no 【signature】 needed; free text, so Kannel's text needs no template.
    ({ creds } = await server.setupAccount({ region: 'US', sender: FROM, templates: [] }));
    const account = String(creds.AccountId);
    await server.cli('account', 'set', '--account', account, '--smpp-content', 'free');
    await server.cli('carrier', 'add', '--name', 'sim', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms',
      '--password', 'secret1', '--prefix', '1415555');
    await waitFor('the carrier bound to the simulator', async () => (sim!.stats.activeBinds > 0 ? true : undefined), 30_000);
    const user = await server.cli<{ SystemId: string; Password: string }>('smpp-user', 'create', '--account', account, '--system-id', 'kannel', '--max-binds', '2');
    assert.equal(user.SystemId, 'kannel');

    kannel = await Kannel.start({
      smsc: { host: '127.0.0.1', port: smppPort, systemId: user.SystemId, password: user.Password, maxPendingSubmits: 10 },
      sendsmsUser: { username: 'tester', password: 'tester-pw', maxMessages: 10 },
      // %p the handset, %P the number it wrote to, %b the text as received.
      moGetUrl: `${receiverUrl}/mo?from=%p&to=%P&text=%b`,
    });
  });

  after(async () => {
    // Each step runs even when an earlier one fails: no process, port or temp dir outlives the test.
    const steps: Array<() => Promise<unknown> | undefined> = [
      () => kannel?.stop(),
      () => server?.stop(),
      () => sim?.close(),
      () => receiver && new Promise((r) => receiver!.close(r)),
    ];
    const errors: unknown[] = [];
    for (const step of steps) await Promise.resolve().then(step).catch((err) => errors.push(err));
    if (errors.length) throw errors[0];
  });

  /** waitFor, with Kannel's logs in the message when it times out. */
  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    try {
      return await waitFor(what, fn, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${kannel?.logs() ?? ''}`);
    }
  }

  const dlrs = (tag?: string) => hits.filter((h) => h.path === '/dlr' && (tag === undefined || h.query.get('tag') === tag));
  /** Kannel's report of the message sent with `tag` as delivered (type 1). */
  const delivered = (tag: string) => until(`the ${tag} message's receipt at the dlr-url`, async () => dlrs(tag).find((h) => h.query.get('type') === '1'));

  async function sendsms(tag: string, to: string, text: string): Promise<void> {
    const res = await kannel!.sendsms({
      from: FROM, to, text,
      // 1 delivered + 2 failed; %d the type, %F the SMSC's message id (usms's SessionNo), %A the receipt's text.
      'dlr-mask': '3',
      'dlr-url': `${receiverUrl}/dlr?tag=${tag}&type=%d&id=%F&receipt=%A`,
    });
    assert.equal(res.status, 202, `sendsms: ${res.status} ${res.text}`);
  }

  /** The submit_sm usms sent the carrier for `to`, as texts in part order. */
  function carrierParts(to: string): string[] {
    const parts = sim!.submitted.filter((p) => p.destinationAddr === to.slice(1)).map((p) => decodeShortMessage(p, false));
    return parts.sort((a, b) => (a.concat?.seq ?? 0) - (b.concat?.seq ?? 0)).map((d) => d.text);
  }

  async function receiptSet(sessionNo: string): Promise<any[]> {
    const r = await uspeedoPost(server!.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessionNo] });
    assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
    return r.body.Data[0].ReceiptSet;
  }

  /** The account's totals (GetUSMSSendStatistics) from yesterday to tomorrow (UTC). */
  async function totals(): Promise<{ messages: number; segments: number; delivered: number }> {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const r = await uspeedoPost(server!.url, creds, { Action: 'GetUSMSSendStatistics', AccountId: creds.AccountId, StartDate: day(-1), EndDate: day(1) });
    assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
    const t = r.body.StatisticsData;
    return { messages: t.SendCount, segments: t.SendCostCount, delivered: t.SuccessCount };
  }

  test('a short message through sendsms: stored, sent on by the carrier, its receipt back at the dlr-url with usms\'s id', async () => {
    await sendsms('short', SHORT_TO, SHORT_TEXT);
    const dlr = await delivered('short');
    const id = dlr.query.get('id')!;
    assert.match(id, /^[0-9a-f-]{36}$/, 'the id usms answered the submit with');
    assert.match(dlr.query.get('receipt')!, new RegExp(`^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Your table for two i$`));
    assert.deepEqual(carrierParts(SHORT_TO), [SHORT_TEXT]);
    const set = await receiptSet(id);
    assert.equal(set.length, 1, JSON.stringify(set));
    assert.deepEqual({ phone: set[0].Phone, segments: set[0].CostCount, code: set[0].ReceiptCode }, { phone: SHORT_TO, segments: 1, code: 'DELIVRD' });
  });

  test('a long message Kannel sends in two UDH parts is stored as one message and sent on whole, in two parts', async () => {
    await sendsms('long', LONG_TO, LONG_TEXT);
    const parts = await until('the long message at the carrier', async () => {
      const got = carrierParts(LONG_TO);
      return got.length >= 2 ? got : undefined;
    });
    assert.equal(parts.length, 2, JSON.stringify(parts));
    assert.equal(parts.join(''), LONG_TEXT);
    // Both messages delivered at the carrier; the long one is one message of two segments.
    const t = await until('both messages final in usms', async () => {
      const now = await totals();
      return now.delivered >= 2 ? now : undefined;
    });
    assert.deepEqual(t, { messages: 2, segments: 3, delivered: 2 });
  });

  test('the long message\'s receipt reaches Kannel (which asks for it on the first part only)', async () => {
    const dlr = await delivered('long');
    const id = dlr.query.get('id')!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(dlr.query.get('receipt')!, new RegExp(`^id:${id} sub:002 dlvrd:002 .* stat:DELIVRD err:000 text:Dear customer, your $`));
    const set = await receiptSet(id);
    assert.deepEqual({ phone: set[0].Phone, segments: set[0].CostCount, code: set[0].ReceiptCode }, { phone: LONG_TO, segments: 2, code: 'DELIVRD' });
    // One report per message, none of them a failure.
    assert.deepEqual(dlrs().map((h) => `${h.query.get('tag')}:${h.query.get('type')}`).sort(), ['long:1', 'short:1']);
  });

  test('a reply from the handset reaches smsbox\'s sms-service: simulator -> usms -> Kannel', async () => {
    // The handset answers the number the short message came from; usms gives the reply to the SMPP user that sent to it last.
    const ack = await sim!.sendMo({ sourceAddr: SHORT_TO.slice(1), destinationAddr: FROM, shortMessage: Buffer.from('Thanks, see you there', 'latin1') });
    assert.equal(ack.status, 0);
    const mo = await until('the reply at the sms-service get-url', async () => hits.find((h) => h.path === '/mo'));
    assert.deepEqual(Object.fromEntries(mo.query), { from: SHORT_TO, to: FROM, text: 'Thanks, see you there' });
  });

  test('a long reply in three UDH parts reaches smsbox whole (usms joins it and sends it in message_payload)', async () => {
    const long = 'Yes, I will be there at eight. Please keep a table for four near the window, thanks. '.repeat(4).trim();
    const opts = { gsmPacking: false, latin1: false, split: 'udh8' as const };
    const parts = buildParts(planMessage(long, opts), 9, opts);
    assert.ok(parts.length >= 3);
    for (const p of parts) {
      const ack = await sim!.sendMo({ sourceAddr: SHORT_TO.slice(1), destinationAddr: FROM, shortMessage: p.shortMessage, esmClass: p.esmClass, tlvs: p.tlvs });
      assert.equal(ack.status, 0);
    }
    const mo = await until('the long reply at the sms-service get-url', async () => hits.find((h) => h.path === '/mo' && (h.query.get('text') ?? '').length > 100));
    assert.equal(mo.query.get('text'), long);
  });
});
