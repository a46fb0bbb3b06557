import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { verifyPush } from '../notify/sign.ts';
import { auditPage } from '../store/audit.ts';
import { enqueueItems, MsgType, type ReceiptRecord } from '../store/callbacks.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor, type Role } from './actor.ts';
import { callbackOverview, failedPushes, pushCounts, retryPushes, setCallbackUrl, testPush } from './callbacks.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const user = (accountId: number, role: Role = 'admin'): Actor => ({ userId: 7, email: `${role}@example.com`, role, accountId });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;

/** A receiver: /ok checks the signature with `secret` and answers code 0, /down answers 503. */
async function receiver(secret: string): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/down') return void res.writeHead(503).end('maintenance');
      const signed = verifyPush(secret, body, req.headers);
      bodies.push(JSON.parse(body.toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: signed ? 0 : 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

testOnBothDatabases('callbacks: URL, counts, failed pushes and retry, scoped to the account; writes audited', async (db) => {
  const a = await createAccount(as(db, CLI_ACTOR), { Name: 'a' });
  const b = await createAccount(as(db, CLI_ACTOR), { Name: 'b' });
  const dev = as(db, user(a.AccountId, 'developer'));
  const viewer = as(db, user(a.AccountId, 'viewer'));

  assert.deepEqual(await setCallbackUrl(dev, { Url: ' https://example.com/hook ' }), { AccountId: a.AccountId, Url: 'https://example.com/hook' });
  await assert.rejects(setCallbackUrl(dev, { Url: 'https://user:pw@example.com/' }), refused('bad-input'));
  await assert.rejects(setCallbackUrl(viewer, { Url: '' }), refused('forbidden'));
  await assert.rejects(setCallbackUrl(dev, { AccountId: b.AccountId, Url: 'https://example.com/x' }), refused('not-found'));

  // Two receipts as the store records them, and one queued by a version that stored the customer's item.
  const record = (phone: string): ReceiptRecord => ({
    session_no: 'S', phone, segments: 1, receipt_at: 1_767_322_245_999, status: 'expired', receipt_code: 'EXPIRED', receipt_desc: '', user_id: 'u1',
  });
  const legacy = '{"SessionNo":"S","Phone":"3","CostCount":1,"ReceiptTime":1767322245,"ReceiptResult":"Unknow","ReceiptCode":"","ReceiptDesc":"","UserId":""}';
  await enqueueItems(db, [JSON.stringify(record('1')), JSON.stringify(record('2')), legacy].map((payload) => ({ accountId: a.AccountId, msgType: MsgType.Receipt, payload })));
  await db.updateTable('callback_items').set({ status: 'failed', last_error: 'HTTP 500' }).where('account_id', '=', a.AccountId).execute();
  const overview = await callbackOverview(viewer, {});
  assert.equal(overview.Url, 'https://example.com/hook');
  assert.deepEqual(overview.Counts, { Pending: 0, Retrying: 0, Delivered: 0, Failed: 3 });
  assert.equal(overview.Failed.length, 3);
  // Failed pushes show the item as the customer receives it.
  assert.deepEqual(Object.keys(overview.Failed[0]!), ['Id', 'MsgType', 'Attempts', 'LastError', 'CreateTime', 'FailedTime', 'Data']);
  assert.deepEqual(overview.Failed.map((f) => f.Data), [
    { SessionNo: 'S', Phone: '1', CostCount: 1, ReceiptTime: 1767322245, ReceiptResult: 'Fail', ReceiptCode: 'EXPIRED', ReceiptDesc: '', UserId: 'u1' },
    { SessionNo: 'S', Phone: '2', CostCount: 1, ReceiptTime: 1767322245, ReceiptResult: 'Fail', ReceiptCode: 'EXPIRED', ReceiptDesc: '', UserId: 'u1' },
    JSON.parse(legacy),
  ]);
  assert.deepEqual((await failedPushes(viewer, { Limit: 1 })).Failed.map((f) => f.Data), [overview.Failed[0]!.Data]);
  assert.deepEqual((await failedPushes(viewer, { Limit: 1 })).Total, 3);
  assert.equal((await failedPushes(viewer, { Limit: 1 })).Failed.length, 1);
  await assert.rejects(pushCounts(as(db, user(b.AccountId)), { AccountId: a.AccountId }), refused('not-found'));

  await assert.rejects(retryPushes(viewer, {}), refused('forbidden'));
  await assert.rejects(retryPushes(dev, { Ids: ['x'] }), refused('bad-input'));
  assert.deepEqual(await retryPushes(as(db, user(b.AccountId)), { Ids: overview.Failed.map((f) => f.Id) }), { AccountId: b.AccountId, Requeued: 0 }, "another account's items are not touched");
  assert.deepEqual(await retryPushes(dev, { Ids: [overview.Failed[0]!.Id] }), { AccountId: a.AccountId, Requeued: 1 });
  assert.deepEqual(await retryPushes(dev, {}), { AccountId: a.AccountId, Requeued: 2 });
  assert.deepEqual(await pushCounts(viewer, {}), { AccountId: a.AccountId, Pending: 3, Retrying: 0, Delivered: 0, Failed: 0 });

  const actions = (await auditPage(db, { accountId: a.AccountId, limit: 10 })).map((e) => e.Action);
  assert.deepEqual(actions.slice(0, 3), ['callback.retry', 'callback.retry', 'callback.set']);
});

testOnBothDatabases('a test push is signed like real pushes and answers what the receiver said', async (db) => {
  const a = await createAccount(as(db, CLI_ACTOR), { Name: 'a' });
  const admin = as(db, user(a.AccountId));
  const hook = await receiver(a.PrivateKey);
  try {
    await assert.rejects(testPush(admin, {}), refused('bad-input'), 'no URL yet');
    await assert.rejects(testPush(as(db, user(a.AccountId, 'viewer')), {}), refused('forbidden'));

    await setCallbackUrl(admin, { Url: `${hook.url}/ok` });
    const ok = await testPush(admin, {});
    assert.deepEqual({ ...ok, Status: undefined }, { AccountId: a.AccountId, Url: `${hook.url}/ok`, Delivered: true, Status: undefined, Error: '' });
    const body = hook.bodies[0] as { MsgType: number; Data: Array<Record<string, unknown>> };
    assert.equal(body.MsgType, MsgType.Receipt);
    assert.equal(body.Data.length, 1);
    assert.deepEqual(Object.keys(body.Data[0]!), ['SessionNo', 'Phone', 'CostCount', 'ReceiptTime', 'ReceiptResult', 'ReceiptCode', 'ReceiptDesc', 'UserId']);
    assert.deepEqual({ ...body.Data[0], SessionNo: '', ReceiptTime: 0 }, {
      SessionNo: '', Phone: '', CostCount: 0, ReceiptTime: 0, ReceiptResult: 'Success', ReceiptCode: 'TEST', ReceiptDesc: 'usms test push', UserId: '',
    });
    assert.match(String(body.Data[0]!.SessionNo), /^TEST-[0-9a-f]{12}$/);
    assert.ok(Number.isInteger(body.Data[0]!.ReceiptTime) && Math.abs(Number(body.Data[0]!.ReceiptTime) - Date.now() / 1000) < 60, 'unix seconds');

    await setCallbackUrl(admin, { Url: `${hook.url}/down` });
    const down = await testPush(admin, {});
    assert.deepEqual([down.Delivered, down.Status], [false, 503]);
    assert.match(down.Error, /^HTTP 503/);

    const [entry] = await auditPage(db, { accountId: a.AccountId, limit: 1 });
    assert.deepEqual([entry!.Action, entry!.Detail], ['callback.test', { Url: `${hook.url}/down`, Delivered: false, Status: 503 }]);
    assert.deepEqual(await pushCounts(admin, {}), { AccountId: a.AccountId, Pending: 0, Retrying: 0, Delivered: 0, Failed: 0 }, 'nothing queued');
  } finally {
    await hook.close();
  }
});
