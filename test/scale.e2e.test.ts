// Issue 5: several API and worker processes on one database, through our SMSC simulator.
// USMS_SCALE_MESSAGES sets the volume (default 100000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/smpp/simulator.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/store/db.ts';
import { ServerProcess, Workspace, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const MESSAGES = Number(process.env.USMS_SCALE_MESSAGES ?? 100_000);
const BATCH = 1000;
const WINDOW = 50;
/** Claimed ahead of the window: a killed worker leaves at most WINDOW + PREFETCH unknown. */
const PREFETCH = 25;
const NODE_ENV = { USMS_CARRIER_POLL_MS: '500', USMS_LOG_LEVEL: 'error', USMS_RATE_LIMIT: '0', USMS_LEASE_MS: '6000' };

/** Each submit_sm the SMSC accepted, counted per destination number. */
function countingSimulator(extra: SimulatorOptions = {}): Promise<{ sim: Simulator; perDestination: Map<string, number> }> {
  const perDestination = new Map<string, number>();
  return startSimulator({
    systemId: 'usms', password: 'secret1', receiptDelayMs: 20,
    outcome: (submit) => {
      perDestination.set(submit.destinationAddr, (perDestination.get(submit.destinationAddr) ?? 0) + 1);
      return 'DELIVRD';
    },
    keepSubmitted: 0,
    ...extra,
  }).then((sim) => ({ sim, perDestination }));
}

const phoneOf = (i: number) => `139${String(10_000_000 + i)}`;

/**
 * Sends `count` messages in batches of 1000 over the API nodes, 4 requests at a time. Each batch has
 * its own Idempotency-Key, so a batch whose node died mid-request is sent again to another node
 * without a double send. `apis` may change while it runs (nodes crash and come back).
 */
async function sendAll(apis: ServerProcess[], creds: Credentials, templateId: string, from: number, count: number) {
  let accepted = 0;
  const batches = Array.from({ length: Math.ceil(count / BATCH) }, (_, b) => b);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (;;) {
        const b = next++;
        if (b >= batches.length) return;
        const n = Math.min(BATCH, count - b * BATCH);
        const body = {
          Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
          TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: Array.from({ length: n }, (_, i) => ({ Phone: phoneOf(from + b * BATCH + i), TemplateParams: [String(i)] })) }],
        };
        for (let attempt = 0; ; attempt++) {
          const api = apis[(b + attempt) % apis.length]!;
          try {
            const res = await uspeedoPost(api.url, creds, body, { headers: { 'idempotency-key': `batch-${from}-${b}` } });
            assert.equal(res.body.RetCode, 0, res.body.Message);
            accepted += res.body.SuccessCount;
            break;
          } catch (err) {
            if (err instanceof assert.AssertionError || attempt > 20) throw err;
            await new Promise((r) => setTimeout(r, 200)); // the node is gone: another one takes the batch
          }
        }
      }
    }),
  );
  return accepted;
}

async function statusCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The simulator as the default carrier: at most 2 binds in the cluster, window WINDOW, prefetch PREFETCH. */
async function addSimulatorCarrier(api: ServerProcess, port: number) {
  await api.cli('carrier', 'add', '--name', 'sim', '--host', '127.0.0.1', '--port', String(port), '--system-id', 'usms',
    '--password', 'secret1', '--default', '--binds', '2', '--window', String(WINDOW), '--prefetch', String(PREFETCH));
}

test(`2 API + 3 worker processes, ${MESSAGES} messages: each submitted once, the bind limit holds`, { timeout: 900_000 }, async () => {
  const ws = await Workspace.create();
  const { sim, perDestination } = await countingSimulator();
  const workers: ServerProcess[] = [];
  const apis: ServerProcess[] = [];
  for (let i = 0; i < 2; i++) apis.push(await ServerProcess.start({ ...NODE_ENV, USMS_ROLE: 'api' }, ws));
  const db = await openDatabase(loadConfig(ws.env));
  try {
    const { creds, templateIds } = await apis[0]!.setupAccount({ templates: ['Code {1}'] });
    // The carrier exists before the worker nodes start: a node only learns of a new route at its next
    // reload (USMS_CARRIER_POLL_MS), and meanwhile its sandbox would take the messages.
    await addSimulatorCarrier(apis[0]!, sim.port);
    for (let i = 0; i < 3; i++) workers.push(await ServerProcess.start({ ...NODE_ENV, USMS_ROLE: 'worker' }, ws));
    await waitFor('two binds', async () => (sim.stats.activeBinds === 2 ? true : undefined), 20_000);

    const started = Date.now();
    console.log('# sending');
    const accepted = await sendAll(apis, creds, templateIds[0]!, 0, MESSAGES);
    console.log('# accepted', accepted, 'in', (Date.now() - started) / 1000, 's', JSON.stringify(sim.stats));
    assert.equal(accepted, MESSAGES);
    await waitFor('every message delivered', async () => ((await statusCounts(db)).delivered === MESSAGES ? true : undefined), 600_000);
    const seconds = (Date.now() - started) / 1000;

    assert.equal(perDestination.size, MESSAGES, 'every message reached the SMSC');
    const twice = [...perDestination.values()].filter((n) => n !== 1).length;
    assert.equal(twice, 0, `${twice} messages were submitted more than once`);
    assert.ok(sim.stats.maxConcurrentBinds <= 2, `the SMSC saw ${sim.stats.maxConcurrentBinds} binds at once`);
    console.log(`# scale: ${MESSAGES} messages through 2 API + 3 worker processes in ${seconds.toFixed(1)} s; binds at most ${sim.stats.maxConcurrentBinds}`);
  } finally {
    await db.destroy();
    for (const p of [...apis, ...workers]) await p.stop(true);
    await sim.close();
    await ws.remove();
  }
});

test(`kill -9 a worker, then an API process, mid-run: every accepted message ends final, unknown at most a window plus the prefetch`, { timeout: 900_000 }, async () => {
  const ws = await Workspace.create();
  // Slow answers keep the window full, so the crash really catches PDUs in flight.
  const { sim, perDestination } = await countingSimulator({ responseDelayMs: 5 });
  const workers: ServerProcess[] = [];
  const apis: ServerProcess[] = [];
  for (let i = 0; i < 2; i++) apis.push(await ServerProcess.start({ ...NODE_ENV, USMS_ROLE: 'api' }, ws));
  const db = await openDatabase(loadConfig(ws.env));
  try {
    const { creds, templateIds } = await apis[0]!.setupAccount({ templates: ['Code {1}'] });
    await addSimulatorCarrier(apis[0]!, sim.port);
    for (let i = 0; i < 2; i++) workers.push(await ServerProcess.start({ ...NODE_ENV, USMS_ROLE: 'worker' }, ws));
    await waitFor('two binds', async () => (sim.stats.activeBinds === 2 ? true : undefined), 20_000);

    const sending = sendAll(apis, creds, templateIds[0]!, 0, MESSAGES);
    await waitFor('delivery under way', async () => (sim.stats.submits > MESSAGES / 10 ? true : undefined), 120_000);
    await workers[0]!.crash();
    workers[0] = await ServerProcess.start({ ...NODE_ENV, USMS_ROLE: 'worker' }, ws);
    await new Promise((r) => setTimeout(r, 1000));
    await apis[0]!.crash();
    apis[0] = await ServerProcess.start({ ...NODE_ENV, USMS_ROLE: 'api' }, ws);
    const accepted = await sending;
    assert.equal(accepted, MESSAGES, 'every batch was accepted (once) by some API node');

    const counts = await waitFor('every message final', async () => {
      const c = await statusCounts(db);
      return (c.queued ?? 0) + (c.sending ?? 0) + (c.sent ?? 0) === 0 ? c : undefined;
    }, 600_000);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`# crash: ${JSON.stringify(counts)} of ${total}; SMSC saw ${perDestination.size} numbers, max binds ${sim.stats.maxConcurrentBinds}`);
    assert.equal(total, MESSAGES, 'every accepted message is stored once');
    const unseen = (await db.selectFrom('messages').select(['e164', 'status', 'carrier', 'carrier_msg_id', 'attempts', 'receipt_desc']).execute())
      .filter((m) => m.status === 'delivered' && !perDestination.has(m.e164.slice(1)));
    if (unseen.length) console.log('# delivered but never seen by the SMSC:', unseen.length, JSON.stringify(unseen.slice(0, 3)), JSON.stringify([...perDestination.keys()].slice(0, 2)));
    assert.equal(unseen.length, 0, 'delivered means the SMSC had it');
    assert.equal((counts.delivered ?? 0) + (counts.unknown ?? 0), MESSAGES, 'each final: delivered, or unknown when the crash hid the outcome');
    assert.ok((counts.unknown ?? 0) <= WINDOW + PREFETCH, `${counts.unknown} unknown, more than the window and prefetch (${WINDOW} + ${PREFETCH}) of the one killed worker`);
    const twice = [...perDestination.values()].filter((n) => n > 1).length;
    assert.equal(twice, 0, 'at-most-once: nothing submitted twice');
    assert.ok(sim.stats.maxConcurrentBinds <= 2);
  } finally {
    await db.destroy();
    for (const p of [...apis, ...workers]) await p.stop(true);
    await sim.close();
    await ws.remove();
  }
});
