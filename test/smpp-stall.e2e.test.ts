// A stalled SMSC through the real server: the connection stays up, the SMSC reads on and answers nothing.
// The bind must stop writing at the first response timeout, probe with enquire_link, rebind, and deliver the
// rest: at most the window in flight at the stall ends unknown. Every server, simulator and port is closed here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PduOf } from '../src/smpp/pdu.ts';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { ServerProcess, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const WINDOW = 20;
const MESSAGES = 100;
/** The connection that reads this submit_sm stalls, with the window full of messages behind it. */
const STALL_AT = 31;

let server: ServerProcess;
let sim: Simulator;
let creds: Credentials;
let templateId: string;

before(async () => {
  server = await ServerProcess.start({ USMS_CARRIER_POLL_MS: '200' });
  const a = await server.setupAccount({ region: 'US', sender: 'USMS', templates: ['{1}'] });
  creds = a.creds;
  templateId = a.templateIds[0]!;
  sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1', stallAfter: STALL_AT, receiptDelayMs: 20 });
});

after(async () => {
  const code = await server?.stop();
  await sim?.close();
  assert.equal(code, 0, 'clean exit on SIGTERM');
});

test('a stalled SMSC costs at most one window of unknown messages and a few seconds; the rest is delivered after the rebind', async (t) => {
  const added = await server.cli('carrier', 'add', '--name', 'stally', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1',
    '--prefix', '1415555', '--window', String(WINDOW), '--response-timeout-ms', '2000');
  assert.equal(added.Added, 'stally', JSON.stringify(added));
  await waitFor('carrier bound', async () => (sim.stats.activeBinds > 0 ? true : undefined));

  const targets = Array.from({ length: MESSAGES }, (_, i) => ({ Phone: `+1415555${String(i).padStart(4, '0')}`, TemplateParams: [`stall ${i}`] }));
  const sent = await uspeedoPost(server.url, creds, { Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: [{ TemplateId: templateId, SenderId: 'USMS', Target: targets }] });
  assert.equal(sent.body.RetCode, 0, JSON.stringify(sent.body));
  const sessionNo = sent.body.SessionNo as string;

  const stalled = await waitFor('the SMSC stalled', async () => (sim.stats.stalls > 0 ? performance.now() : undefined));
  const receipts = async () => {
    const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessionNo] });
    assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
    return r.body.Data[0].ReceiptSet as Array<{ Phone: string; ReceiptResult: string; ReceiptCode: string; ReceiptDesc: string }>;
  };
  // Settled: every message has its outcome (delivered, or unknown for good under at-most-once).
  const set = await waitFor('every message settled', async () => {
    const s = await receipts();
    return s.length === MESSAGES && s.every((i) => i.ReceiptCode !== '') ? s : undefined;
  }, 60_000);
  const cost = performance.now() - stalled;

  const unknown = set.filter((i) => i.ReceiptResult === 'UNKNOWN');
  const delivered = set.filter((i) => i.ReceiptCode === 'DELIVRD' && i.ReceiptResult === 'Success');
  assert.ok(unknown.length <= WINDOW, `${unknown.length} unknown: at most the window (${WINDOW}) in flight when the SMSC stalled`);
  assert.ok(unknown.every((i) => i.ReceiptCode === 'UNKNOWN' && /no response/.test(i.ReceiptDesc)), JSON.stringify(unknown.slice(0, 3)));
  assert.equal(delivered.length, MESSAGES - unknown.length, JSON.stringify(set.filter((i) => i.ReceiptCode !== 'DELIVRD' && i.ReceiptResult !== 'UNKNOWN').slice(0, 3)));

  // The unknown ones are exactly those the stalled connection read; nothing was written to it after the
  // first timeout, and nothing was submitted twice (at-most-once).
  assert.equal(sim.stats.stalls, 1);
  assert.equal(sim.stats.stalledSubmits, unknown.length, 'the stalled connection took only the window it had');
  assert.ok(sim.stats.binds >= 2, 'rebound on a new connection');
  const texts = sim.submitted.map((p: PduOf<'submit_sm'>) => p.shortMessage.toString());
  assert.equal(texts.length, MESSAGES, 'each message reached the SMSC once');
  assert.equal(new Set(texts).size, MESSAGES);
  // A response timeout (2 s) + enquire_link unanswered (2 s) + the reconnect delay (0.5-1 s) + delivering the rest.
  assert.ok(cost < 30_000, `the stall cost ${(cost / 1000).toFixed(1)} s`);
  t.diagnostic(`stall cost ${(cost / 1000).toFixed(1)} s; ${unknown.length} unknown, ${delivered.length} delivered; binds ${sim.stats.binds}`);
});
