import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { CommandStatus } from './constants.ts';
import { SmppBindError, SmppConnectionError, SmppError, SmppStatusError, SmppTimeoutError } from './errors.ts';
import { Parser, PduError, type ParseResult } from './parser.ts';
import { createPdu, type PduOf } from './pdu.ts';
import { serialize } from './serializer.ts';
import { Session, type SessionOptions } from './session.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator.ts';

type DeliverSm = PduOf<'deliver_sm'>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withSim(simOptions: SimulatorOptions, sessionOptions: Partial<SessionOptions>, fn: (sim: Simulator, s: Session) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ systemId: 'usms', password: 'pw', ...simOptions });
  const s = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'usms', password: 'pw', reconnect: false, ...sessionOptions });
  try {
    await fn(sim, s);
  } finally {
    await s.close();
    await sim.close();
  }
}

const msg = (i = 0) => ({ sourceAddr: 'USMS', sourceAddrTon: 5, destinationAddr: `4477009${String(i).padStart(5, '0')}`, destAddrTon: 1, destAddrNpi: 1, registeredDelivery: 1, shortMessage: Buffer.from(`hello ${i}`) });

test('bind, submit, receipt acknowledged after an async handler, clean unbind', async () => {
  const sim = await startSimulator({ systemId: 'usms', password: 'pw', receiptDelayMs: 10 });
  const s = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'usms', password: 'pw', reconnect: false });
  const bound = await s.connect();
  assert.equal(bound.command, 'bind_transceiver_resp');
  assert.equal(s.state, 'bound');
  let stored = false;
  const receipt = new Promise<DeliverSm>((resolve) => {
    s.on('deliver_sm', async (pdu: DeliverSm) => {
      await sleep(30);
      assert.equal(sim.stats.deliverAcks, 0, 'not acknowledged before the handler finished');
      stored = true;
      resolve(pdu);
    });
  });
  const resp = await s.submit(msg(1));
  assert.equal(resp.command, 'submit_sm_resp');
  assert.match(resp.messageId, /^\d+$/);
  const dlr = await receipt;
  assert.equal(dlr.esmClass, 4);
  assert.match(dlr.shortMessage.toString('latin1'), new RegExp(`^id:${resp.messageId} .*stat:DELIVRD`));
  while (sim.stats.deliverAcks === 0) await sleep(5);
  assert.ok(stored);
  assert.equal(sim.submitted[0]?.destinationAddr, '447700900001');
  await s.close();
  assert.equal(s.state, 'closed');
  assert.equal(sim.stats.unbinds, 1);
  await sleep(10);
  assert.equal(sim.stats.activeBinds, 0);
  await sim.close();
});

test('a refused bind rejects connect() with SmppBindError', async () => {
  await withSim({}, { password: 'wrong' }, async (_sim, s) => {
    await assert.rejects(s.connect(), (err: Error) => err instanceof SmppBindError && err.status === CommandStatus.ESME_RINVPASWD);
    assert.equal(s.state, 'closed');
  });
});

test('the window is never exceeded while responses are slow', async () => {
  await withSim({ responseDelayMs: 20 }, { windowSize: 5 }, async (sim, s) => {
    await s.connect();
    let maxSeen = 0;
    const all = Array.from({ length: 40 }, (_, i) => s.submit(msg(i)));
    const probe = setInterval(() => (maxSeen = Math.max(maxSeen, s.inFlight)), 1);
    const resps = await Promise.all(all);
    clearInterval(probe);
    assert.equal(resps.length, 40);
    assert.equal(new Set(resps.map((r) => r.messageId)).size, 40);
    assert.equal(sim.stats.maxInFlight, 5);
    assert.ok(maxSeen <= 5);
  });
});

test('a response timeout rejects with written=true (outcome unknown) and frees the slot', async () => {
  await withSim({ responseDelayMs: 300 }, { responseTimeoutMs: 50, windowSize: 1 }, async (_sim, s) => {
    await s.connect();
    const err = await s.submit(msg()).catch((e: unknown) => e);
    assert.ok(err instanceof SmppTimeoutError);
    assert.equal(err.written, true);
    assert.equal(err.outcomeUnknown, true);
    assert.equal(s.inFlight, 0);
  });
});

test('a disconnect mid-window: written PDUs fail written=true, queued ones written=false', async () => {
  await withSim({ disconnectAfter: 3, responseDelayMs: 200 }, { windowSize: 3 }, async (_sim, s) => {
    await s.connect();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => s.submit(msg(i))));
    const errors = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
    assert.ok(errors.every((e) => e instanceof SmppError));
    assert.deepEqual(errors.map((e) => (e as SmppError).written), [true, true, true, false, false, false]);
    assert.ok(errors.slice(0, 3).every((e) => e instanceof SmppConnectionError && e.outcomeUnknown));
    assert.ok(errors.slice(3).every((e) => !(e as SmppError).outcomeUnknown));
  });
});

test('ESME_RTHROTTLED is a temporary status error and halves the rate', async () => {
  await withSim({ throttleEvery: 2 }, { rate: 200 }, async (_sim, s) => {
    await s.connect();
    const throttled = once(s, 'throttled');
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => s.submit(msg(i))));
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(rejected.length, 2);
    for (const e of rejected) {
      assert.ok(e instanceof SmppStatusError);
      assert.equal(e.status, CommandStatus.ESME_RTHROTTLED);
      assert.equal(e.temporary, true);
      assert.equal(e.outcomeUnknown, false);
    }
    const [info] = (await throttled) as [{ rate: number }];
    assert.equal(info.rate, 100);
    assert.equal(s.currentRate, 100);
  });
});

test('the rate cap spaces submits out', async () => {
  await withSim({}, { rate: 100 }, async (_sim, s) => {
    await s.connect();
    const start = performance.now();
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.submit(msg(i))));
    const elapsed = performance.now() - start;
    // 100 ms worth (10) go at once, the other 20 one every 10 ms (smpp/token-bucket.ts).
    assert.ok(elapsed >= 190, `30 messages at 100/s took ${elapsed.toFixed(0)} ms`);
  });
});

test('enquire_link both ways', async () => {
  await withSim({}, { enquireLinkMs: 30 }, async (sim, s) => {
    await s.connect();
    await sleep(120);
    assert.ok(sim.stats.enquireLinks >= 2, `saw ${sim.stats.enquireLinks}`);
    await sim.enquireLink(); // answered by the session
  });
});

test('reconnects with backoff after the connection drops, then sends again', async () => {
  await withSim({}, { reconnect: true, reconnectMinMs: 20, reconnectMaxMs: 100 }, async (sim, s) => {
    await s.connect();
    const events: string[] = [];
    s.on('disconnected', () => events.push('disconnected'));
    s.on('reconnecting', () => events.push('reconnecting'));
    const rebound = once(s, 'bound');
    sim.dropConnections();
    await rebound;
    assert.deepEqual(events, ['disconnected', 'reconnecting']);
    const resp = await s.submit(msg());
    assert.equal(resp.command, 'submit_sm_resp');
    assert.equal(sim.stats.binds, 2);
  });
});

test('a submit issued while reconnecting waits for the new bind', async () => {
  await withSim({}, { reconnect: true, reconnectMinMs: 50 }, async (sim, s) => {
    await s.connect();
    const reconnecting = once(s, 'reconnecting');
    sim.dropConnections();
    await reconnecting;
    const resp = await s.submit(msg());
    assert.equal(resp.command, 'submit_sm_resp');
  });
});

test('MO deliver_sm reaches listeners; a failing listener answers ESME_RX_T_APPN', async () => {
  await withSim({}, {}, async (sim, s) => {
    await s.connect();
    const got: string[] = [];
    s.on('deliver_sm', (pdu: DeliverSm) => {
      const text = pdu.shortMessage.toString('latin1');
      got.push(text);
      if (text === 'fail') throw new Error('store down');
    });
    const ok = await sim.sendMo({ sourceAddr: '447700900123', destinationAddr: 'USMS', shortMessage: Buffer.from('STOP') });
    assert.equal(ok.status, 0);
    const bad = await sim.sendMo({ sourceAddr: '447700900123', destinationAddr: 'USMS', shortMessage: Buffer.from('fail') });
    assert.equal(bad.status, CommandStatus.ESME_RX_T_APPN);
    assert.deepEqual(got, ['STOP', 'fail']);
  });
});

test('close() fails queued requests unwritten and waits for in-flight ones', async () => {
  await withSim({ responseDelayMs: 50 }, { windowSize: 1 }, async (sim, s) => {
    await s.connect();
    const first = s.submit(msg(1));
    const second = s.submit(msg(2)).catch((e: unknown) => e);
    await sleep(5);
    await s.close();
    assert.equal((await first).command, 'submit_sm_resp');
    const err = await second;
    assert.ok(err instanceof SmppError && err.code === 'SMPP_CLOSED' && err.written === false);
    assert.equal(sim.stats.unbinds, 1);
    await assert.rejects(s.submit(msg(3)), (e: Error) => e instanceof SmppError && e.code === 'SMPP_CLOSED');
  });
});

test('values that cannot be encoded reject unwritten', async () => {
  await withSim({}, {}, async (_sim, s) => {
    await s.connect();
    await assert.rejects(s.submit({ shortMessage: Buffer.alloc(300) }), (e: Error) => e instanceof SmppError && e.code === 'SMPP_ENCODE' && !e.written);
  });
});

test('receiver binds get receipts for a transmitter bind of the same system_id', async () => {
  const sim = await startSimulator({ receiptDelayMs: 5 });
  const tx = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'usms', password: 'pw', mode: 'transmitter', reconnect: false });
  const rx = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'usms', password: 'pw', mode: 'receiver', reconnect: false });
  try {
    await Promise.all([tx.connect(), rx.connect()]);
    const receipt = once(rx, 'deliver_sm');
    const resp = await tx.submit(msg());
    const [pdu] = (await receipt) as [DeliverSm];
    assert.ok(pdu.shortMessage.toString('latin1').startsWith(`id:${resp.messageId} `));
    assert.equal(sim.stats.maxConcurrentBinds, 2);
  } finally {
    await Promise.all([tx.close(), rx.close()]);
    await sim.close();
  }
});

test('a malformed PDU from the SMSC is nacked; a broken frame closes the connection', async () => {
  const seen: ParseResult[] = [];
  let peer: net.Socket | undefined;
  const server = net.createServer((socket) => {
    peer = socket;
    const parser = new Parser();
    socket.on('data', (chunk: Buffer) => {
      for (const item of parser.parse(chunk)) {
        seen.push(item);
        if ('command' in item && item.command === 'bind_transceiver') {
          socket.write(serialize(createPdu('bind_transceiver_resp', { sequence: item.sequence, systemId: 'raw' })));
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const s = new Session({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, systemId: 'a', password: 'b', reconnect: false });
  try {
    await s.connect();
    const errors: PduError[] = [];
    s.on('protocolError', (e: PduError) => errors.push(e));
    peer!.write(Buffer.from('00000010000000990000000000000005', 'hex'));
    while (seen.length < 2) await sleep(2);
    assert.deepEqual(seen[1], createPdu('generic_nack', { sequence: 5, status: CommandStatus.ESME_RINVCMDID }));
    const disconnected = once(s, 'disconnected');
    peer!.write(Buffer.from('0000000800000004', 'hex'));
    await disconnected;
    assert.equal(errors.length, 2);
    assert.equal(errors[1]!.fatal, true);
    assert.equal(s.state, 'closed');
  } finally {
    await s.close();
    peer?.destroy();
    await new Promise((r) => server.close(r));
  }
});

// todo: still fails now and then (a catch-up burst repeated a second later, 205-220 seen); see token-bucket.ts.
test('the rate cap holds at the SMSC: no sliding second of its arrivals carries more than the cap (+2%)', { todo: 'echo bursts not fully prevented yet' }, async () => {
  const rate = 200;
  const n = rate * 6;
  const warmUp = 50;
  await withSim({ receipts: false, keepSubmitted: warmUp + n }, { rate, windowSize: 50 }, async (sim, s) => {
    // The first PDUs through cold code would reach the simulator late, bunched with later ones: warm both
    // sides up on another bind first, without a cap.
    const warm = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'usms', password: 'pw', reconnect: false });
    await warm.connect();
    await Promise.all(Array.from({ length: warmUp }, (_, i) => warm.submit({ ...msg(i), registeredDelivery: 0 })));
    await warm.close();
    const bound = s.connect();
    // Everything is queued before the bind, so this test's own loop is idle while the submits go out.
    const all = Array.from({ length: n }, (_, i) => s.submit({ ...msg(i), registeredDelivery: 0 }));
    await bound;
    await Promise.all(all);
    const arrivals = sim.arrivals.slice(warmUp);
    assert.equal(arrivals.length, n);
    // The SMSC's clock in 5 ms ticks: an arrival counts at the end of its tick, as an SMSC that reads its
    // sockets every few milliseconds (or whose network adds that much jitter) would count it.
    const ticks = arrivals.map((t) => Math.ceil(t / 5) * 5);
    let first = 0;
    let most = 0;
    for (let last = 0; last < ticks.length; last++) {
      while (ticks[last]! - ticks[first]! > 1000) first++;
      most = Math.max(most, last - first + 1);
    }
    assert.ok(most <= rate * 1.02, `${most} submit_sm within one second at the SMSC, cap ${rate}`);
  });
});

test('a stalled SMSC (connection up, nothing answered): writing stops at the first timeout, the link is probed and rebound', async () => {
  await withSim({ stallAfter: 3 }, { windowSize: 5, responseTimeoutMs: 300, probeTimeoutMs: 300, reconnect: true, reconnectMinMs: 20, reconnectMaxMs: 50 }, async (sim, s) => {
    await s.connect();
    const results = Array.from({ length: 20 }, (_, i) => s.submit(msg(i)).then(() => 'ok', (e: SmppError) => (e.outcomeUnknown ? 'unknown' : e.code)));
    const start = performance.now();
    const outcomes = await Promise.all(results);
    const unknown = outcomes.filter((o) => o === 'unknown').length;
    assert.ok(unknown <= 5, `${unknown} unknown: at most the window in flight when the SMSC stalled`);
    assert.equal(outcomes.filter((o) => o === 'ok').length, 20 - unknown, outcomes.join(','));
    assert.equal(sim.stats.stalledSubmits, unknown, 'nothing written to the stalled connection after the first timeout');
    assert.equal(sim.stats.binds, 2, 'rebound on a new connection');
    assert.ok(performance.now() - start < 5_000);
  });
});
