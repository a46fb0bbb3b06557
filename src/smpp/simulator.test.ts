import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { CommandStatus } from './constants.ts';
import { SmppBindError } from './errors.ts';
import { Parser, type ParseResult } from './parser.ts';
import { createPdu, type PduOf } from './pdu.ts';
import { normalizeMessageId, parseReceipt } from './receipt.ts';
import { serialize } from './serializer.ts';
import { Session } from './session.ts';
import { startSimulator } from './simulator.ts';

type DeliverSm = PduOf<'deliver_sm'>;

test('hex ids in submit_sm_resp, decimal in the receipt text: they normalise to the same id', async () => {
  const sim = await startSimulator({ idFormat: 'hex', receiptTlvs: true, outcome: (s) => (s.destinationAddr.endsWith('9') ? 'UNDELIV' : 'DELIVRD') });
  const s = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'a', password: 'b', reconnect: false });
  try {
    await s.connect();
    const receipts: DeliverSm[] = [];
    s.on('deliver_sm', (pdu: DeliverSm) => void receipts.push(pdu));
    const a = await s.submit({ destinationAddr: '4470001', registeredDelivery: 1, shortMessage: Buffer.from('one') });
    const b = await s.submit({ destinationAddr: '4470009', registeredDelivery: 1, shortMessage: Buffer.from('two') });
    assert.match(a.messageId, /^[0-9A-F]{10}$/);
    while (receipts.length < 2) await new Promise((r) => setTimeout(r, 5));
    const parsed = receipts.map((p) => parseReceipt(p)!);
    const byText = parsed.map((r) => r.text);
    assert.deepEqual(byText, ['one', 'two']);
    const textIds = receipts.map((p) => /id:(\S+)/.exec(p.shortMessage.toString())![1]!);
    assert.match(textIds[0]!, /^\d+$/);
    assert.equal(normalizeMessageId(textIds[0]!, 'decimal'), normalizeMessageId(a.messageId, 'hex'));
    assert.equal(parsed[0]!.messageId, a.messageId, 'receipted_message_id keeps the submit_sm_resp form');
    assert.equal(parsed[1]!.messageId, b.messageId);
    assert.equal(parsed[0]!.stat, 'DELIVRD');
    assert.equal(parsed[1]!.stat, 'UNDELIV');
    assert.equal(parsed[1]!.messageState, 5);
  } finally {
    await s.close();
    await sim.close();
  }
});

test('no receipt unless registered_delivery asks for one', async () => {
  const sim = await startSimulator({});
  const s = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'a', password: 'b', reconnect: false });
  try {
    await s.connect();
    await s.submit({ destinationAddr: '1', shortMessage: Buffer.from('x') });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(sim.stats.receiptsSent, 0);
    assert.equal(sim.stats.accepted, 1);
  } finally {
    await s.close();
    await sim.close();
  }
});

test('credentials and maxBinds are enforced', async () => {
  const sim = await startSimulator({ systemId: 'acct', password: 'pw', maxBinds: 1 });
  const mk = (systemId: string, password: string) => new Session({ host: '127.0.0.1', port: sim.port, systemId, password, reconnect: false });
  const good = mk('acct', 'pw');
  try {
    await assert.rejects(mk('other', 'pw').connect(), (e: Error) => e instanceof SmppBindError && e.status === CommandStatus.ESME_RINVSYSID);
    await good.connect();
    await assert.rejects(mk('acct', 'pw').connect(), (e: Error) => e instanceof SmppBindError && e.status === CommandStatus.ESME_RBINDFAIL);
    assert.equal(sim.stats.activeBinds, 1);
    assert.equal(sim.stats.bindFailures, 2);
  } finally {
    await good.close();
    await sim.close();
  }
});

async function rawExchange(port: number, bytes: Buffer, expect: number): Promise<ParseResult[]> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const parser = new Parser();
  const got: ParseResult[] = [];
  socket.write(bytes);
  for await (const chunk of socket) {
    got.push(...parser.parse(chunk as Buffer));
    if (got.length >= expect) break;
  }
  socket.destroy();
  return got;
}

test('malformed input gets generic_nack; submit before bind gets ESME_RINVBNDSTS', async () => {
  const sim = await startSimulator({});
  try {
    const unknown = Buffer.from('00000010000000990000000000000007', 'hex');
    const submit = serialize(createPdu('submit_sm', { sequence: 8, destinationAddr: '1' }));
    const got = await rawExchange(sim.port, Buffer.concat([unknown, submit]), 2);
    assert.deepEqual(got, [
      createPdu('generic_nack', { sequence: 7, status: CommandStatus.ESME_RINVCMDID }),
      createPdu('submit_sm_resp', { sequence: 8, status: CommandStatus.ESME_RINVBNDSTS }),
    ]);
    const tooShort = await rawExchange(sim.port, Buffer.from('0000000800000015', 'hex'), 1);
    assert.equal(tooShort[0] && 'status' in tooShort[0] && tooShort[0].status, CommandStatus.ESME_RINVCMDLEN);
  } finally {
    await sim.close();
  }
});

test('submitted is bounded and thousands of submits per second go through', async () => {
  const sim = await startSimulator({ keepSubmitted: 100, receipts: false });
  const s = new Session({ host: '127.0.0.1', port: sim.port, systemId: 'a', password: 'b', reconnect: false, windowSize: 200 });
  try {
    await s.connect();
    const n = 5000;
    const start = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => s.submit({ destinationAddr: String(i), shortMessage: Buffer.from('bench') })));
    const perSecond = n / ((performance.now() - start) / 1000);
    assert.equal(sim.stats.submits, n);
    assert.equal(sim.submitted.length, 100);
    assert.equal(sim.submitted[99]?.destinationAddr, String(n - 1));
    assert.ok(perSecond > 2000, `${perSecond.toFixed(0)} submits/s`);
  } finally {
    await s.close();
    await sim.close();
  }
});
