// A concatenated inbound (MO) message whose parts arrive on both sides of a server restart: every part
// was acknowledged to the SMSC, so none may be lost. Our simulator is the SMSC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildParts, planMessage } from '../src/carriers/smpp-message.ts';
import { startSimulator } from '../src/smpp/simulator.ts';
import { ServerProcess, waitFor } from './harness.ts';

test('an MO split in three parts, a server restart after the first: stored whole, once, for the MO account', { timeout: 120_000 }, async () => {
  const sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1' });
  const env = { USMS_CARRIER_POLL_MS: '200' };
  let server = await ServerProcess.start(env);
  try {
    const { creds } = await server.setupAccount({ region: 'US', sender: 'USMS', templates: ['{1}'] });
    await server.cli('carrier', 'add', '--name', 'mo1', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms',
      '--password', 'secret1', '--prefix', '1415555', '--mo-account', String(creds.AccountId));
    const bound = () => waitFor('bound', async () => (sim.stats.activeBinds > 0 ? true : undefined));
    await bound();

    const text = 'Please call me back about order 4711, ' + 'the parcel never arrived. '.repeat(14);
    const opts = { gsmPacking: false, latin1: false, split: 'udh8' as const };
    const parts = buildParts(planMessage(text, opts), 42, opts);
    assert.equal(parts.length, 3);
    const deliver = async (i: number) => {
      const p = parts[i]!;
      const ack = await sim.sendMo({ sourceAddr: '14155550123', destinationAddr: '1069000', shortMessage: p.shortMessage, esmClass: p.esmClass, tlvs: p.tlvs });
      assert.equal(ack.status, 0, `part ${i + 1} acknowledged`);
    };
    await deliver(2);
    assert.equal(await server.stop(true), 0);
    await waitFor('unbound', async () => (sim.stats.activeBinds === 0 ? true : undefined));

    server = await ServerProcess.start(env, server.workspace);
    await bound();
    await deliver(0);
    assert.equal((await server.cli('inbound', 'list', '--account', String(creds.AccountId))).Messages.length, 0, 'incomplete: nothing stored yet');
    await deliver(1);
    const listed = await server.cli('inbound', 'list', '--account', String(creds.AccountId));
    assert.equal(listed.Messages.length, 1);
    assert.equal(listed.Messages[0].Content, text);
    assert.equal(listed.Messages[0].Phone, '+14155550123');
  } finally {
    await server.stop();
    sim.close();
  }
});

test('the parts of an MO whose carrier is removed before it completes are stored with what arrived a minute later', { timeout: 150_000 }, async () => {
  const sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1' });
  const server = await ServerProcess.start({ USMS_CARRIER_POLL_MS: '200' });
  try {
    // The number the MO was sent to is the account's approved sender: that is how it is found without the carrier's settings.
    const { creds } = await server.setupAccount({ region: 'US', sender: '1069000', templates: ['{1}'] });
    await server.cli('carrier', 'add', '--name', 'mo-gone', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms',
      '--password', 'secret1', '--prefix', '1415555');
    await waitFor('bound', async () => (sim.stats.activeBinds > 0 ? true : undefined));
    const opts = { gsmPacking: false, latin1: false, split: 'udh8' as const };
    const parts = buildParts(planMessage('First part only. ' + 'The rest never comes. '.repeat(12), opts), 7, opts);
    assert.ok(parts.length >= 2);
    const p = parts[0]!;
    const ack = await sim.sendMo({ sourceAddr: '14155550199', destinationAddr: '1069000', shortMessage: p.shortMessage, esmClass: p.esmClass, tlvs: p.tlvs });
    assert.equal(ack.status, 0);
    await server.cli('carrier', 'remove', '--name', 'mo-gone');
    await waitFor('unbound', async () => (sim.stats.activeBinds === 0 ? true : undefined));
    const inbound = async () => (await server.cli('inbound', 'list', '--account', String(creds.AccountId))).Messages as Array<{ Content: string; Phone: string }>;
    assert.equal((await inbound()).length, 0, 'incomplete: nothing stored yet');
    // Each look is a CLI process: every 2 s, not waitFor's 100 ms.
    let stored = await inbound();
    for (const until = Date.now() + 100_000; stored.length === 0 && Date.now() < until; stored = await inbound()) {
      await new Promise((r) => setTimeout(r, 2_000));
    }
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.Phone, '+14155550199');
    assert.ok(stored[0]!.Content.startsWith('First part only.'), stored[0]!.Content);
  } finally {
    await server.stop();
    sim.close();
  }
});
