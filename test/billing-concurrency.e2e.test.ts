import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/store/db.ts';
import { e2eOnPostgres } from './databases.ts';
import { ServerProcess, Workspace, uspeedoPost } from './harness.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');
const REQUESTS = 240;
const IN_FLIGHT = 40;
const TOPUPS = 5;

/**
 * One prepaid account hammered from every side at once: single-message requests spread over several
 * API nodes (on PostgreSQL; one node on SQLite, the embedded default), while the CLI tops the account
 * up from processes of its own. Afterwards ledger, balance and messages must agree to the micro-unit:
 * nothing overspent, no charge lost or doubled, every accepted request stored, every refused one not.
 */
test('one account hammered by several API nodes and the CLI at once: ledger, balance and messages reconcile', async () => {
  const ws = await Workspace.create();
  const servers: ServerProcess[] = [];
  // Started one after the other: each runs the migrations on start.
  for (let i = 0; i < (e2eOnPostgres ? 3 : 1); i++) servers.push(await ServerProcess.start({ USMS_RATE_LIMIT: '0' }, ws));
  const main = servers[0]!;
  const db = await openDatabase({ ...loadConfig({ ...process.env, ...ws.env }), migrateOnStart: false });
  try {
    await main.cli('price', 'set', '--prefix', '86', '--price', '0.01');
    const { creds, templateIds } = await main.setupAccount({ templates: ['Code {1}'] });
    const id = creds.AccountId;
    await main.cli('account', 'topup', '--account', String(id), '--amount', '0.50');

    const answers: number[] = [];
    let next = 0;
    const client = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const node = servers[i % servers.length]!;
        const res = await uspeedoPost(node.url, creds, {
          Action: 'SendBatchUSMSMessage', AccountId: id,
          TaskContent: [{ TemplateId: templateIds[0], SenderId: 'usms', Target: [{ Phone: `1391234${String(i).padStart(4, '0')}`, TemplateParams: [String(i)] }] }],
        });
        answers.push(res.body.RetCode);
      }
    };
    const topups = Array.from({ length: TOPUPS }, async (_, i) => {
      await new Promise((r) => setTimeout(r, 200 * i));
      await run(process.execPath, ['--import', 'tsx', CLI, 'account', 'topup', '--account', String(id), '--amount', '0.10', '--note', `t${i}`, '--json'], { env: main.env });
    });
    await Promise.all([...Array.from({ length: IN_FLIGHT }, client), ...topups]);

    const accepted = answers.filter((c) => c === 0).length;
    const refused = answers.filter((c) => c === 18013).length;
    assert.equal(accepted + refused, REQUESTS, `only 0 and 18013: ${[...new Set(answers)]}`);
    assert.ok(accepted >= 50 && accepted <= 100, `between the first balance and all the money: ${accepted}`);
    assert.ok(refused > 0, 'the balance ran out at least once');

    const messages = await db.selectFrom('messages').select(['session_no', 'charge']).where('account_id', '=', id).execute();
    assert.equal(messages.length, accepted, 'every accepted request stored, no refused one');
    assert.ok(messages.every((m) => Number(m.charge) === 10_000));

    const ledger = await db.selectFrom('ledger').selectAll().where('account_id', '=', id).orderBy('id').execute();
    const charges = ledger.filter((e) => e.kind === 'charge');
    assert.equal(charges.length, accepted, 'one charge a request');
    assert.deepEqual(charges.map((c) => c.ref).sort(), [...new Set(messages.map((m) => m.session_no))].sort(), 'each stored session charged exactly once');
    assert.equal(ledger.filter((e) => e.kind === 'topup').length, 1 + TOPUPS);

    const account = await db.selectFrom('accounts').select('balance').where('id', '=', id).executeTakeFirstOrThrow();
    const balance = Number(account.balance);
    assert.equal(balance, 1_000_000 - accepted * 10_000, 'balance = money in - charges');
    assert.equal(ledger.reduce((s, e) => s + Number(e.amount), 0), balance, 'balance = the sum of the ledger');
    assert.ok(balance >= 0, 'a prepaid account never overspends');
    // Each row's balance_after is the running sum in the order the movements committed.
    let running = 0;
    for (const e of ledger) {
      running += Number(e.amount);
      assert.ok(Number(e.balance_after) >= 0, `never under zero (ledger ${e.id})`);
    }
    assert.equal(running, balance);
  } finally {
    await db.destroy();
    for (const s of servers.slice(1)) await s.stop(true);
    await main.stop();
  }
});
