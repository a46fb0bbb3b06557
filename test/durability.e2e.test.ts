import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, uspeedoPost, waitFor } from './harness.ts';

test('accepted messages survive a restart: an API-only server stores them, a later server delivers them', async () => {
  // 1. API only: nothing is delivered, everything accepted is stored.
  const api = await ServerProcess.start({ USMS_WORKERS: '0' });
  const workspace = api.workspace;
  try {
    const { creds, templateIds } = await api.setupAccount({ templates: ['Code {1}'] });
    const phones = Array.from({ length: 300 }, (_, i) => `1391235${1000 + i}`); // no ...0000 or ...0001 (sandbox rules)
    const res = await uspeedoPost(api.url, creds, {
      Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
      TaskContent: [{ TemplateId: templateIds[0], SenderId: 'usms', Target: phones.map((Phone, i) => ({ Phone, TemplateParams: [String(i)] })) }],
    });
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.SuccessCount, 300);
    const queued = await uspeedoPost(api.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [res.body.SessionNo] });
    const set = queued.body.Data[0].ReceiptSet;
    assert.equal(set.length, 300);
    assert.ok(set.every((i: any) => i.ReceiptResult === 'UNKNOWN' && i.ReceiptDesc === 'queued for delivery'));
    assert.equal(await api.stop(true), 0);

    // 2. A new process on the same data dir picks the outbox up and delivers everything.
    const worker = await ServerProcess.start({}, workspace);
    try {
      const done = await waitFor('all 300 delivered', async () => {
        const r = await uspeedoPost(worker.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [res.body.SessionNo] });
        const s = r.body.Data[0].ReceiptSet;
        return s.filter((i: any) => i.ReceiptCode === 'DELIVRD').length === 300 ? s : undefined;
      }, 20_000);
      assert.equal(done.length, 300);
      const inbox = await worker.cli('sandbox', 'inbox', '--limit', '1000');
      assert.equal(inbox.Messages.length, 300, 'each message delivered exactly once');
    } finally {
      assert.equal(await worker.stop(true), 0);
    }
  } finally {
    await workspace.remove();
  }
});

test('first start prints the demo credentials and a curl command that works', async () => {
  const server = await ServerProcess.start({ USMS_DEMO: '1' });
  try {
    const out = server.output.join('\n');
    const curl = /curl -s -X POST (\S+) -H 'Content-Type: application\/json' \\\n\s+-H 'Authorization: (Basic [^']+)' \\\n\s+-d '([^']+)'/.exec(out);
    assert.ok(curl, out);
    assert.match(out, /AccountId  6\d{7}/);
    const [, url, auth, body] = curl;
    // The printed address is the configured one; the test server listens on an OS-chosen port.
    const path = new URL(url!).pathname;
    const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth! }, body });
    const json: any = await res.json();
    assert.equal(json.RetCode, 0);
    assert.equal(json.SessionNo.length, 1);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
