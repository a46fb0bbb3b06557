import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { startSimulator, type Simulator } from '../src/smpp/simulator.ts';
import { openDatabase, type Db } from '../src/store/db.ts';
import { ServerProcess, restPost, ucloudGet, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/**
 * Billing end to end, in every dialect: a prepaid account with no money is refused with 18013 and
 * nothing is stored; after a top-up the same request is charged price x segments; a message that
 * fails before any carrier took it is refunded once.
 */
describe('billing', () => {
  let server: ServerProcess;
  let db: Db;
  let sim: Simulator;

  before(async () => {
    server = await ServerProcess.start();
    db = await openDatabase({ ...loadConfig({ ...process.env, ...server.workspace.env }), migrateOnStart: false });
    // Billing is off on a fresh install: an account made now keeps sending as postpaid once it is on.
    const early = await server.cli<Credentials>('account', 'create', '--name', 'early');
    assert.equal((await server.cli('account', 'balance', '--account', String(early.AccountId))).Mode, 'free');
    const on = await server.cli('price', 'set', '--prefix', '86', '--price', '0.05', '--currency', 'CNY');
    assert.equal(on.BillingTurnedOn, true);
    assert.deepEqual(await server.cli('account', 'balance', '--account', String(early.AccountId)), { AccountId: early.AccountId, Balance: '0.00', Currency: 'CNY', Mode: 'postpaid' });
    await server.cli('price', 'set', '--prefix', '44', '--price', '0.10');
    sim = await startSimulator({ port: 0, systemId: 'usms', password: 'secret1' });
  });

  after(async () => {
    await db?.destroy();
    await sim?.close();
    await server?.stop();
  });

  async function account() {
    const { creds, templateIds } = await server.setupAccount({ sender: 'Acme', templates: ['Your code is {1}'] });
    return { creds, templateId: templateIds[0]! };
  }

  const tasks = (templateId: string, phones: string[], param = '123456', sender = 'Acme') =>
    [{ TemplateId: templateId, SigContent: sender, SenderId: sender, Target: phones.map((Phone) => ({ Phone, TemplateParams: [param] })) }];

  /** One batch in the dialect; answers RetCode (USMS family for REST too, via its own table) and the raw body. */
  const senders: Record<string, (c: Credentials, templateId: string, phones: string[], param?: string, sender?: string) => Promise<any>> = {
    ucloud: async (c, t, phones, param, sender) =>
      (await ucloudPostForm(server.url, c, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from(JSON.stringify(tasks(t, phones, param, sender))).toString('base64') })).body,
    uspeedo: async (c, t, phones, param) => (await uspeedoPost(server.url, c, { Action: 'SendBatchUSMSMessage', AccountId: c.AccountId, TaskContent: tasks(t, phones, param) })).body,
    rest: async (c, t, phones, param) => (await restPost(server.url, c, '/api/v1/usms/SendBatchUSMSMessage', { TaskContent: tasks(t, phones, param) })).body,
  };
  const INSUFFICIENT: Record<string, number> = { ucloud: 18013, uspeedo: 18013, rest: 215392 };

  const stored = async (accountId: number) =>
    Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow()).n);
  const balance = async (accountId: number) => (await server.cli('account', 'balance', '--account', String(accountId))).Balance as string;
  const ledger = async (accountId: number) => (await server.cli('ledger', '--account', String(accountId))).Entries as Array<{ Kind: string; Amount: string; BalanceAfter: string; Ref: string }>;

  for (const dialect of Object.keys(senders)) {
    test(`${dialect}: no money, 18013 and nothing stored; after a top-up the request is charged price x segments`, async () => {
      const { creds, templateId } = await account();
      const id = creds.AccountId;
      assert.equal(await balance(id), '0.00');
      const refused = await senders[dialect]!(creds, templateId, ['13800138000', '13800138001']);
      assert.equal(refused.RetCode, INSUFFICIENT[dialect], JSON.stringify(refused));
      assert.match(refused.Message, /insufficient balance/);
      assert.equal(await stored(id), 0);

      await server.cli('account', 'topup', '--account', String(id), '--amount', '0.12', '--note', 'trial');
      // 0.12 covers two messages of one segment (0.10), not three (0.15): refused whole
      const tooMany = await senders[dialect]!(creds, templateId, ['13800138000', '13800138001', '13800138002']);
      assert.equal(tooMany.RetCode, INSUFFICIENT[dialect]);
      assert.equal(await stored(id), 0);
      const ok = await senders[dialect]!(creds, templateId, ['13800138000', '13800138001']);
      assert.equal(ok.RetCode, 0, JSON.stringify(ok));
      assert.equal(await stored(id), 2);
      assert.equal(await balance(id), '0.02');
      const entries = await ledger(id);
      assert.deepEqual(entries.map((e) => [e.Kind, e.Amount, e.BalanceAfter]), [['topup', '0.12', '0.12'], ['charge', '-0.10', '0.02']]);
      const sessionNo = Array.isArray(ok.SessionNo) ? ok.SessionNo[0] : ok.SessionNo;
      assert.equal(entries[1]!.Ref, sessionNo);
    });
  }

  test('a long message costs its price times its segments (CostCount)', async () => {
    const { creds, templateId } = await account();
    await server.cli('account', 'topup', '--account', String(creds.AccountId), '--amount', '1.00');
    const ok = await senders.uspeedo!(creds, templateId, ['13800138000'], '验证码'.repeat(30));
    assert.equal(ok.RetCode, 0);
    const receipt = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [ok.SessionNo] });
    const cost = receipt.body.Data[0].ReceiptSet[0].CostCount as number;
    assert.ok(cost >= 2, `a long message: ${cost} segments`);
    assert.equal(await balance(creds.AccountId), (1 - 0.05 * cost).toFixed(2));
  });

  test('an unpriced destination is refused per target; the priced ones go', async () => {
    const { creds, templateId } = await account();
    await server.cli('account', 'topup', '--account', String(creds.AccountId), '--amount', '1.00');
    const res = await senders.uspeedo!(creds, templateId, ['13800138000', '+16502530000']);
    assert.equal(res.RetCode, 0);
    assert.equal(res.FailContent.length, 1);
    assert.match(res.FailContent[0].FailureDetails ?? JSON.stringify(res.FailContent[0]), /no price/);
    assert.equal(await balance(creds.AccountId), '0.95');
  });

  test('a message that fails before any carrier took it is refunded once', async () => {
    // An SMPP carrier for +44: a sender that is no valid originating address (not ASCII) is refused
    // before anything is submitted.
    await server.cli('carrier', 'add', '--name', 'uk', '--host', '127.0.0.1', '--port', String(sim.port), '--system-id', 'usms', '--password', 'secret1', '--prefix', '44');
    const { creds, templateId } = await account();
    const id = creds.AccountId;
    await server.cli('sender', 'create', '--account', String(id), '--name', '优刻得', '--approve');
    await server.cli('account', 'topup', '--account', String(id), '--amount', '1.00');
    const res = await senders.ucloud!(creds, templateId, ['(44)7911123456'], '1', '优刻得');
    assert.equal(res.RetCode, 0, JSON.stringify(res));
    const receipts = await waitFor('the failure', async () => {
      const r = await ucloudGet(server.url, creds, { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': res.SessionNo });
      const set = r.body.Data?.[0]?.ReceiptSet ?? [];
      return set.length && set[0].ReceiptResult === 'SubmitFail' ? set : undefined;
    }, 30_000);
    assert.equal(receipts.length, 1);
    await waitFor('the refund', async () => ((await balance(id)) === '1.00' ? true : undefined), 10_000);
    const entries = await ledger(id);
    assert.deepEqual(entries.map((e) => [e.Kind, e.Amount, e.BalanceAfter]), [['topup', '1.00', '1.00'], ['charge', '-0.10', '0.90'], ['refund', '0.10', '1.00']]);
    const row = await db.selectFrom('messages').select(['charge', 'refunded', 'status']).where('account_id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual([Number(row.charge), Number(row.refunded), row.status], [100_000, 1, 'failed']);
  });

  test('the statistics show spend next to volume once the account pays', async () => {
    const { creds, templateId } = await account();
    await server.cli('account', 'topup', '--account', String(creds.AccountId), '--amount', '1.00');
    assert.equal((await senders.uspeedo!(creds, templateId, ['13800138000', '13800138001', '13800138002'])).RetCode, 0);
    const day = new Date().toISOString().slice(0, 10);
    const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendStatistics', AccountId: creds.AccountId, StartDate: day, EndDate: day });
    assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
    assert.deepEqual([r.body.StatisticsData.SendCount, r.body.StatisticsData.Spend, r.body.StatisticsData.Currency], [3, '0.15', 'CNY']);
    assert.equal(r.body.Data[0].Spend, '0.15');
  });

  test('the balance always equals the sum of the ledger', async () => {
    const rows = await db.selectFrom('accounts').select(['id', 'balance']).execute();
    for (const r of rows) {
      const sum = await db.selectFrom('ledger').select((eb) => eb.fn.sum<string | number | null>('amount').as('s')).where('account_id', '=', r.id).executeTakeFirst();
      assert.equal(Number(sum?.s ?? 0), Number(r.balance), `account ${r.id}`);
    }
  });
});
