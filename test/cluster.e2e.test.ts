import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, Workspace, uspeedoPost, waitFor } from './harness.ts';

test('several processes on one database: API nodes accept, a worker node delivers, limits are shared', async () => {
  const ws = await Workspace.create();
  const worker = await ServerProcess.start({ USMS_ROLE: 'worker' }, ws);
  const apiA = await ServerProcess.start({ USMS_ROLE: 'api', USMS_RATE_LIMIT: '10' }, ws);
  const apiB = await ServerProcess.start({ USMS_ROLE: 'api', USMS_RATE_LIMIT: '10' }, ws);
  try {
    const nodes = (await apiA.cli('nodes')).Nodes as Array<{ role: string }>;
    assert.deepEqual(nodes.map((n) => n.role).sort(), ['api', 'api', 'worker']);

    // a worker node serves no API
    const onWorker = await fetch(`${worker.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(onWorker.status, 404);

    const { creds, templateIds } = await apiA.setupAccount({ templates: ['Code {1}'] });
    const sessions: string[] = [];
    for (const [i, node] of [apiA, apiB].entries()) {
      const res = await uspeedoPost(node.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: templateIds[0], SenderId: 'usms', Target: Array.from({ length: 50 }, (_, j) => ({ Phone: `1381234${i}${String(100 + j)}`, TemplateParams: [String(j)] })) }],
      });
      assert.equal(res.body.RetCode, 0, res.body.Message);
      sessions.push(res.body.SessionNo);
    }
    await waitFor('100 messages delivered by the worker node', async () => {
      const r = await uspeedoPost(apiB.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: sessions });
      const delivered = r.body.Data.flatMap((d: any) => d.ReceiptSet).filter((i: any) => i.ReceiptCode === 'DELIVRD').length;
      return delivered === 100 ? true : undefined;
    }, 20_000);
    const inbox = await worker.cli('sandbox', 'inbox', '--limit', '1000');
    assert.equal(inbox.Messages.length, 100, 'each message delivered once');

    // 10 requests/s per key across two API nodes: each node allows 5/s, bursts of 10.
    await new Promise((r) => setTimeout(r, 6_000)); // both nodes have seen each other's heartbeat
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => uspeedoPost(apiA.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessions[0]] })),
    );
    const allowed = burst.filter((r) => r.body.RetCode === 0).length;
    assert.ok(allowed >= 10 && allowed <= 11, `allowed ${allowed} of 30`);
    assert.ok(burst.filter((r) => r.body.RetCode === 200).every((r) => /rate limit/.test(r.body.Message)));
  } finally {
    assert.equal(await apiA.stop(true), 0);
    assert.equal(await apiB.stop(true), 0);
    assert.equal(await worker.stop(true), 0);
    await ws.remove();
  }
});
