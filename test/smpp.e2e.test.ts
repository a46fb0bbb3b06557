// USMS API -> our SMPP connector -> an SMSC: our simulator, and the npm `smpp` package's server mode
// as an independent SMSC. Every server, simulator and port is opened and closed here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import smpp, { type NpmPdu, type NpmServer, type NpmSession } from 'smpp';
import { decodeGsm7 } from '../src/sms/gsm7.ts';
import type { PduOf } from '../src/smpp/pdu.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/smpp/simulator.ts';
import { ServerProcess, uspeedoPost, waitFor, type Credentials } from './harness.ts';

type SubmitSm = PduOf<'submit_sm'>;
const TLS_FIXTURES = join(import.meta.dirname, 'fixtures', 'tls');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ucs2 = (b: Buffer) => Buffer.from(b).swap16().toString('utf16le');
/** The text of a submit_sm whatever the split: UDH stripped, GSM-7 (unpacked) or UCS-2 decoded. */
const textOf = (p: SubmitSm) => {
  const body = p.esmClass & 0x40 ? p.shortMessage.subarray(p.shortMessage[0]! + 1) : p.shortMessage.length ? p.shortMessage : p.tlvs.messagePayload!;
  return p.dataCoding === 8 ? ucs2(body) : decodeGsm7(body);
};

describe('SMPP connector end to end', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let templateId: string;
  const cleanups: Array<() => Promise<unknown>> = [];
  const sims: Simulator[] = [];
  let carrierSeq = 0;

  before(async () => {
    server = await ServerProcess.start({
      USMS_CARRIER_POLL_MS: '200', USMS_CALLBACK_POLL_MS: '100', USMS_CALLBACK_RETRY_BASE_MS: '100',
      // The TLS test's SMSC certificate (self-signed, test-only) is trusted the way an operator would trust a
      // carrier's private CA.
      NODE_EXTRA_CA_CERTS: join(TLS_FIXTURES, 'smsc-cert.pem'),
    });
    // One account for every test: each carrier gets its own number range (+1 415 555 NN..) as its route.
    const a = await server.setupAccount({ region: 'US', sender: 'USMS', templates: ['{1}'] });
    creds = a.creds;
    templateId = a.templateIds[0]!;
    await cli('sender', 'create', '--account', String(creds.AccountId), '--name', 'VeryLongSender', '--approve');
  });
  after(async () => {
    const bound = sims.filter((x) => x.stats.activeBinds > 0);
    const code = await server.stop();
    // SIGTERM: every carrier still configured unbinds before the process exits.
    const unbound = bound.filter((x) => x.stats.unbinds >= 1 && x.stats.activeBinds === 0).length;
    for (const c of cleanups.reverse()) await c();
    assert.equal(code, 0, 'clean exit on SIGTERM');
    assert.ok(bound.length >= 8, `${bound.length} simulators bound at the end`);
    assert.equal(unbound, bound.length, 'each bound carrier unbound cleanly on SIGTERM');
  });

  /** `usms ... --json`, with the command's own error text when it fails. */
  async function cli(...args: string[]): Promise<any> {
    try {
      return await server.cli(...args);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`usms ${args.join(' ')} failed: ${e.stdout ?? ''} ${e.stderr ?? ''} ${e.message}`);
    }
  }

  interface Route {
    carrier: string;
    /** A fresh number in this carrier's range. */
    phone(): string;
  }

  /**
   * A new carrier at `port` that takes the number range +1415555NN (and `extraPrefixes`); resolves
   * once `bound()` says the SMSC saw the bind.
   */
  async function route(port: number, bound: (carrier: string) => boolean | Promise<boolean>, flags: string[] = [], extraPrefixes: string[] = []): Promise<Route> {
    const n = ++carrierSeq;
    const carrier = `smsc${n}`;
    const range = `1415555${String(10 + n).padStart(2, '0')}`;
    const added = await cli('carrier', 'add', '--name', carrier, '--host', '127.0.0.1', '--port', String(port), '--system-id', 'usms', '--password', 'secret1', '--prefix', [range, ...extraPrefixes].join(','), ...flags);
    assert.equal(added.Added, carrier, JSON.stringify(added));
    await waitFor(`${carrier} bound`, async () => ((await bound(carrier)) ? true : undefined));
    let next = 0;
    return { carrier, phone: () => `+${range}${String(next++).padStart(2, '0')}` };
  }

  async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
    const s = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1', ...options });
    sims.push(s);
    cleanups.push(() => s.close());
    return s;
  }

  /** A simulator and a carrier routed to it. */
  async function simRoute(options: SimulatorOptions = {}, flags: string[] = [], extraPrefixes: string[] = []) {
    const s = await sim(options);
    const r = await route(s.port, () => s.stats.activeBinds > 0, flags, extraPrefixes);
    return { s, r };
  }

  async function send(targets: Array<{ phone: string; text: string; ExtendCode?: string; UserId?: string }>, sender = 'USMS'): Promise<string> {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
      TaskContent: [{ TemplateId: templateId, SenderId: sender, Target: targets.map(({ phone, text, ...rest }) => ({ Phone: phone, TemplateParams: [text], ...rest })) }],
    });
    assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
    assert.equal(res.body.SuccessCount, targets.length);
    return res.body.SessionNo;
  }

  async function receipts(sessionNo: string): Promise<any[]> {
    const res = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessionNo] });
    assert.equal(res.body.RetCode, 0);
    return res.body.Data[0].ReceiptSet;
  }

  /** Waits until no message of the session is queued, sending or sent (waiting for its receipt). */
  async function settled(sessionNo: string, timeoutMs = 20_000): Promise<any[]> {
    return waitFor(`session ${sessionNo} settled`, async () => {
      const set = await receipts(sessionNo);
      return set.every((i) => i.ReceiptCode !== '') ? set : undefined;
    }, timeoutMs);
  }

  const byPhone = (set: any[]) => new Map<string, any>(set.map((i) => [i.Phone, i]));

  test('simulator: GSM in 2 UDH parts, Chinese in 2 UCS-2 parts, an emoji not split; addresses; receipts roll up', async () => {
    // Part 2 of the message to ...99 is undeliverable: the message must come out undelivered.
    const { s, r } = await simRoute({ receiptDelayMs: 50, outcome: (p) => (p.destinationAddr.endsWith('99') && p.shortMessage[5] === 2 ? 'UNDELIV' : 'DELIVRD') }, [], ['8613800138']);
    const gsm = 'Your parcel is on its way. Track it at https://example.com/t/ABCDEF (ref #42) - reply STOP to opt out. '.repeat(2).slice(0, 200);
    const chinese = '您的验证码是一二三四五六，十分钟内有效，请勿告诉他人。'.repeat(4).slice(0, 94); // + 【USMS】 = 100 characters
    const emoji = '中'.repeat(66) + '😀' + '文'.repeat(10);
    const [pGsm, pZh, pEmoji] = [r.phone(), '+8613800138000', r.phone()];
    const pFail = r.phone().replace(/\d\d$/, '99');
    const sessionNo = await send([{ phone: pGsm, text: gsm }, { phone: pZh, text: chinese }, { phone: pEmoji, text: emoji }, { phone: pFail, text: gsm }]);
    const set = byPhone(await settled(sessionNo));

    const to = (phone: string) => s.submitted.filter((p) => p.destinationAddr === phone.slice(1));
    const g = to(pGsm);
    assert.equal(g.length, 2);
    for (const [i, p] of g.entries()) {
      assert.equal(p.dataCoding, 0, 'GSM as data_coding 0, not 1');
      assert.equal(p.esmClass & 0x40, 0x40);
      assert.deepEqual([...p.shortMessage.subarray(0, 3)], [0x05, 0x00, 0x03]);
      assert.deepEqual([p.shortMessage[4], p.shortMessage[5]], [2, i + 1]);
      assert.equal(p.shortMessage[3], g[0]!.shortMessage[3], 'one reference for both parts');
      assert.deepEqual([p.sourceAddrTon, p.sourceAddrNpi, p.sourceAddr], [5, 0, 'USMS']);
      assert.deepEqual([p.destAddrTon, p.destAddrNpi], [1, 1]);
      assert.equal(p.registeredDelivery & 1, 1);
    }
    assert.equal(g.map(textOf).join(''), gsm);

    const zh = to(pZh);
    assert.equal(zh.length, 2);
    assert.ok(zh.every((p) => p.dataCoding === 8));
    assert.deepEqual(zh.map((p) => (p.shortMessage.length - 6) / 2), [67, 33]);
    assert.equal(zh.map(textOf).join(''), `【USMS】${chinese}`);

    const e = to(pEmoji);
    assert.equal(e.length, 2);
    assert.equal(textOf(e[0]!), '中'.repeat(66), 'the emoji does not straddle the boundary');
    assert.equal(textOf(e[1]!).codePointAt(0), 0x1f600);

    for (const phone of [pGsm, pZh, pEmoji]) {
      const item = set.get(phone);
      assert.equal(item.ReceiptCode, 'DELIVRD', phone);
      assert.equal(item.ReceiptResult, 'Success');
      assert.equal(item.CostCount, 2);
    }
    const failed = set.get(pFail);
    assert.equal(failed.ReceiptResult, 'Fail');
    assert.equal(failed.ReceiptCode, 'UNDELIV');
    assert.match(failed.ReceiptDesc, /^part 2\/2: /);
  });

  test('carrier ids answered in hex, receipt text in decimal: matched after normalisation; SAR split', async () => {
    const { s, r } = await simRoute({ idFormat: 'hex' }, ['--id-format', 'hex,decimal', '--split', 'sar']);
    const text = 'SAR split '.repeat(20);
    const phone = r.phone();
    const set = await settled(await send([{ phone, text }]));
    assert.equal(set[0].ReceiptCode, 'DELIVRD');
    const parts = s.submitted.filter((p) => p.destinationAddr === phone.slice(1));
    assert.deepEqual(parts.map((p) => [p.esmClass, p.tlvs.sarTotalSegments, p.tlvs.sarSegmentSeqnum]), [[0, 2, 1], [0, 2, 2]]);
    assert.equal(parts[0]!.tlvs.sarMsgRefNum, parts[1]!.tlvs.sarMsgRefNum);
    assert.equal(parts.map(textOf).join(''), text);
  });

  test('faults: a dropped connection makes the written submits unknown and sends nothing twice (at-most-once)', async () => {
    const { s, r } = await simRoute({ responseDelayMs: 400 }, ['--window', '5']);
    const targets = Array.from({ length: 12 }, (_, i) => ({ phone: r.phone(), text: `drop test ${i}` }));
    const sessionNo = await send(targets);
    await waitFor('window full', async () => (s.stats.submits >= 5 ? true : undefined));
    await sleep(50);
    const written = new Set(s.submitted.map(textOf));
    assert.equal(written.size, 5, 'the window holds five');
    s.dropConnections();
    const set = byPhone(await settled(sessionNo));
    for (const t of targets) {
      const item = set.get(t.phone);
      if (written.has(t.text)) {
        assert.equal(item.ReceiptResult, 'UNKNOWN', t.text);
        assert.equal(item.ReceiptCode, 'UNKNOWN');
        assert.match(item.ReceiptDesc, /may or may not/);
      } else {
        assert.equal(item.ReceiptCode, 'DELIVRD', t.text);
      }
    }
    const sent = s.submitted.map(textOf);
    assert.equal(sent.length, 12, 'every message reached the SMSC exactly once');
    assert.equal(new Set(sent).size, 12);
  });

  test('faults: ESME_RTHROTTLED is temporary: requeued, the bind slows down, all delivered once', async () => {
    const { s, r } = await simRoute({ throttleEvery: 3 });
    const targets = Array.from({ length: 9 }, (_, i) => ({ phone: r.phone(), text: `throttle ${i}` }));
    const set = await settled(await send(targets), 40_000);
    assert.ok(set.every((i) => i.ReceiptCode === 'DELIVRD'), JSON.stringify(set));
    assert.ok(s.stats.throttled >= 3);
    assert.equal(s.stats.accepted, 9, 'accepted once each');
    const status = (await cli('carrier', 'status', '--name', r.carrier)).Carriers[0];
    assert.ok(status.Throttled >= 3, JSON.stringify(status));
  });

  test('a sender SMPP cannot carry (alphanumeric over 11 characters) fails at once, nothing is sent', async () => {
    // An SMSC's own refusal (command_status ESME_RINVDSTADR) is covered with the npm SMSC below.
    const { s, r } = await simRoute();
    const set = await settled(await send([{ phone: r.phone(), text: 'hi' }], 'VeryLongSender'));
    assert.equal(set[0].ReceiptResult, 'SubmitFail');
    assert.equal(set[0].ReceiptCode, 'ESME_RINVSRCADR');
    assert.equal(s.stats.submits, 0);
  });

  test('faults: no response -> timeout -> unknown, not resent under at-most-once', async () => {
    const { s, r } = await simRoute({ responseDelayMs: (p) => (textOf(p) === 'silence' ? 60_000 : 0) }, ['--response-timeout-ms', '800']);
    const set = await settled(await send([{ phone: r.phone(), text: 'silence' }, { phone: r.phone(), text: 'answered' }]));
    const silent = set.find((i) => i.ReceiptCode !== 'DELIVRD');
    assert.equal(silent.ReceiptResult, 'UNKNOWN');
    assert.match(silent.ReceiptDesc, /no response to submit_sm within 800 ms/);
    assert.equal(set.filter((i) => i.ReceiptCode === 'DELIVRD').length, 1);
    await sleep(1_000);
    assert.equal(s.submitted.filter((p) => textOf(p) === 'silence').length, 1, 'never submitted again');
  });

  test('faults: under at-least-once a timed-out message is submitted again', async () => {
    let first = true;
    const { s, r } = await simRoute({ responseDelayMs: () => (first ? ((first = false), 60_000) : 0) }, ['--response-timeout-ms', '500', '--policy', 'at-least-once']);
    const set = await settled(await send([{ phone: r.phone(), text: 'again' }]));
    assert.equal(set[0].ReceiptCode, 'DELIVRD');
    assert.equal(s.submitted.filter((p) => textOf(p) === 'again').length, 2);
  });

  test('receipts that arrive before their submit_sm_resp are matched when the response lands', async () => {
    const { s, r } = await simRoute({ receiptFirst: true, receiptDelayMs: 300 });
    const targets = Array.from({ length: 5 }, (_, i) => ({ phone: r.phone(), text: `early ${i} `.repeat(i === 0 ? 25 : 1) }));
    const set = await settled(await send(targets));
    assert.ok(set.every((i) => i.ReceiptCode === 'DELIVRD' && i.ReceiptResult === 'Success'), JSON.stringify(set));
    assert.equal(s.stats.receiptsSent, 6, 'one receipt per part');
  });

  test('inbound (MO): stored for the account that sent to the number with that ExtendCode, and pushed', async () => {
    const pushes: any[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        pushes.push(JSON.parse(body));
        res.setHeader('content-type', 'application/json');
        res.end('{"code":0,"message":"ok"}');
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    cleanups.push(() => new Promise((resolve) => hook.close(resolve)));
    const { s, r } = await simRoute({}, ['--source-addr', '1069000']);
    await cli('account', 'set', '--account', String(creds.AccountId), '--callback-url', `http://127.0.0.1:${(hook.address() as AddressInfo).port}/usms`);
    const phone = r.phone();
    await settled(await send([{ phone, text: 'Reply YES', ExtendCode: '77', UserId: 'order-9' }]));
    const submit = s.submitted.find((p) => p.destinationAddr === phone.slice(1))!;
    assert.deepEqual([submit.sourceAddrTon, submit.sourceAddrNpi, submit.sourceAddr], [1, 1, '106900077'], 'service number + ExtendCode');
    const ack = await s.sendMo({ sourceAddr: phone.slice(1), destinationAddr: '106900077', shortMessage: Buffer.from('YES 你好', 'utf16le').swap16(), dataCoding: 8 });
    assert.equal(ack.status, 0);
    const reply = await waitFor('MO push', async () => pushes.find((p) => p.MsgType === 0));
    assert.deepEqual(reply.Data, [{ ExtendCode: '77', UserId: 'order-9', Phone: phone, ReplyContent: 'YES 你好', ReplyTime: reply.Data[0].ReplyTime }]);
    const listed = await cli('inbound', 'list', '--account', String(creds.AccountId));
    assert.equal(listed.Messages[0].Content, 'YES 你好');
    assert.equal(listed.Messages[0].Phone, phone);
  });

  test('carrier list hides the password; status shows the bind; remove unbinds and the range goes back to the sandbox', async () => {
    const { s, r } = await simRoute();
    const list = await cli('carrier', 'list');
    assert.ok(!JSON.stringify(list).includes('secret1'), 'no password in the listing');
    const mine = list.Carriers.find((c: any) => c.Name === r.carrier);
    assert.deepEqual([mine.Window, mine.Prefetch, mine.Split, mine.Policy, mine.BindType], [50, 50, 'udh8', 'at-most-once', 'transceiver'], 'window 50 by default, prefetch the window');
    const status = await waitFor('status row', async () => {
      const row = (await cli('carrier', 'status', '--name', r.carrier)).Carriers[0];
      return row.State === 'bound' ? row : undefined;
    });
    assert.equal(status.WindowSize, 50);
    assert.deepEqual(status.Binds, [{ mode: 'transceiver', state: 'bound' }]);
    await cli('carrier', 'remove', '--name', r.carrier);
    await waitFor('unbind', async () => (s.stats.unbinds >= 1 ? true : undefined));
    const set = await settled(await send([{ phone: r.phone(), text: 'after removal' }]));
    assert.equal(set[0].ReceiptCode, 'DELIVRD');
    assert.equal(s.stats.submits, 0, 'the sandbox took it');
  });

  test('usms smsc-sim runs standalone, prints its port as JSON, and carries traffic (GSM packing on)', async () => {
    const entry = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', entry, 'smsc-sim', '--port', '0', '--system-id', 'usms', '--password', 'secret1', '--receipt-delay-ms', '20', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { port } = JSON.parse(line.toString().trim());
    assert.ok(port > 0);
    // The simulator runs in another process: its bind shows in our status table.
    const r = await route(port, async (carrier) => (await cli('carrier', 'status', '--name', carrier)).Carriers[0]?.State === 'bound', ['--gsm-packing']);
    const set = await settled(await send([{ phone: r.phone(), text: 'packed hello' }]));
    assert.equal(set[0].ReceiptCode, 'DELIVRD');
  });

  describe('npm smpp as an independent SMSC', () => {
    let peer: NpmServer;
    let port = 0;
    const submits: NpmPdu[] = [];
    const sessions: NpmSession[] = [];
    let nextId = 0x5a00;
    /** Receipt form per destination: 'text' | 'tlv'. The text 'refused' is refused. */
    const receiptForm = new Map<string, 'text' | 'tlv'>();

    /** One SMSC session: binds, answers submits (or refuses the text 'refused'), sends a receipt 30 ms later. */
    function serve(session: NpmSession): void {
      sessions.push(session);
      session.on('error', () => undefined);
      session.on('bind_transceiver', (pdu: NpmPdu) => session.send(pdu.response({ system_id: 'NPMSMSC' })));
      session.on('enquire_link', (pdu: NpmPdu) => session.send(pdu.response()));
      session.on('unbind', (pdu: NpmPdu) => {
        session.send(pdu.response());
        session.close();
      });
      session.on('submit_sm', (pdu: NpmPdu) => {
        submits.push(pdu);
        if (pdu.short_message.message === 'refused') {
          session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
          return;
        }
        const id = (nextId++).toString(16).toUpperCase();
        session.send(pdu.response({ message_id: id }));
        const form = receiptForm.get(pdu.destination_addr) ?? 'text';
        setTimeout(() => {
          if (form === 'text') {
            session.deliver_sm({ esm_class: 4, source_addr: pdu.destination_addr, short_message: `id:${id} sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:x` });
          } else {
            session.deliver_sm({ esm_class: 4, source_addr: pdu.destination_addr, short_message: '', receipted_message_id: id, message_state: 2 });
          }
        }, 30);
      });
    }

    /** An npm-smpp SMSC listening on a free port (over TLS with `tls`), closed with the suite. */
    async function listen(tls?: { key: Buffer; cert: Buffer }): Promise<NpmServer> {
      const smsc = smpp.createServer(tls ?? {}, serve);
      smsc.listen(0, '127.0.0.1');
      await once(smsc, 'listening');
      cleanups.push(async () => {
        for (const s of sessions) s.destroy();
        await new Promise((r) => smsc.close(r));
      });
      return smsc;
    }

    before(async () => {
      peer = await listen();
      port = (peer.address() as AddressInfo).port;
    });

    test('over TLS (carrier --tls): the bind, the submit and its receipt cross an encrypted connection', async () => {
      const tlsPeer = await listen({ key: readFileSync(join(TLS_FIXTURES, 'smsc-key.pem')), cert: readFileSync(join(TLS_FIXTURES, 'smsc-cert.pem')) });
      const binds = sessions.length;
      const r = await route((tlsPeer.address() as AddressInfo).port, () => sessions.length > binds, ['--tls', '--id-format', 'hex']);
      const smscSide = sessions.at(-1)!.socket;
      assert.ok(smscSide instanceof TLSSocket && smscSide.encrypted, 'the SMSC accepted a TLS connection');
      const phone = r.phone();
      const set = await settled(await send([{ phone, text: 'sent over TLS' }]));
      assert.equal(set[0].ReceiptCode, 'DELIVRD');
      assert.equal(submits.filter((p) => p.destination_addr === phone.slice(1)).map((p) => p.short_message.message).join(''), 'sent over TLS');
      assert.equal((await cli('carrier', 'list')).Carriers.find((c: { Name: string }) => c.Name === r.carrier).Tls, true);
    });

    test('receives the right text, data_coding, TON/NPI and parts; receipts in text and TLV form reach GetUSMSSendReceipt', async () => {
      const binds = sessions.length;
      const r = await route(port, () => sessions.length > binds, ['--id-format', 'hex']);
      const [pText, pTlv, pZh, pBad] = [r.phone(), r.phone(), r.phone(), r.phone()];
      receiptForm.set(pTlv.slice(1), 'tlv');
      const long = 'The npm smpp SMSC decodes this one. '.repeat(6).slice(0, 200);
      const zh = '独立的短信中心也能正确解码这条消息。'.repeat(6).slice(0, 100);
      const sessionNo = await send([{ phone: pText, text: long }, { phone: pTlv, text: 'TLV receipt please' }, { phone: pZh, text: zh }, { phone: pBad, text: 'refused' }]);
      const set = byPhone(await settled(sessionNo));
      assert.equal(set.get(pText).ReceiptCode, 'DELIVRD');
      assert.equal(set.get(pTlv).ReceiptCode, 'DELIVRD', 'TLV receipt (receipted_message_id + message_state)');
      assert.equal(set.get(pZh).ReceiptCode, 'DELIVRD');
      assert.equal(set.get(pBad).ReceiptResult, 'SubmitFail');
      assert.equal(set.get(pBad).ReceiptCode, 'ESME_RINVDSTADR');

      const to = (phone: string) => submits.filter((p) => p.destination_addr === phone.slice(1));
      const g = to(pText);
      assert.equal(g.length, 2);
      for (const [i, p] of g.entries()) {
        assert.equal(p.data_coding, 0);
        assert.deepEqual([p.source_addr_ton, p.source_addr_npi, p.source_addr, p.dest_addr_ton, p.dest_addr_npi], [5, 0, 'USMS', 1, 1]);
        const udh = p.short_message.udh[0] as Buffer;
        assert.deepEqual([udh[0], udh[1], udh[3], udh[4]], [0x00, 0x03, 2, i + 1]);
      }
      assert.equal(g.map((p) => p.short_message.message).join(''), long);
      const z = to(pZh);
      assert.equal(z.length, 2);
      assert.ok(z.every((p) => p.data_coding === 8));
      assert.equal(z.map((p) => p.short_message.message).join(''), zh);
      assert.equal(to(pTlv)[0]!.short_message.message, 'TLV receipt please');
    });
  });
});
