// Routes with failover: two carriers on one route, the first stops mid-traffic, the second takes over;
// an HTTP carrier that starts answering 503 fails over to SMPP. Every server and port is closed here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { openDatabase, type Db } from '../src/store/db.ts';
import { TwilioFake } from './fakes/twilio-fake.ts';
import { ServerProcess, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const MESSAGES = Number(process.env.USMS_FAILOVER_MESSAGES ?? 20_000);
const BATCH = 1000;

/** A simulator that counts each submit_sm per destination (a message to the same number twice is a duplicate). */
async function countingSim(): Promise<{ sim: Simulator; perDestination: Map<string, number> }> {
  const perDestination = new Map<string, number>();
  const sim = await startSimulator({
    systemId: 'usms', password: 'secret1', receiptDelayMs: 20, keepSubmitted: 0, keepReceiptsMs: 600_000,
    outcome: (submit) => {
      perDestination.set(submit.destinationAddr, (perDestination.get(submit.destinationAddr) ?? 0) + 1);
      return 'DELIVRD';
    },
  });
  return { sim, perDestination };
}

describe('routes with failover', () => {
  let server: ServerProcess;
  let db: Db;
  let creds: Credentials;
  let templateId: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    server = await ServerProcess.start({ USMS_CARRIER_POLL_MS: '200', USMS_RATE_LIMIT: '0', USMS_LOG_LEVEL: 'error' });
    const a = await server.setupAccount({ region: 'GB', sender: 'usms', templates: ['{1}'] });
    creds = a.creds;
    templateId = a.templateIds[0]!;
    db = await openDatabase(loadConfig(server.env));
  });
  after(async () => {
    await db.destroy();
    assert.equal(await server.stop(), 0);
    for (const c of cleanups.reverse()) await c();
  });

  async function sendRange(prefix: string, from: number, count: number): Promise<void> {
    for (let b = 0; b * BATCH < count; b++) {
      const n = Math.min(BATCH, count - b * BATCH);
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: Array.from({ length: n }, (_, i) => ({ Phone: `+${prefix}${String(from + b * BATCH + i).padStart(6, '0')}`, TemplateParams: [`m${i}`] })) }],
      });
      assert.equal(res.body.RetCode, 0, JSON.stringify(res.body));
    }
  }

  async function statusCounts(prefix: string): Promise<Record<string, number>> {
    const rows = await db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('e164', 'like', `+${prefix}%`).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  test(`two SMSCs on one route: the first goes down in the middle of ${MESSAGES} messages, the second delivers the rest, the first takes traffic again when it returns`, async () => {
    const a = await countingSim();
    const b = await countingSim();
    cleanups.push(() => a.sim.close(), () => b.sim.close());
    const prefix = '447700';
    for (const [name, sim, priority] of [['smsc-a', a.sim, '0'], ['smsc-b', b.sim, '1']] as const) {
      await server.cli('carrier', 'add', '--name', name, '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1',
        '--prefix', prefix, '--priority', priority, '--policy', 'at-least-once', '--window', '50');
    }
    await waitFor('both bound', async () => (a.sim.stats.activeBinds && b.sim.stats.activeBinds ? true : undefined));
    const sending = sendRange(prefix, 0, MESSAGES);
    await waitFor('a quarter through smsc-a', async () => (a.perDestination.size >= MESSAGES / 4 ? true : undefined), 120_000);
    a.sim.setDown(true);
    const downAt = a.perDestination.size;
    await sending;
    // Everything the first had not accepted is delivered through the second; what it had accepted is
    // `sent`, its receipt owed by the first (a carrier that accepted a message is never sent it again).
    let last: Record<string, number> = {};
    const sentByA = async () => Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('e164', 'like', `+${prefix}%`).where('status', '=', 'sent').where('carrier', '=', 'smsc-a').executeTakeFirst())?.n);
    await waitFor('every message delivered, or accepted by smsc-a before it went down', async () => {
      const c = (last = await statusCounts(prefix));
      return (c.delivered ?? 0) + (await sentByA()) === MESSAGES ? c : undefined;
    }, 180_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
    assert.ok(b.perDestination.size > 0 && downAt < MESSAGES, 'the second carrier took over');
    // smsc-a is back: it owes the receipts of what it accepted, and as the first carrier of the route it takes the new traffic.
    a.sim.setDown(false);
    await waitFor('every message delivered', async () => {
      const c = (last = await statusCounts(prefix));
      return (c.delivered ?? 0) === MESSAGES ? c : undefined;
    }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
    for (const [name, s] of [['smsc-a', a], ['smsc-b', b]] as const) {
      const twice = [...s.perDestination].filter(([, n]) => n > 1);
      assert.deepEqual(twice.slice(0, 5), [], `${name} was sent ${twice.length} messages twice`);
    }
    // Every message is in exactly one carrier's hands, or was refused by the first and sent by the second.
    const viaA = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('e164', 'like', `+${prefix}%`).where('carrier', '=', 'smsc-a').executeTakeFirst();
    assert.equal(Number(viaA?.n), [...a.perDestination.keys()].filter((d) => !b.perDestination.has(d)).length, 'messages recorded for smsc-a are those only it had');
    // The attempts that failed over are in the message's history.
    const attempts = await db.selectFrom('message_attempts').select(['carrier', 'result']).where('carrier', '=', 'smsc-a').execute();
    assert.ok(attempts.length > 0, 'the refused attempts are recorded');

    await waitFor('smsc-a bound again', async () => (a.sim.stats.activeBinds ? true : undefined), 60_000);
    const before = a.perDestination.size;
    await waitFor('smsc-a ready again', async () => {
      const s = await server.cli<any>('carrier', 'status', '--name', 'smsc-a');
      return s.Carriers[0]?.Ready ? true : undefined;
    }, 30_000);
    await sendRange(prefix, MESSAGES, 200);
    await waitFor('the new messages delivered', async () => ((await statusCounts(prefix)).delivered === MESSAGES + 200 ? true : undefined), 60_000);
    assert.equal(a.perDestination.size - before, 200, 'the returning carrier took all the new traffic');
    for (const name of ['smsc-a', 'smsc-b']) await server.cli('carrier', 'remove', '--name', name);
  });

  test('an HTTP carrier that starts answering 503 fails over to SMPP; nothing is lost or sent twice', async () => {
    const twilio = await TwilioFake.start({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'token-1' });
    const smsc = await countingSim();
    cleanups.push(() => twilio.close(), () => smsc.sim.close());
    const prefix = '447800';
    server.env.TWILIO_TEST_TOKEN = 'token-1';
    await server.cli('carrier', 'add', '--kind', 'http', '--preset', 'twilio', '--name', 'twilio', '--base-url', twilio.url,
      '--username', 'AC0123456789abcdef0123456789abcdef', '--password-env', 'TWILIO_TEST_TOKEN', '--from', '+15005550006', '--prefix', prefix, '--priority', '0');
    await server.cli('carrier', 'add', '--name', 'smsc-c', '--host', '127.0.0.1', '--port', String(smsc.sim.port), '--system-id', 'usms', '--password', 'secret1',
      '--prefix', prefix, '--priority', '1');
    await waitFor('smsc-c bound', async () => (smsc.sim.stats.activeBinds ? true : undefined));
    await sendRange(prefix, 0, 100);
    await waitFor('the first 100 through twilio', async () => (twilio.messages.length >= 100 ? true : undefined), 60_000);
    twilio.failWith(503);
    await sendRange(prefix, 100, 400);
    await waitFor('every message sent', async () => {
      const c = await statusCounts(prefix);
      return (c.sent ?? 0) + (c.delivered ?? 0) === 500 ? c : undefined;
    }, 120_000);
    const twice = [...smsc.perDestination].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'nothing sent twice to the SMSC');
    const viaTwilio = new Set(twilio.messages.map((m: any) => m.to));
    assert.equal(viaTwilio.size, twilio.messages.length, 'nothing sent twice to Twilio');
    for (const d of smsc.perDestination.keys()) assert.ok(!viaTwilio.has(`+${d}`), `${d} went to both carriers`);
    assert.equal(viaTwilio.size + smsc.perDestination.size, 500);
    assert.ok(smsc.perDestination.size >= 300, `${smsc.perDestination.size} failed over to SMPP`);
    const attempts = await db.selectFrom('message_attempts').select('code').where('carrier', '=', 'twilio').execute();
    assert.ok(attempts.length > 0 && attempts.every((r) => r.code !== ''), 'the refusals are in the messages\' history');
    for (const name of ['twilio', 'smsc-c']) await server.cli('carrier', 'remove', '--name', name);
  });
});
