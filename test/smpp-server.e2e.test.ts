import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import smpp, { type NpmPdu, type NpmSession } from 'smpp';
import { buildParts, planMessage } from '../src/carriers/smpp-message.ts';
import { Session } from '../src/smpp/session.ts';
import { startSimulator } from '../src/smpp/simulator.ts';
import { ServerProcess, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/*
 * The SMPP server for customers, end to end: the real server with USMS_SMPP_PORT, and the npm `smpp`
 * package as an independent client (an ESME). Submits become messages through the API's own send path
 * (sandbox carrier), receipts come back as deliver_sm on the customer's bind.
 */

const ESME_ROK = 0;
const ESME_RINVPASWD = 0x0e;
const ESME_RTHROTTLED = 0x58;

interface Client {
  session: NpmSession;
  receipts: NpmPdu[];
  /** Whether deliver_sm is acknowledged (false: answered with an error, so usms keeps it). */
  ack: boolean;
  /** deliver_sm received, acknowledged or not. */
  offered: number;
  submit(fields: Record<string, unknown>): Promise<NpmPdu>;
  close(): Promise<void>;
}

function smppPortOf(server: ServerProcess): number {
  const line = server.output.find((l) => l.startsWith('{"url"'));
  return JSON.parse(line!).smppPort as number;
}

/** Connects and binds with the npm client; rejects with the bind status when refused. */
async function bind(port: number, systemId: string, password: string, mode: 'transceiver' | 'transmitter' | 'receiver' = 'transceiver', ack = true): Promise<Client> {
  const session = smpp.connect({ url: `smpp://127.0.0.1:${port}`, auto_enquire_link_period: 0 }) as NpmSession;
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const client: Client = {
    session,
    receipts: [],
    ack,
    offered: 0,
    submit: (fields) => new Promise((resolve) => (session as any).submit_sm(fields, resolve)),
    close: () => new Promise<void>((resolve) => {
      session.once('close', () => resolve());
      session.close();
      setTimeout(() => session.destroy(), 1000).unref();
    }),
  };
  // Listening before the bind: a stored receipt may arrive before the bind's answer is read.
  session.on('deliver_sm', (pdu: NpmPdu) => {
    client.offered++;
    if (!client.ack) {
      session.send(pdu.response({ command_status: 0x08 }));
      return;
    }
    client.receipts.push(pdu);
    session.send(pdu.response());
  });
  const resp = await new Promise<NpmPdu>((resolve, reject) => {
    session.once('close', () => reject(new Error('closed before the bind was answered')));
    (session as any)[`bind_${mode}`]({ system_id: systemId, password }, resolve);
  });
  if (resp.command_status !== ESME_ROK) {
    session.destroy();
    throw Object.assign(new Error(`bind refused: ${resp.command_status}`), { status: resp.command_status });
  }
  return client;
}

function receiptText(pdu: NpmPdu): string {
  const sm = pdu.short_message;
  return typeof sm === 'string' ? sm : Buffer.isBuffer(sm) ? sm.toString('latin1') : String(sm?.message ?? '');
}

describe('SMPP server for customers', () => {
  let server: ServerProcess;
  let port: number;
  let creds: Credentials;
  let password: string;
  const clients: Client[] = [];

  before(async () => {
    server = await ServerProcess.start({ USMS_SMPP_PORT: '0' });
    port = smppPortOf(server);
    ({ creds } = await server.setupAccount({ templates: ['your code is {1}, valid for {2} minutes'] }));
    const user = await server.cli<{ SystemId: string; Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'esme1', '--max-binds', '10');
    assert.equal(user.SystemId, 'esme1');
    assert.match(user.Password, /^[A-Za-z0-9]{8}$/);
    password = user.Password;
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await server?.stop();
  });

  test('a submit that matches an approved template is stored, answered with its SessionNo, and its receipt comes back as deliver_sm', async () => {
    const c = await bind(port, 'esme1', password);
    clients.push(c);
    const resp = await c.submit({ source_addr: 'usms', destination_addr: '8613800138000', dest_addr_ton: 1, dest_addr_npi: 1, registered_delivery: 1, short_message: '【usms】your code is 4321, valid for 5 minutes' });
    assert.equal(resp.command_status, ESME_ROK);
    const id = resp.message_id as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [id] });
    assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
    assert.equal(r.body.Data[0].SessionNo, id, 'the message exists once answered');
    const receipt = await waitFor('the receipt', async () => clients.flatMap((x) => x.receipts).find((p) => p.receipted_message_id === id), 20_000);
    assert.equal(receipt.esm_class & 0x3c, 0x04, 'an SMSC delivery receipt');
    assert.equal(receipt.message_state, 2, 'DELIVERED');
    assert.match(receiptText(receipt), new RegExp(`^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:\\d{3} text:`));
    assert.equal(receipt.source_addr, '8613800138000');
  });

  test('usms smpp status shows each live bind with its counters, and the receipts waiting', async () => {
    const status = await waitFor('a reported bind', async () => {
      const s = await server.cli<{ Binds: Array<Record<string, unknown>>; Outbox: Record<string, number> }>('smpp', 'status');
      return s.Binds.some((b) => b.SystemId === 'esme1' && (b.Submits as number) >= 1) ? s : undefined;
    }, 10_000);
    const b = status.Binds.find((x) => x.SystemId === 'esme1')!;
    assert.equal(b.AccountId, creds.AccountId);
    assert.equal(b.BindType, 'transceiver');
    assert.equal(b.Window, 100);
    assert.equal(typeof b.WindowUsed, 'number');
    assert.equal(typeof b.Node, 'string');
    assert.ok((b.Delivers as number) >= 1, 'the receipt was sent on it');
    assert.ok(status.Outbox.Delivered >= 1);
  });

  test('text that matches no approved template is refused with a non-zero status and stores nothing', async () => {
    const c = await bind(port, 'esme1', password);
    clients.push(c);
    const resp = await c.submit({ source_addr: 'usms', destination_addr: '8613800138001', dest_addr_ton: 1, short_message: '【usms】buy cheap watches' });
    assert.notEqual(resp.command_status, ESME_ROK);
    assert.ok(!resp.message_id, 'no message id for a refused submit');
  });

  test('free text for an account the operator allows, and a long message in two UDH parts becomes one message', async () => {
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'free');
    const c = await bind(port, 'esme1', password);
    clients.push(c);
    const single = await c.submit({ source_addr: 'usms', destination_addr: '8613800138002', dest_addr_ton: 1, short_message: '【usms】anything at all' });
    assert.equal(single.command_status, ESME_ROK);
    const text = '【usms】' + 'long message '.repeat(12);
    const half = Math.ceil(text.length / 2);
    const parts = [text.slice(0, half), text.slice(half)];
    const answers = await Promise.all(parts.map((p, i) => c.submit({
      // The receipt asked for on the first part only, as Kannel does.
      source_addr: 'usms', destination_addr: '8613800138003', dest_addr_ton: 1, registered_delivery: i === 0 ? 1 : 0, esm_class: 0x40,
      short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x2a, 2, i + 1]), message: p },
    })));
    assert.deepEqual(answers.map((a) => a.command_status), [ESME_ROK, ESME_ROK]);
    assert.equal(answers[0]!.message_id, answers[1]!.message_id, 'both parts name the one message');
    const id = answers[0]!.message_id as string;
    const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [id] });
    assert.equal(r.body.Data[0].ReceiptSet.length, 1, JSON.stringify(r.body));
    // Receipts go round robin to the user's receiving binds (the earlier tests' are still open).
    const all = () => clients.flatMap((x) => x.receipts).filter((p) => p.receipted_message_id === id);
    await waitFor('one receipt for the long message', async () => (all().length === 1 ? true : undefined), 20_000);
    await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'template');
  });

  test('over the user\'s rate: ESME_RTHROTTLED; the rest are stored', async () => {
    const created = await server.cli<{ SystemId: string; Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'slow', '--throughput', '5');
    const c = await bind(port, 'slow', created.Password);
    clients.push(c);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => c.submit({
      source_addr: 'usms', destination_addr: `86138001390${String(i).padStart(2, '0')}`, dest_addr_ton: 1, short_message: `【usms】your code is ${i}, valid for 5 minutes`,
    })));
    const statuses = answers.map((a) => a.command_status);
    assert.ok(statuses.filter((s) => s === ESME_RTHROTTLED).length >= 10, `throttled: ${statuses}`);
    assert.ok(statuses.filter((s) => s === ESME_ROK).length >= 4, `accepted: ${statuses}`);
  });

  test('a client sending garbage is cut off while another keeps submitting', async () => {
    const good = await bind(port, 'esme1', password);
    clients.push(good);
    const closed = new Promise<void>((resolve) => {
      const bad = tcpConnect({ host: '127.0.0.1', port }, () => bad.write(Buffer.from([0, 0, 0, 5, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8])));
      bad.on('error', () => {});
      bad.on('close', () => resolve());
      bad.resume();
    });
    await closed;
    const resp = await good.submit({ source_addr: 'usms', destination_addr: '8613800138004', dest_addr_ton: 1, short_message: '【usms】your code is 1, valid for 2 minutes' });
    assert.equal(resp.command_status, ESME_ROK);
  });

  test('a revoked user cannot bind; a wrong password is refused', async () => {
    const made = await server.cli<{ SystemId: string; Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'gone');
    await assert.rejects(bind(port, 'gone', made.Password === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA'), (e: { status?: number }) => e.status === ESME_RINVPASWD);
    const c = await bind(port, 'gone', made.Password);
    const cut = new Promise<void>((resolve) => c.session.once('close', () => resolve()));
    await server.cli('smpp-user', 'revoke', '--system-id', 'gone');
    await cut; // the live bind ends within a lease renewal (a second)
    await assert.rejects(bind(port, 'gone', made.Password), (e: { status?: number }) => e.status === ESME_RINVPASWD);
  });

  test('receipts wait in the store: not acknowledged, then after a restart delivered on the new bind', async () => {
    // Receipts go to any receiving bind of the user: only this test's binds are open.
    for (const c of clients.splice(0)) await c.close().catch(() => {});
    const tx = await bind(port, 'esme1', password, 'transmitter');
    const resp = await tx.submit({ source_addr: 'usms', destination_addr: '8613800138005', dest_addr_ton: 1, registered_delivery: 1, short_message: '【usms】your code is 77, valid for 9 minutes' });
    assert.equal(resp.command_status, ESME_ROK);
    const id = resp.message_id as string;
    await waitFor('final', async () => {
      const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [id] });
      return r.body.Data?.[0]?.ReceiptSet?.[0]?.ReceiptResult === 'Success' ? true : undefined;
    });
    await tx.close();
    // A receiver that answers deliver_sm with an error: the receipt stays stored.
    const refusing = await bind(port, 'esme1', password, 'receiver', false);
    await waitFor('the receipt offered and refused', async () => (refusing.offered >= 1 ? true : undefined), 10_000);
    await refusing.close();
    await server.stop(true);
    server = await ServerProcess.start({ USMS_SMPP_PORT: '0' }, server.workspace);
    port = smppPortOf(server);
    const rx = await bind(port, 'esme1', password, 'receiver');
    clients.push(rx);
    const receipt = await waitFor('the receipt after the restart', async () => rx.receipts.find((p) => p.receipted_message_id === id), 30_000);
    assert.match(receiptText(receipt), /stat:DELIVRD/);
  });
});

describe('SMPP server for customers: replies', () => {
  test('a reply to a message the customer sent over SMPP comes back to its bind as deliver_sm, a long one whole', { timeout: 120_000 }, async () => {
    const sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1' });
    const server = await ServerProcess.start({ USMS_SMPP_PORT: '0', USMS_CARRIER_POLL_MS: '200' });
    let client: Client | undefined;
    try {
      const { creds } = await server.setupAccount({ region: 'US', sender: '12345', templates: ['{1}'] });
      await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'free');
      await server.cli('carrier', 'add', '--name', 'sim', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1', '--prefix', '1415555');
      await waitFor('carrier bound', async () => (sim.stats.activeBinds > 0 ? true : undefined));
      const user = await server.cli<{ Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'replies');
      client = await bind(smppPortOf(server), 'replies', user.Password);
      const resp = await client.submit({ source_addr: '12345', destination_addr: '14155550123', dest_addr_ton: 1, short_message: 'Reply YES to confirm' });
      assert.equal(resp.command_status, ESME_ROK);
      await waitFor('sent to the carrier', async () => (sim.submitted.some((p) => p.destinationAddr === '14155550123') ? true : undefined));
      assert.equal((await sim.sendMo({ sourceAddr: '14155550123', destinationAddr: '12345', shortMessage: Buffer.from('YES please') })).status, 0);
      const long = 'Yes, and please call me back about order 4711. '.repeat(8);
      const opts = { gsmPacking: false, latin1: false, split: 'udh8' as const };
      for (const p of buildParts(planMessage(long, opts), 7, opts)) {
        assert.equal((await sim.sendMo({ sourceAddr: '14155550123', destinationAddr: '12345', shortMessage: p.shortMessage, esmClass: p.esmClass, tlvs: p.tlvs })).status, 0);
      }
      const c = client;
      const replies = await waitFor('two replies', async () => {
        const mo = c.receipts.filter((p) => (p.esm_class & 0x3c) === 0);
        return mo.length >= 2 ? mo : undefined;
      }, 30_000);
      const texts = replies.map((p) => p.message_payload ? Buffer.from(p.message_payload.message ?? p.message_payload).toString() : receiptText(p));
      assert.deepEqual(texts.sort(), [long, 'YES please'].sort());
      assert.ok(replies.every((p) => p.source_addr === '14155550123' && p.destination_addr === '12345'));
    } finally {
      await client?.close().catch(() => {});
      await server.stop();
      await sim.close();
    }
  });
});

describe('SMPP server for customers: refusals', () => {
  test('a blacklisted number, an unapproved sender and no money are refused with their documented statuses; only what is accepted is charged', { timeout: 60_000 }, async () => {
    const server = await ServerProcess.start({ USMS_SMPP_PORT: '0' });
    let client: Client | undefined;
    try {
      const { creds } = await server.setupAccount({ region: 'US', sender: '12345', templates: ['{1}'] });
      await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'free');
      const user = await server.cli<{ Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'refused');
      client = await bind(smppPortOf(server), 'refused', user.Password);
      const submit = (dest: string, source = '12345') => client!.submit({ source_addr: source, destination_addr: dest, dest_addr_ton: 1, short_message: 'hello' });
      await server.cli('blacklist', 'add', '--account', String(creds.AccountId), '--phone', '+14155550100');
      assert.equal((await submit('14155550100')).command_status, 0x404, 'USMS_RDSTBLOCKED');
      assert.equal((await submit('14155550101', '99999')).command_status, 0x0a, 'ESME_RINVSRCADR');
      // An account that exists when billing turns on stays postpaid: this one is made prepaid.
      await server.cli('price', 'set', '--prefix', '1', '--price', '0.05');
      await server.cli('account', 'billing', '--account', String(creds.AccountId), '--mode', 'prepaid');
      // Prices and modes apply within a second (the price book's cache).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.equal((await submit('14155550102')).command_status, 0x403, 'USMS_RNOBALANCE');
      await server.cli('account', 'topup', '--account', String(creds.AccountId), '--amount', '1.00');
      const ok = await submit('14155550102');
      assert.equal(ok.command_status, ESME_ROK);
      const balance = await server.cli<{ Balance: string }>('account', 'balance', '--account', String(creds.AccountId));
      assert.equal(balance.Balance, '0.95', 'only the accepted message was charged');
    } finally {
      await client?.close().catch(() => {});
      await server.stop();
    }
  });
});

describe('SMPP server for customers: TLS', () => {
  test('with a certificate and key the port speaks TLS: a client that trusts it binds and submits', { timeout: 60_000 }, async () => {
    const tlsDir = join(import.meta.dirname, 'fixtures', 'tls');
    const server = await ServerProcess.start({ USMS_SMPP_PORT: '0', USMS_SMPP_TLS_CERT: join(tlsDir, 'smsc-cert.pem'), USMS_SMPP_TLS_KEY: join(tlsDir, 'smsc-key.pem') });
    let session: Session | undefined;
    try {
      const { creds } = await server.setupAccount({ region: 'US', sender: '12345', templates: ['{1}'] });
      await server.cli('account', 'set', '--account', String(creds.AccountId), '--smpp-content', 'free');
      const user = await server.cli<{ Password: string }>('smpp-user', 'create', '--account', String(creds.AccountId), '--system-id', 'tls1');
      session = new Session({ host: '127.0.0.1', port: smppPortOf(server), systemId: 'tls1', password: user.Password, reconnect: false, tls: { ca: readFileSync(join(tlsDir, 'smsc-cert.pem')) } });
      await session.connect();
      const resp = await session.submit({ sourceAddr: '12345', destinationAddr: '14155550123', destAddrTon: 1, shortMessage: Buffer.from('over TLS') });
      assert.equal(resp.status, ESME_ROK);
      assert.match(resp.messageId, /^[0-9a-f-]{36}$/);
      // Plain TCP on the TLS port binds nothing.
      await assert.rejects(bind(smppPortOf(server), 'tls1', user.Password));
    } finally {
      await session?.close().catch(() => {});
      await server.stop();
    }
  });
});
