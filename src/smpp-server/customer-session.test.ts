// The server side of a customer bind, driven over real TCP by our own client (Session), by the npm `smpp`
// package (a client we did not write) and by raw bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import smpp, { type NpmPdu, type NpmSession } from 'smpp';
import { CommandStatus } from '../smpp/constants.ts';
import { SmppBindError, SmppStatusError } from '../smpp/errors.ts';
import { Parser, PduError, type ParseResult } from '../smpp/parser.ts';
import { createPdu, type PduOf } from '../smpp/pdu.ts';
import { serialize } from '../smpp/serializer.ts';
import { Session, type SessionOptions } from '../smpp/session.ts';
import {
  CustomerSession,
  CustomerSessionError,
  serveCustomer,
  type BindCredentials,
  type BindGrant,
  type CustomerSessionHooks,
  type CustomerSessionOptions,
  type SubmitAnswer,
} from './customer-session.ts';

const S = CommandStatus;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// --- the server under test ------------------------------------------------------------

interface Harness {
  port: number;
  sessions: CustomerSession[];
  sockets: net.Socket[];
  binds: BindCredentials[];
  submits: PduOf<'submit_sm'>[];
  bound: CustomerSession[];
  closed: { session: CustomerSession; reason: string }[];
  /** The `closed` reason of a session, once it was called. */
  closedReason(session: CustomerSession | undefined): string | undefined;
  stop(): Promise<void>;
}

const GRANT: BindGrant = { window: 10, throughput: 0 };

async function startServer(hooks: Partial<CustomerSessionHooks> = {}, options: CustomerSessionOptions = {}): Promise<Harness> {
  let ids = 0;
  const h: Harness = {
    port: 0,
    sessions: [],
    sockets: [],
    binds: [],
    submits: [],
    bound: [],
    closed: [],
    closedReason: (s) => h.closed.find((c) => c.session === s)?.reason,
    stop: async () => undefined,
  };
  const all: CustomerSessionHooks = {
    closed: () => undefined,
    bind: async (c) => (c.password === 'secret' ? GRANT : S.ESME_RINVPASWD),
    submit: async (): Promise<SubmitAnswer> => ({ status: 0, messageId: `M${++ids}` }),
    ...hooks,
  };
  const wrapped: CustomerSessionHooks = {
    bind: (c, s) => {
      h.binds.push(c);
      return all.bind(c, s);
    },
    submit: (pdu, s) => {
      h.submits.push(pdu);
      return all.submit(pdu, s);
    },
    bound: (s) => {
      h.bound.push(s);
      all.bound?.(s);
    },
    closed: (s, reason) => {
      h.closed.push({ session: s, reason });
      all.closed(s, reason);
    },
  };
  const server = net.createServer((socket) => {
    h.sockets.push(socket);
    h.sessions.push(serveCustomer(socket, wrapped, options));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  h.port = (server.address() as AddressInfo).port;
  h.stop = async () => {
    for (const s of h.sessions) s.close('test over');
    await new Promise((r) => server.close(r));
  };
  return h;
}

async function withServer(hooks: Partial<CustomerSessionHooks>, options: CustomerSessionOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startServer(hooks, options);
  try {
    await fn(h);
  } finally {
    await h.stop();
  }
}

// --- clients --------------------------------------------------------------------------

function ourClient(h: Harness, options: Partial<SessionOptions> = {}): Session {
  return new Session({ host: '127.0.0.1', port: h.port, systemId: 'acme', password: 'secret', reconnect: false, enquireLinkMs: 0, ...options });
}

interface Npm {
  session: NpmSession;
  /** Every PDU received, in order. */
  received: NpmPdu[];
  closed: Promise<void>;
  call(command: string, options?: Record<string, unknown>): Promise<NpmPdu>;
}

async function npmClient(h: Harness): Promise<Npm> {
  const session = (smpp.connect as (o: object) => NpmSession)({ host: '127.0.0.1', port: h.port });
  session.on('error', () => undefined); // npm smpp throws on an unhandled 'error'
  const received: NpmPdu[] = [];
  session.on('pdu', (pdu: NpmPdu) => received.push(pdu));
  const closed = new Promise<void>((resolve) => session.on('close', () => resolve()));
  await once(session, 'connect');
  return {
    session,
    received,
    closed,
    call: (command, options = {}) => new Promise((resolve) => session.send(new smpp.PDU(command, options), resolve)),
  };
}

async function npmBound(h: Harness, command = 'bind_transceiver'): Promise<Npm> {
  const c = await npmClient(h);
  const resp = await c.call(command, { system_id: 'acme', password: 'secret' });
  assert.equal(resp.command_status, 0);
  return c;
}

/** A plain TCP client that writes raw bytes and reads PDUs with our parser. */
interface Raw {
  socket: net.Socket;
  received: ParseResult[];
  closed: Promise<void>;
  next(): Promise<ParseResult>;
}

async function rawClient(h: Harness): Promise<Raw> {
  const socket = net.connect(h.port, '127.0.0.1');
  socket.on('error', () => undefined);
  const parser = new Parser();
  const received: ParseResult[] = [];
  let taken = 0;
  socket.on('data', (chunk: Buffer) => received.push(...parser.parse(chunk)));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await once(socket, 'connect');
  return {
    socket,
    received,
    closed,
    async next() {
      await waitFor('a PDU from the server', () => received.length > taken);
      return received[taken++]!;
    },
  };
}

function header(commandId: number, sequence: number, body = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(16 + body.length);
  b.writeUInt32BE(16 + body.length, 0);
  b.writeUInt32BE(commandId, 4);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(sequence, 12);
  body.copy(b, 16);
  return b;
}

const submitFields = (i = 0) => ({ source_addr: 'ACME', destination_addr: `4477009000${String(i).padStart(2, '0')}`, short_message: `hello ${i}` });
const msg = (i = 0) => ({ sourceAddr: 'ACME', destinationAddr: `4477009000${String(i).padStart(2, '0')}`, destAddrTon: 1, destAddrNpi: 1, shortMessage: Buffer.from(`hello ${i}`) });

// --- bind -----------------------------------------------------------------------------

test('our client: a refused bind, then a bind accepted with the credentials the hook saw; submit answered with the hook id; unbind closes cleanly', async () => {
  await withServer({}, {}, async (h) => {
    const refused = ourClient(h, { password: 'wrong' });
    await assert.rejects(refused.connect(), (err: unknown) => err instanceof SmppBindError && err.status === S.ESME_RINVPASWD);
    await refused.close();

    const s = ourClient(h, { systemType: 'VMA', addressRange: '^4477' });
    const resp = await s.connect();
    assert.equal(resp.command, 'bind_transceiver_resp');
    assert.equal(resp.command === 'bind_transceiver_resp' && resp.systemId, 'usms');
    assert.equal(resp.tlvs.scInterfaceVersion, 0x34);
    assert.deepEqual(h.binds[1], {
      systemId: 'acme',
      password: 'secret',
      systemType: 'VMA',
      bindType: 'transceiver',
      interfaceVersion: 0x34,
      remoteAddress: '127.0.0.1',
      addrTon: 0,
      addrNpi: 0,
      addressRange: '^4477',
    });
    const server = h.sessions[1]!;
    assert.deepEqual(h.bound, [server]);
    assert.equal(server.state, 'bound');
    assert.equal(server.systemId, 'acme');
    assert.equal(server.bindType, 'transceiver');
    assert.ok(server.canTransmit && server.canReceive);

    const answer = await s.submit(msg(1));
    assert.equal(answer.messageId, 'M1');
    assert.equal(h.submits[0]!.destinationAddr, '447700900001');
    assert.equal(h.submits[0]!.shortMessage.toString(), 'hello 1');
    assert.equal(server.stats.submits, 1);

    await s.close();
    await waitFor('closed hook', () => h.closedReason(server) !== undefined);
    assert.equal(h.closedReason(server), 'unbind');
    assert.equal(server.state, 'closed');
    assert.equal(h.closedReason(h.sessions[0]), 'peer closed');
    assert.equal(h.closed.length, 2, 'closed once per session');
  });
});

test('npm smpp: a refused bind keeps the connection for another try; a bind while bound is ESME_RALYBND; three refusals close it', async () => {
  await withServer({}, {}, async (h) => {
    const c = await npmClient(h);
    const refused = await c.call('bind_transmitter', { system_id: 'acme', password: 'nope' });
    assert.equal(refused.command, 'bind_transmitter_resp');
    assert.equal(refused.command_status, S.ESME_RINVPASWD);
    const ok = await c.call('bind_transmitter', { system_id: 'acme', password: 'secret' });
    assert.equal(ok.command_status, 0);
    assert.equal(ok.system_id, 'usms');
    assert.equal(ok.sc_interface_version, 0x34, 'npm smpp binds as 0x50; the answer carries 0x34');
    assert.equal(h.sessions[0]!.bindType, 'transmitter');
    assert.ok(!h.sessions[0]!.canReceive);
    const again = await c.call('bind_receiver', { system_id: 'acme', password: 'secret' });
    assert.equal(again.command, 'bind_receiver_resp');
    assert.equal(again.command_status, S.ESME_RALYBND);
    assert.equal(h.sessions[0]!.state, 'bound');

    const d = await npmClient(h);
    for (let i = 0; i < 3; i++) {
      const r = await d.call('bind_transceiver', { system_id: 'acme', password: `bad${i}` });
      assert.equal(r.command_status, S.ESME_RINVPASWD);
    }
    await d.closed;
    assert.equal(h.closedReason(h.sessions[1]), 'too many refused binds');
    assert.equal(h.sessions[0]!.state, 'bound', 'the other connection is untouched');
    c.session.close();
    await c.closed;
  });
});

test('hook failures: a bind hook that throws refuses with ESME_RSYSERR, a submit hook that rejects answers ESME_RSYSERR', async () => {
  let failBind = true;
  const warnings: unknown[] = [];
  const log = { info: () => undefined, debug: () => undefined, warn: (o: unknown) => void warnings.push(o) } as unknown as CustomerSessionOptions['log'];
  await withServer(
    {
      bind: async () => {
        if (failBind) throw new Error('store down');
        return GRANT;
      },
      submit: async () => {
        throw new Error('queue down');
      },
    },
    { log },
    async (h) => {
      const c = await npmClient(h);
      assert.equal((await c.call('bind_transceiver', { system_id: 'acme', password: 'x' })).command_status, S.ESME_RSYSERR);
      failBind = false;
      assert.equal((await c.call('bind_transceiver', { system_id: 'acme', password: 'x' })).command_status, 0);
      const r = await c.call('submit_sm', submitFields(1));
      assert.equal(r.command_status, S.ESME_RSYSERR);
      assert.equal(warnings.length, 2);
      assert.ok(!JSON.stringify(warnings).includes('"password"'), 'no credentials in the log');
      c.session.close();
      await c.closed;
    },
  );
});

test('the closed hook waits for a bind hook still running when the client goes away', async () => {
  const order: string[] = [];
  let release!: () => void;
  await withServer(
    {
      bind: async () => {
        await new Promise<void>((r) => (release = r));
        order.push('bind settled');
        return GRANT;
      },
      closed: (_s, reason) => void order.push(`closed: ${reason}`),
    },
    {},
    async (h) => {
      const c = await npmClient(h);
      c.session.send(new smpp.PDU('bind_transceiver', { system_id: 'acme', password: 'secret' }));
      await waitFor('bind hook', () => h.binds.length === 1);
      c.session.destroy();
      await waitFor('session closed', () => h.sessions[0]!.state === 'closed');
      await sleep(20);
      assert.deepEqual(order, [], 'closed is held while the bind hook runs');
      release();
      await waitFor('closed hook', () => order.length === 2);
      assert.deepEqual(order, ['bind settled', 'closed: peer closed']);
      assert.deepEqual(h.bound, [], 'a bind that finished after the connection ended is not bound');
    },
  );
});

test('bind timeout closes a connection that never binds; a bound one stays', async () => {
  await withServer({}, { bindTimeoutMs: 80 }, async (h) => {
    const idle = await rawClient(h);
    const c = await npmBound(h);
    const started = Date.now();
    await idle.closed;
    assert.ok(Date.now() - started < 1_000);
    assert.equal(h.closedReason(h.sessions[0]), 'bind timeout');
    await sleep(100);
    assert.equal(h.sessions[1]!.state, 'bound');
    c.session.close();
    await c.closed;
  });
});

test('over TLS: our client binds and submits across the encrypted connection', async () => {
  const dir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'tls');
  const cert = readFileSync(join(dir, 'smsc-cert.pem'));
  const sessions: CustomerSession[] = [];
  const server = tls.createServer({ key: readFileSync(join(dir, 'smsc-key.pem')), cert }, (socket) => {
    sessions.push(serveCustomer(socket, { bind: async () => GRANT, submit: async () => ({ status: 0, messageId: 'TLS1' }), closed: () => undefined }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const s = new Session({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, systemId: 'acme', password: 'secret', reconnect: false, tls: { ca: cert } });
  try {
    await s.connect();
    assert.equal((await s.submit(msg(1))).messageId, 'TLS1');
    assert.equal(sessions[0]!.remoteAddress, '127.0.0.1');
  } finally {
    await s.close();
    for (const c of sessions) c.close('test over');
    await new Promise((r) => server.close(r));
  }
});

// --- submit ---------------------------------------------------------------------------

test('our client: one submit over the window is answered ESME_RTHROTTLED at once, without calling the hook', async () => {
  const held: (() => void)[] = [];
  let n = 0;
  await withServer(
    {
      bind: async () => ({ window: 2, throughput: 0 }),
      submit: () => new Promise<SubmitAnswer>((resolve) => held.push(() => resolve({ status: 0, messageId: `H${++n}` }))),
    },
    {},
    async (h) => {
      const s = ourClient(h, { windowSize: 3 });
      await s.connect();
      const results = [0, 1, 2].map((i) => s.submit(msg(i)).then((r) => r.messageId, (e: unknown) => e));
      const third = await results[2];
      assert.ok(third instanceof SmppStatusError && third.status === S.ESME_RTHROTTLED, `got ${String(third)}`);
      assert.equal(h.submits.length, 2, 'the hook saw only the two within the window');
      assert.equal(h.sessions[0]!.submitsInFlight, 2);
      assert.equal(h.sessions[0]!.stats.throttled, 1);
      // Answers may go out of order.
      held[1]!();
      held[0]!();
      assert.deepEqual(await Promise.all(results.slice(0, 2)), ['H2', 'H1']);
      await waitFor('window free', () => h.sessions[0]!.submitsInFlight === 0);
      const later = s.submit(msg(3));
      await waitFor('hook called', () => held.length === 3);
      held[2]!();
      assert.equal((await later).messageId, 'H3');
      await s.close();
    },
  );
});

test('npm smpp: submits over the throughput cap are answered ESME_RTHROTTLED, in any second of the clock', async () => {
  let now = 10_000;
  await withServer({ bind: async () => ({ window: 100, throughput: 3 }) }, { clock: () => now }, async (h) => {
    const c = await npmBound(h);
    const statuses = async (count: number) => (await Promise.all(Array.from({ length: count }, (_, i) => c.call('submit_sm', submitFields(i))))).map((r) => r.command_status);
    assert.deepEqual(await statuses(5), [0, 0, 0, S.ESME_RTHROTTLED, S.ESME_RTHROTTLED]);
    assert.equal(h.submits.length, 3);
    now += 500;
    assert.deepEqual(await statuses(1), [S.ESME_RTHROTTLED]);
    now += 499;
    assert.deepEqual(await statuses(1), [S.ESME_RTHROTTLED], '999 ms later the three still count');
    now += 1;
    assert.deepEqual(await statuses(4), [0, 0, 0, S.ESME_RTHROTTLED]);
    assert.equal(h.sessions[0]!.stats.throttled, 5);
    assert.equal(h.sessions[0]!.stats.submits, 6);
    c.session.close();
    await c.closed;
  });
});

test('npm smpp: submit before bind and on a receiver bind is answered ESME_RINVBNDSTS', async () => {
  await withServer({}, {}, async (h) => {
    const c = await npmClient(h);
    const early = await c.call('submit_sm', submitFields(1));
    assert.equal(early.command, 'submit_sm_resp');
    assert.equal(early.command_status, S.ESME_RINVBNDSTS);
    assert.equal((await c.call('bind_receiver', { system_id: 'acme', password: 'secret' })).command_status, 0);
    const onReceiver = await c.call('submit_sm', submitFields(2));
    assert.equal(onReceiver.command_status, S.ESME_RINVBNDSTS);
    assert.equal(h.submits.length, 0);
    assert.equal(h.sessions[0]!.stats.badPdus, 2);
    c.session.close();
    await c.closed;
  });
});

// --- deliver --------------------------------------------------------------------------

test('our client: deliver() to a receiver resolves with its deliver_sm_resp status; not on a transmitter', async () => {
  await withServer({}, {}, async (h) => {
    const rx = ourClient(h, { mode: 'receiver' });
    const got: PduOf<'deliver_sm'>[] = [];
    rx.on('deliver_sm', (pdu: PduOf<'deliver_sm'>) => {
      got.push(pdu);
      if (got.length === 2) throw new Error('not now');
    });
    await rx.connect();
    const server = h.sessions[0]!;
    assert.ok(server.canReceive && !server.canTransmit);
    const receipt = { sourceAddr: '447700900001', destinationAddr: 'ACME', esmClass: 4, shortMessage: Buffer.from('id:M1 stat:DELIVRD'), tlvs: { receiptedMessageId: 'M1', messageState: 2 } };
    assert.equal(await server.deliver(receipt), 0);
    assert.equal(got[0]!.esmClass, 4);
    assert.equal(got[0]!.tlvs.receiptedMessageId, 'M1');
    assert.equal(got[0]!.shortMessage.toString(), 'id:M1 stat:DELIVRD');
    assert.equal(await server.deliver(receipt), S.ESME_RX_T_APPN, 'a listener that throws answers ESME_RX_T_APPN');
    assert.equal(server.stats.delivers, 2);
    assert.equal(server.stats.deliverErrors, 1);

    const tx = ourClient(h, { mode: 'transmitter' });
    await tx.connect();
    await assert.rejects(h.sessions[1]!.deliver(receipt), (e: unknown) => e instanceof CustomerSessionError && e.code === 'NOT_RECEIVER');
    await assert.rejects(server.deliver({ shortMessage: Buffer.alloc(300) }), (e: unknown) => e instanceof CustomerSessionError && e.code === 'ENCODE');
    await tx.close();
    await rx.close();
  });
});

test('npm smpp: deliver() resolves with the status the client answers, waits for room in the window, times out, and rejects CLOSED when the client goes away', async () => {
  await withServer({}, { deliverWindow: 2, responseTimeoutMs: 150 }, async (h) => {
    const c = await npmBound(h, 'bind_receiver');
    const server = h.sessions[0]!;
    let answer: 'ok' | 'refuse' | 'none' = 'refuse';
    c.session.on('deliver_sm', (pdu: NpmPdu) => {
      if (answer === 'refuse') c.session.send(pdu.response({ command_status: S.ESME_RX_P_APPN }));
      else if (answer === 'ok') c.session.send(pdu.response());
    });
    assert.equal(await server.deliver({ sourceAddr: '1', destinationAddr: '2', shortMessage: Buffer.from('mo') }), S.ESME_RX_P_APPN);

    answer = 'none';
    const timedOut = server.deliver({ shortMessage: Buffer.from('t') }).catch((e: unknown) => e);
    const err = await timedOut;
    assert.ok(err instanceof CustomerSessionError && err.code === 'TIMEOUT', `got ${String(err)}`);
    assert.equal(server.deliversInFlight, 0, 'a timeout frees its slot');

    const pending = [1, 2, 3].map((i) => server.deliver({ shortMessage: Buffer.from(`d${i}`) }).catch((e: unknown) => e));
    await waitFor('two delivers in flight', () => c.received.filter((p) => p.command === 'deliver_sm').length === 4);
    assert.equal(server.deliversInFlight, 2);
    assert.equal(server.deliversQueued, 1, 'the third waits for room');
    c.session.destroy();
    const errors = await Promise.all(pending);
    assert.ok(errors.every((e) => e instanceof CustomerSessionError && e.code === 'CLOSED'), String(errors));
    await waitFor('closed hook', () => h.closed.length === 1);
    assert.equal(h.closedReason(server), 'peer closed');
    await assert.rejects(server.deliver({ shortMessage: Buffer.from('x') }), (e: unknown) => e instanceof CustomerSessionError && e.code === 'CLOSED');
  });
});

// --- bad and unsupported PDUs -------------------------------------------------------------

test('npm smpp: an unknown command_id is answered generic_nack ESME_RINVCMDID; unsupported commands get their own response; the connection stays', async () => {
  await withServer({}, {}, async (h) => {
    const c = await npmBound(h);
    const nack = new Promise<NpmPdu>((resolve) => c.session.once('generic_nack', resolve));
    c.session.socket.write(header(0x00000099, 77));
    const n = await nack;
    assert.equal(n.command_status, S.ESME_RINVCMDID);
    assert.equal(n.sequence_number, 77);

    const expectations: [string, Record<string, unknown>, string][] = [
      ['query_sm', { message_id: 'M1' }, 'query_sm_resp'],
      ['cancel_sm', { message_id: 'M1' }, 'cancel_sm_resp'],
      ['replace_sm', { message_id: 'M1', short_message: 'x' }, 'replace_sm_resp'],
      ['submit_multi', { source_addr: 'ACME', short_message: 'x' }, 'submit_multi_resp'],
      ['data_sm', { source_addr: 'ACME', destination_addr: '4477' }, 'data_sm_resp'],
      ['deliver_sm', { source_addr: 'ACME', destination_addr: '4477', short_message: 'x' }, 'deliver_sm_resp'],
      ['alert_notification', { source_addr: '1', esme_addr: '2' }, 'generic_nack'],
      ['outbind', { system_id: 'x', password: 'y' }, 'generic_nack'],
      ['broadcast_sm', { message_id: '1' }, 'generic_nack'],
    ];
    for (const [command, options, expected] of expectations) {
      const r = await c.call(command, options);
      assert.equal(r.command, expected, command);
      assert.equal(r.command_status, S.ESME_RINVCMDID, command);
    }
    assert.equal(h.sessions[0]!.stats.badPdus, 10);
    assert.equal(h.sessions[0]!.state, 'bound');
    assert.equal((await c.call('enquire_link')).command_status, 0);
    assert.equal((await c.call('submit_sm', submitFields(1))).message_id, 'M1');
    c.session.close();
    await c.closed;
  });
});

test('a malformed body is answered with its own response and the parser status; past maxBadPdus the connection is cut', async () => {
  await withServer({}, { maxBadPdus: 2 }, async (h) => {
    const r = await rawClient(h);
    r.socket.write(serialize(createPdu('bind_transmitter', { systemId: 'acme', password: 'secret', sequence: 1 })));
    assert.equal((await r.next() as PduOf<'bind_transmitter_resp'>).status, 0);

    const submit = serialize(createPdu('submit_sm', { sequence: 2, destinationAddr: '4477', shortMessage: Buffer.from('hi') }));
    submit[submit.length - 3] = 200; // sm_length past the end
    r.socket.write(submit);
    const resp = (await r.next()) as PduOf<'submit_sm_resp'>;
    assert.equal(resp.command, 'submit_sm_resp');
    assert.equal(resp.sequence, 2);
    assert.equal(resp.status, S.ESME_RINVMSGLEN);

    r.socket.write(header(0x00000042, 3));
    const nack = (await r.next()) as PduOf<'generic_nack'>;
    assert.deepEqual([nack.command, nack.status, nack.sequence], ['generic_nack', S.ESME_RINVCMDID, 3]);
    assert.equal(h.sessions[0]!.state, 'bound', 'two bad PDUs are tolerated');

    r.socket.write(header(0x00000043, 4));
    const last = (await r.next()) as PduOf<'generic_nack'>;
    assert.equal(last.sequence, 4, 'the third is still answered');
    await r.closed;
    assert.equal(h.closedReason(h.sessions[0]), 'too many bad PDUs');
  });
});

test('garbage bytes (bad command_length): generic_nack ESME_RINVCMDLEN and close, while another connection keeps submitting', async () => {
  await withServer({}, {}, async (h) => {
    const good = ourClient(h);
    await good.connect();
    assert.equal((await good.submit(msg(1))).messageId, 'M1');

    const bad = await rawClient(h);
    bad.socket.write(Buffer.from([0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x09, 0x41, 0x42]));
    const nack = (await bad.next()) as PduOf<'generic_nack'>;
    assert.equal(nack.command, 'generic_nack');
    assert.equal(nack.status, S.ESME_RINVCMDLEN);
    assert.equal(nack.sequence, 9);
    await bad.closed;
    assert.match(h.closedReason(h.sessions[1]) ?? '', /^protocol error: command_length 5/);

    const tooLong = await rawClient(h);
    const head = Buffer.alloc(16);
    head.writeUInt32BE(10_000_000, 0);
    head.writeUInt32BE(4, 4);
    tooLong.socket.write(head);
    const nack2 = (await tooLong.next()) as PduOf<'generic_nack'>;
    assert.deepEqual([nack2.command, nack2.status], ['generic_nack', S.ESME_RINVCMDLEN]);
    await tooLong.closed;

    const answers = await Promise.all([2, 3, 4].map((i) => good.submit(msg(i))));
    assert.deepEqual(answers.map((a) => a.messageId), ['M2', 'M3', 'M4']);
    assert.equal(h.sessions[0]!.state, 'bound');
    await good.close();
  });
});

// --- keep-alive -----------------------------------------------------------------------

test('npm smpp: enquire_link is answered before and after bind', async () => {
  await withServer({}, {}, async (h) => {
    const c = await npmClient(h);
    const before = await c.call('enquire_link');
    assert.equal(before.command, 'enquire_link_resp');
    assert.equal(before.command_status, 0);
    assert.equal((await c.call('bind_transceiver', { system_id: 'acme', password: 'secret' })).command_status, 0);
    assert.equal((await c.call('enquire_link')).command, 'enquire_link_resp');
    assert.equal(h.sessions[0]!.stats.badPdus, 0);
    c.session.close();
    await c.closed;
  });
});

test("npm smpp: the server's enquire_link on an idle bind; a client that answers stays, one that does not is cut", async () => {
  await withServer({}, { enquireLinkMs: 60, responseTimeoutMs: 100 }, async (h) => {
    const answers = await npmBound(h);
    let asked = 0;
    answers.session.on('enquire_link', (pdu: NpmPdu) => {
      asked++;
      answers.session.send(pdu.response());
    });
    const silent = await npmBound(h);
    const started = Date.now();
    await silent.closed;
    const took = Date.now() - started;
    assert.ok(took >= 140 && took < 1_500, `cut after ${took} ms`);
    assert.ok(silent.received.some((p) => p.command === 'enquire_link'), 'it was asked');
    assert.equal(h.closedReason(h.sessions[1]), 'enquire_link unanswered');
    await waitFor('two enquire_links answered', () => asked >= 2);
    assert.equal(h.sessions[0]!.state, 'bound');
    answers.session.close();
    await answers.closed;
  });
});

// --- unbind ---------------------------------------------------------------------------

test('npm smpp: the client unbinds with a submit open; its submit_sm_resp comes before unbind_resp, then the connection closes with closed(unbind)', async () => {
  await withServer(
    {
      submit: async () => {
        await sleep(60);
        return { status: 0, messageId: 'SLOW' };
      },
    },
    {},
    async (h) => {
      const c = await npmBound(h);
      const submitted = c.call('submit_sm', submitFields(1));
      await waitFor('hook called', () => h.submits.length === 1);
      const unbound = c.call('unbind');
      const late = c.call('submit_sm', submitFields(2));
      assert.equal((await late).command_status, S.ESME_RINVBNDSTS, 'a submit after unbind is not taken');
      assert.equal((await submitted).message_id, 'SLOW');
      assert.equal((await unbound).command_status, 0);
      const order = c.received.map((p) => p.command).filter((x) => x !== 'bind_transceiver_resp');
      assert.deepEqual(order, ['submit_sm_resp', 'submit_sm_resp', 'unbind_resp']);
      await c.closed;
      assert.equal(h.closedReason(h.sessions[0]), 'unbind');
      assert.equal(h.closed.length, 1);
    },
  );
});

test('our client: unbind() from the server answers the open submit, sends unbind and closes; submits racing it are ESME_RTHROTTLED', async () => {
  let release!: () => void;
  await withServer(
    {
      submit: async () => {
        await new Promise<void>((r) => (release = r));
        return { status: 0, messageId: 'LAST' };
      },
    },
    {},
    async (h) => {
      const s = ourClient(h);
      await s.connect();
      const open = s.submit(msg(1));
      await waitFor('hook called', () => h.submits.length === 1);
      const server = h.sessions[0]!;
      const unbinding = server.unbind();
      assert.equal(server.state, 'closing');
      const raced = await s.submit(msg(2)).catch((e: unknown) => e);
      assert.ok(raced instanceof SmppStatusError && raced.status === S.ESME_RTHROTTLED, `got ${String(raced)}`);
      release();
      assert.equal((await open).messageId, 'LAST');
      await unbinding;
      assert.equal(server.state, 'closed');
      assert.equal(h.closedReason(server), 'server unbind');
      await waitFor('client closed', () => s.state === 'closed');
      assert.equal(h.submits.length, 1);
    },
  );
});

test('npm smpp: unbind() from the server is answered by the client and closes the connection', async () => {
  await withServer({}, {}, async (h) => {
    const c = await npmBound(h);
    c.session.on('unbind', (pdu: NpmPdu) => c.session.send(pdu.response()));
    await h.sessions[0]!.unbind();
    await c.closed;
    assert.ok(c.received.some((p) => p.command === 'unbind'));
    assert.equal(h.closedReason(h.sessions[0]), 'server unbind');
  });
});

// --- backpressure ---------------------------------------------------------------------

test('a client that never reads cannot make the server buffer without bound; once it reads again, everything is answered', async () => {
  const maxWriteBufferBytes = 64 * 1024;
  await withServer({}, { maxWriteBufferBytes }, async (h) => {
    const r = await rawClient(h);
    r.socket.write(serialize(createPdu('bind_transceiver', { systemId: 'acme', password: 'secret', sequence: 1 })));
    await r.next();
    r.socket.pause(); // from now on it reads nothing
    const perChunk = 4096;
    const chunk = Buffer.concat(Array.from({ length: perChunk }, (_, i) => serialize(createPdu('enquire_link', { sequence: i + 2 }))));
    let sent = 0;
    let maxBuffered = 0;
    const serverSocket = h.sockets[0]!;
    let pauses = 0;
    serverSocket.on('pause', () => pauses++);
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, serverSocket.writableLength)), 1);
    // Until the server stops reading, the client's own writes back up.
    while (r.socket.writableLength < 2 * 1024 * 1024) {
      if (sent > 256 * 1024 * 1024) assert.fail('the server kept reading');
      r.socket.write(chunk);
      sent += chunk.length;
      if (sent % (16 * chunk.length) === 0) await sleep(1);
    }
    await sleep(100);
    clearInterval(sampler);
    // At most one read's answers beyond the bound (a read is at most 64 KiB here).
    assert.ok(pauses > 0, 'the server stopped reading');
    assert.ok(maxBuffered > 0 && maxBuffered <= maxWriteBufferBytes + 128 * 1024, `server buffered up to ${maxBuffered} bytes`);
    assert.ok(serverSocket.bytesRead < sent, 'the rest waits on the client side');
    assert.equal(h.sessions[0]!.state, 'bound');

    const expected = 1 + sent / 16;
    r.socket.resume();
    await waitFor('every enquire_link answered', () => r.received.length >= expected, 30_000);
    assert.equal(r.received.length, expected);
    assert.ok(r.received.slice(1).every((p) => !(p instanceof PduError) && p.command === 'enquire_link_resp'));
    r.socket.write(serialize(createPdu('submit_sm', { sequence: 9, destinationAddr: '4477', shortMessage: Buffer.from('hi') })));
    await waitFor('submit answered', () => r.received.length === expected + 1);
    assert.equal((r.received[expected] as PduOf<'submit_sm_resp'>).messageId, 'M1');
    r.socket.destroy();
    await waitFor('closed hook', () => h.closed.length === 1);
  });
});
