import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { UsmsApiError, UsmsClient, UsmsUsageError, sign, type Dialect } from '../src/client/index.ts';
import type { TemplateInfo } from '../src/client/types.ts';
import { ServerProcess, waitFor, type Credentials } from './harness.ts';
import { LossyProxy } from './lossy-proxy.ts';

/** The SDK (src/client) against the real server, in each dialect; idempotent retries end to end. */
describe('SDK end to end', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let tpl1: string; // "Your verification code is {1}"
  let tpl2: string; // "{1}, your code is {2}"
  let phoneSeq = 0;
  /** A fresh mainland number per use, so inbox counts are exact. */
  const phone = () => `1391${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;

  before(async () => {
    server = await ServerProcess.start();
    const a = await server.setupAccount({ sender: 'SCloud', templates: ['Your verification code is {1}', '{1}, your code is {2}'] });
    creds = a.creds;
    [tpl1, tpl2] = a.templateIds as [string, string];
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const client = (dialect: Dialect, url = server.url, extra: Partial<ConstructorParameters<typeof UsmsClient>[0]> = {}) =>
    new UsmsClient({
      url,
      dialect,
      publicKey: creds.PublicKey,
      privateKey: creds.PrivateKey,
      projectId: creds.ProjectId,
      accountId: creds.AccountId,
      retryDelayMs: 20,
      ...extra,
    });
  const senderOf = (d: Dialect) => (d === 'ucloud' ? { SigContent: 'SCloud' } : { SenderId: 'SCloud' });
  const e164 = (p: string) => '+86' + p;

  /** How many messages the sandbox carrier took for each phone, once `expected` have arrived (then a pause, to catch extras). */
  async function inboxCounts(phones: string[], expected: number): Promise<Map<string, number>> {
    const wanted = new Set(phones.map(e164));
    const counts = async () => {
      const box = await server.cli('sandbox', 'inbox', '--limit', '1000');
      const m = new Map<string, number>();
      for (const msg of box.Messages) if (wanted.has(msg.Phone)) m.set(msg.Phone, (m.get(msg.Phone) ?? 0) + 1);
      return m;
    };
    await waitFor('sandbox deliveries', async () => {
      const m = await counts();
      return [...m.values()].reduce((a, b) => a + b, 0) >= expected ? m : undefined;
    });
    await new Promise((r) => setTimeout(r, 600));
    return counts();
  }

  for (const dialect of ['ucloud', 'uspeedo', 'rest'] as const) {
    describe(`${dialect} dialect`, () => {
      test('SendBatchUSMSMessage and GetUSMSSendReceipt', async () => {
        const c = client(dialect);
        const good = phone();
        const res = await c.sendBatchUSMSMessage({
          TaskContent: [{ TemplateId: tpl2, ...senderOf(dialect), Target: [{ Phone: good, TemplateParams: ['Ann', '1234'] }, { Phone: '12345', TemplateParams: ['Bob', '5'] }] }],
        });
        assert.equal(res.RetCode, 0);
        let sessionNo: string;
        if (dialect === 'rest') {
          assert.ok(Array.isArray(res.SessionNo) && res.SessionNo.length === 1);
          sessionNo = res.SessionNo[0]!;
          assert.deepEqual(res.FailedTargetPhones, [{ Phone: '12345', TemplateParams: ['Bob', '5'], FailureReason: 'phone number is not valid for region CN' }]);
        } else {
          assert.equal(typeof res.SessionNo, 'string');
          sessionNo = res.SessionNo as string;
          assert.equal(res.Action, 'SendBatchUSMSMessageResponse');
          assert.equal(res.SuccessCount, 1);
          assert.equal(res.FailContent![0]!.Target[0]!.Phone, '12345');
          assert.equal(res.FailContent![0]!.Target[0]!.FailureDetails, 'phone number is not valid for region CN');
        }
        const r = await c.getUSMSSendReceipt({ SessionNoSet: [sessionNo] });
        assert.equal(r.Data[0]!.SessionNo, sessionNo);
        const item = r.Data[0]!.ReceiptSet[0]!;
        assert.equal(item.Phone, good);
        assert.equal(item.CostCount, 1);
        assert.ok(['Success', 'Unknow', 'UNKNOWN'].includes(item.ReceiptResult), item.ReceiptResult);
      });

      test('SendUSMSMessage (REST v1 documents no such route: a usage error, nothing sent)', async () => {
        const c = client(dialect);
        const p = phone();
        if (dialect === 'rest') {
          await assert.rejects(c.sendUSMSMessage({ PhoneNumbers: [p], TemplateId: tpl1, TemplateParams: ['1'] }), UsmsUsageError);
          return;
        }
        const res = await c.sendUSMSMessage({ PhoneNumbers: [p], TemplateId: tpl1, TemplateParams: [4321], ...senderOf(dialect), UserId: 'u-1' });
        assert.equal(res.RetCode, 0);
        assert.equal(res.UserId, 'u-1');
        const r = await c.getUSMSSendReceipt({ SessionNoSet: [res.SessionNo] });
        assert.equal(r.Data[0]!.ReceiptSet[0]!.Phone, p);
      });

      test('a refused request is a UsmsApiError with the RetCode, action and answer', async () => {
        const c = client(dialect);
        await assert.rejects(
          c.sendBatchUSMSMessage({ TaskContent: [{ TemplateId: 'UTNOPE', ...senderOf(dialect), Target: [{ Phone: phone(), TemplateParams: ['1'] }] }] }),
          (e: unknown) => {
            assert.ok(e instanceof UsmsApiError);
            assert.equal(e.retCode, dialect === 'rest' ? 215392 : 18017);
            assert.equal(e.action, 'SendBatchUSMSMessage');
            assert.match(e.message, /template UTNOPE does not exist or is not approved/);
            if (dialect !== 'rest') assert.equal(typeof e.reqUuid, 'string');
            return true;
          },
        );
        const wrong = new UsmsClient({ url: server.url, dialect, publicKey: creds.PublicKey, privateKey: 'not-the-secret' });
        await assert.rejects(wrong.getUSMSSendReceipt({ SessionNoSet: ['x'] }), (e: unknown) => e instanceof UsmsApiError && e.retCode === (dialect === 'rest' ? 215398 : 171));
      });

      test('templates: create, query, update, delete', async () => {
        const c = client(dialect);
        const created = await c.createUSMSTemplate({ Purpose: 2, TemplateName: `sdk ${dialect}`, Template: 'Parcel {1} arrives today' });
        assert.equal(created.RetCode, 0);
        const id = created.TemplateId;
        const q = await c.queryUSMSTemplate({ TemplateId: [id] });
        assert.ok(Array.isArray(q.Data));
        assert.equal(q.Data.length, 1);
        assert.equal(q.Data[0]!.Template, 'Parcel {1} arrives today');
        assert.equal(q.Data[0]!.Status, 1);
        await c.updateUSMSTemplate({ TemplateId: id, TemplateName: `sdk ${dialect} renamed` });
        // One plain TemplateId: the UCloud dialect answers Data as that template (as the UCloud SDKs read it).
        const one = (await c.queryUSMSTemplate({ TemplateId: id })).Data as unknown;
        assert.equal((dialect === 'ucloud' ? (one as TemplateInfo) : (one as TemplateInfo[])[0]!).TemplateName, `sdk ${dialect} renamed`);
        await c.deleteUSMSTemplate({ TemplateIds: [id] });
        assert.deepEqual((await c.queryUSMSTemplate({ TemplateId: [id] })).Data, []);
      });

      test('signatures, reports and statistics (REST v1 has no routes for them)', async () => {
        const c = client(dialect);
        if (dialect === 'rest') {
          for (const call of [
            () => c.createUSMSSignature({ SigContent: 'X' }),
            () => c.pullUSMSReport(),
            () => c.getUSMSSendStatistics({ StartDate: '2024-01-01', EndDate: '2024-01-01' }),
          ]) {
            await assert.rejects(call(), UsmsUsageError);
          }
          return;
        }
        const name = dialect === 'ucloud' ? 'SdkCloud' : 'SdkSpeedo';
        const field = dialect === 'ucloud' ? 'SigContent' : 'SenderId';
        const created = await c.createUSMSSignature({ [field]: name, SigType: 0, Description: 'sdk test' });
        const sigId = created.SigId;
        const q = await c.queryUSMSSignature({ [field]: name });
        assert.equal(q.Data.SigId, sigId);
        assert.equal(q.Data[field], name);
        await c.updateUSMSSignature({ SigId: sigId, Description: 'changed' });
        await c.deleteUSMSSignature({ SigIds: [sigId] });
        await assert.rejects(c.queryUSMSSignature({ SigId: sigId }), (e: unknown) => e instanceof UsmsApiError && e.retCode === 18016);

        // The batch test above delivered a message: its final receipt is waiting to be pulled.
        const reports = await waitFor('a report', async () => {
          const r = await c.pullUSMSReport({ Limit: 200 });
          return r.ReportSet.length ? r.ReportSet : undefined;
        });
        assert.ok(reports.every((r) => typeof r.SessionNo === 'string' && typeof r.ReceiptResult === 'string'));

        const today = new Date().toISOString().slice(0, 10);
        const stats = await c.getUSMSSendStatistics({ StartDate: today, EndDate: today });
        assert.ok(stats.Total >= 1);
        assert.ok(stats.Data.every((d) => d.SendDate === today));
        const byTemplate = await c.getUSMSTemplateSendStatistics({ StartDate: today, EndDate: today, TemplateId: tpl2 });
        assert.ok(byTemplate.Data.length >= 1 && byTemplate.Data.every((d) => d.TemplateId === tpl2));
      });

      test('a SendBatch whose answer was lost: the SDK retries, the server answers the first answer, one send', async () => {
        let n = 0;
        const proxy = await LossyProxy.start(server.url, () => (++n === 1 ? 'drop' : 'pass'));
        try {
          const phones = [phone(), phone(), phone()];
          const res = await client(dialect, proxy.url).sendBatchUSMSMessage({
            TaskContent: [{ TemplateId: tpl1, ...senderOf(dialect), Target: phones.map((p, i) => ({ Phone: p, TemplateParams: [String(i)] })) }],
          });
          assert.equal(res.RetCode, 0);
          const [first, second] = proxy.exchanges;
          assert.equal(proxy.exchanges.length, 2, 'one retry');
          assert.equal(second!.body, first!.body);
          assert.equal(second!.headers['idempotency-key'], first!.headers['idempotency-key']);
          if (dialect === 'uspeedo') assert.equal(second!.headers['x-nonce'], first!.headers['x-nonce']);
          // The first answer was produced (and lost); the retry got it byte for byte.
          assert.equal(second!.response, first!.response);
          assert.equal(first!.responseHeaders!['idempotent-replayed'], undefined);
          assert.equal(second!.responseHeaders!['idempotent-replayed'], 'true');
          assert.deepEqual(res.SessionNo, JSON.parse(first!.response!).SessionNo);
          const counts = await inboxCounts(phones, 3);
          assert.deepEqual(phones.map((p) => counts.get(e164(p))), [1, 1, 1], 'each number got exactly one message');
        } finally {
          await proxy.close();
        }
      });

      test('the same Idempotency-Key with another body is refused; with the same body it replays', async () => {
        const c = client(dialect);
        const key = `reuse-${dialect}-${randomUUID()}`;
        const [a, b] = [phone(), phone()];
        const batch = (p: string) => ({ TaskContent: [{ TemplateId: tpl1, ...senderOf(dialect), Target: [{ Phone: p, TemplateParams: ['7'] }] }] });
        const first = await c.sendBatchUSMSMessage(batch(a), { idempotencyKey: key });
        await assert.rejects(c.sendBatchUSMSMessage(batch(b), { idempotencyKey: key }), (e: unknown) => {
          assert.ok(e instanceof UsmsApiError);
          assert.equal(e.retCode, dialect === 'rest' ? 215392 : 18003);
          assert.match(e.message, /Idempotency-Key.*already used with a different request/);
          return true;
        });
        const again = await c.sendBatchUSMSMessage(batch(a), { idempotencyKey: key });
        assert.deepEqual(again, first);
        const counts = await inboxCounts([a, b], 1);
        assert.equal(counts.get(e164(a)), 1);
        assert.equal(counts.get(e164(b)), undefined, 'the refused body sent nothing');
      });
    });
  }

  describe('uSpeedo X-Nonce', () => {
    async function post(body: Record<string, unknown>, nonce: string) {
      const res = await fetch(`${server.url}/api`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-access-key-id': creds.PublicKey,
          'x-signature': await sign(body, creds.PrivateKey),
          'x-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-nonce': nonce,
        },
        body: JSON.stringify(body),
      });
      return { text: await res.text(), replayed: res.headers.get('idempotent-replayed') };
    }
    const sendTo = (p: string) => ({ Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: [p], TemplateId: tpl1, TemplateParams: ['99'], SenderId: 'SCloud' });

    test('a repeated nonce with the same body gets the first answer; with another body it is a replay (171)', async () => {
      const nonce = randomUUID().replace(/-/g, '');
      const [a, b] = [phone(), phone()];
      const first = await post(sendTo(a), nonce);
      assert.equal(JSON.parse(first.text).RetCode, 0);
      const again = await post(sendTo(a), nonce);
      assert.equal(again.text, first.text);
      assert.equal(again.replayed, 'true');
      const other = JSON.parse((await post(sendTo(b), nonce)).text);
      assert.equal(other.RetCode, 171);
      assert.match(other.Message, /X-Nonce was already used with a different request body/);
      const counts = await inboxCounts([a, b], 1);
      assert.equal(counts.get(e164(a)), 1);
      assert.equal(counts.get(e164(b)), undefined);
    });

    test('concurrent duplicates (a retry while the first is still running) send once and answer alike', async () => {
      const nonce = randomUUID().replace(/-/g, '');
      const p = phone();
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(sendTo(p), nonce)));
      assert.equal(JSON.parse(answers[0]!.text).RetCode, 0);
      for (const a of answers) assert.equal(a.text, answers[0]!.text);
      assert.equal(answers.filter((a) => a.replayed === 'true').length, 5);
      const counts = await inboxCounts([p], 1);
      assert.equal(counts.get(e164(p)), 1);
    });
  });

  test('records survive a restart: a key or nonce repeated afterwards is answered from the store, nothing resent', async () => {
    const p1 = phone();
    const p2 = phone();
    const c = client('uspeedo');
    const key = `restart-${randomUUID()}`;
    const batch = { TaskContent: [{ TemplateId: tpl1, SenderId: 'SCloud', Target: [{ Phone: p1, TemplateParams: ['1'] }] }] };
    const first = await c.sendBatchUSMSMessage(batch, { idempotencyKey: key });
    // A raw request with a nonce: after the restart the nonce is unknown to the in-memory cache, so
    // only the database's primary key stops the second send.
    const body = { Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: [{ TemplateId: tpl1, SenderId: 'SCloud', Target: [{ Phone: p2, TemplateParams: ['2'] }] }] };
    const nonce = randomUUID().replace(/-/g, '');
    const headers = async () => ({
      'content-type': 'application/json',
      'x-access-key-id': creds.PublicKey,
      'x-signature': await sign(body, creds.PrivateKey),
      'x-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-nonce': nonce,
    });
    const before = await (await fetch(`${server.url}/api`, { method: 'POST', headers: await headers(), body: JSON.stringify(body) })).text();
    assert.equal(JSON.parse(before).RetCode, 0);
    await inboxCounts([p1, p2], 2);

    const workspace = server.workspace;
    assert.equal(await server.stop(true), 0);
    server = await ServerProcess.start({}, workspace);

    const again = await client('uspeedo').sendBatchUSMSMessage(batch, { idempotencyKey: key });
    assert.deepEqual(again, first);
    const res = await fetch(`${server.url}/api`, { method: 'POST', headers: await headers(), body: JSON.stringify(body) });
    assert.equal(await res.text(), before);
    assert.equal(res.headers.get('idempotent-replayed'), 'true');
    const counts = await inboxCounts([p1, p2], 2);
    assert.deepEqual([counts.get(e164(p1)), counts.get(e164(p2))], [1, 1]);
  });
});
