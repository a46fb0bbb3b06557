import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, basicAuth, restPost, ucloudGet, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/**
 * Pumping protection through the real server, in every dialect: per-phone limits for verification codes,
 * the country allow-list, and a burst to one number range held until the operator releases it.
 */
describe('send limits and pumping alarms, end to end', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let code: string; // a Purpose 1 (verification code) template
  const SENDER = 'SCloud';
  const LIMIT_REASON = 'send limit reached: at most 5 verification codes to one phone in 1h';

  before(async () => {
    server = await ServerProcess.start();
    creds = await server.cli<Credentials>('account', 'create', '--name', 'limits', '--region', 'CN');
    const id = String(creds.AccountId);
    await server.cli('sender', 'create', '--account', id, '--name', SENDER, '--approve');
    code = (await server.cli('template', 'create', '--account', id, '--content', 'Your verification code is {1}', '--purpose', '1', '--approve')).TemplateId;
    // Per minute off (the test sends faster), five an hour; bursts past three numbers of a range in ten minutes; China only.
    const limits = await server.cli('account', 'limits', '--account', id, '--limit', '1:5/1h', '--range-burst', '1:3/10m', '--countries', 'CN');
    assert.deepEqual(limits.Countries, ['CN']);
    assert.deepEqual(limits.Limits[0], { Purpose: 1, Name: 'verification codes', PerPhone: ['5/1h'], RangeBurst: '3/10m', Custom: true });
    assert.deepEqual((await server.cli('account', 'limits', '--account', id)).Limits[0].PerPhone, ['5/1h'], 'shown without changes');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  type Target = { Phone: string; TemplateParams: string[] };
  const target = (Phone: string, param = '123456'): Target => ({ Phone, TemplateParams: [param] });

  /** One dialect's ways to send and read receipts, answered in a common shape. */
  interface Dialect {
    /** One code to one phone; the SessionNo. */
    single(phone: string): Promise<string>;
    /** A batch: its sessions, how many were accepted, and each refused phone with its reason. */
    batch(targets: Target[]): Promise<{ sessions: string[]; success: number; failed: Array<{ Phone: string; reason: string }> }>;
    /** ReceiptResult of each phone of a session. */
    receipts(session: string): Promise<Array<{ Phone: string; ReceiptResult: string; ReceiptCode: string }>>;
    pending: string;
  }

  const actionReceipts = async (session: string) => {
    const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [session] });
    assert.equal(r.body.RetCode, 0);
    return r.body.Data[0].ReceiptSet;
  };
  const failContent = (body: any) =>
    (body.FailContent ?? []).flatMap((g: any) => g.Target.map((t: any) => ({ Phone: t.Phone, reason: t.FailureDetails })));

  const dialects: Record<string, Dialect> = {
    ucloud: {
      async single(phone) {
        const r = await ucloudGet(server.url, creds, { Action: 'SendUSMSMessage', 'PhoneNumbers.0': phone, TemplateId: code, 'TemplateParams.0': '1234', SigContent: SENDER });
        assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
        return r.body.SessionNo;
      },
      async batch(targets) {
        const tasks = [{ TemplateId: code, SigContent: SENDER, Target: targets }];
        const r = await ucloudPostForm(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from(JSON.stringify(tasks)).toString('base64') });
        return { sessions: r.body.SessionNo ? [r.body.SessionNo] : [], success: r.body.SuccessCount, failed: failContent(r.body) };
      },
      async receipts(session) {
        const r = await ucloudGet(server.url, creds, { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': session });
        assert.equal(r.body.RetCode, 0);
        return r.body.Data[0].ReceiptSet;
      },
      pending: 'Unknow',
    },
    uspeedo: {
      async single(phone) {
        const r = await uspeedoPost(server.url, creds, {
          Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: [phone], TemplateParams: ['1234'], SenderId: SENDER, TemplateId: code,
        });
        assert.equal(r.body.RetCode, 0, JSON.stringify(r.body));
        return r.body.SessionNo;
      },
      async batch(targets) {
        const r = await uspeedoPost(server.url, creds, {
          Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: [{ TemplateId: code, SenderId: SENDER, Target: targets }],
        });
        return { sessions: r.body.SessionNo ? [r.body.SessionNo] : [], success: r.body.SuccessCount, failed: failContent(r.body) };
      },
      receipts: actionReceipts,
      pending: 'UNKNOWN',
    },
    rest: {
      async single(phone) {
        const r = await this.batch([target(phone, '1234')]);
        assert.equal(r.success, 1, JSON.stringify(r));
        return r.sessions[0]!;
      },
      async batch(targets) {
        const r = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', { TaskContent: [{ TemplateId: code, SenderId: SENDER, Target: targets }] });
        const failed = (r.body.FailedTargetPhones ?? []).map((f: any) => ({ Phone: f.Phone, reason: f.FailureReason }));
        return { sessions: r.body.SessionNo ?? [], success: targets.length - failed.length, failed };
      },
      async receipts(session) {
        const res = await fetch(`${server.url}/api/v1/usms/USMSSendReceipt?id=${session}`, { headers: { authorization: basicAuth(creds) } });
        const j: any = await res.json();
        assert.equal(j.RetCode, 0);
        return j.Data[0].ReceiptSet;
      },
      pending: 'UNKNOWN',
    },
  };

  const delivered = (d: Dialect, session: string, phones: string[]) =>
    waitFor(`delivery of ${phones.join(', ')}`, async () => {
      const set = await d.receipts(session);
      return phones.every((p) => set.some((i) => i.Phone === p && i.ReceiptResult === 'Success')) ? set : undefined;
    });

  // Each dialect its own numbers, in ranges of their own (a range is the number without its last 4 digits).
  Object.entries(dialects).forEach(([name, d], k) => {
    // Numbers end in 5..9: the sandbox fails ...0000 and never receipts ...0001.
    const phone = `1851${k}000005`;
    const other = `1851${k}100005`;
    const rangePhone = (i: number) => `1851${k}20001${i}`;
    const range = `+861851${k}20`;

    test(`${name}: five codes to one phone in an hour go; the sixth is refused with its reason, the rest of the batch goes`, async () => {
      const sessions: string[] = [];
      for (let i = 0; i < 5; i++) sessions.push(await d.single(phone));
      await delivered(d, sessions[4]!, [phone]);

      const r = await d.batch([target(phone), target(other)]);
      assert.equal(r.success, 1);
      assert.deepEqual(r.failed, [{ Phone: phone, reason: LIMIT_REASON }]);
      await delivered(d, r.sessions[0]!, [other]);
      const set = await d.receipts(r.sessions[0]!);
      assert.deepEqual(set.map((i) => i.Phone), [other], 'the refused one was not stored');

      if (name === 'ucloud') {
        // SendUSMSMessage has no FailContent: all or nothing, the reason in the Message.
        const single = await ucloudGet(server.url, creds, { Action: 'SendUSMSMessage', 'PhoneNumbers.0': phone, TemplateId: code, 'TemplateParams.0': '1', SigContent: SENDER });
        assert.equal(single.body.RetCode, 18014);
        assert.equal(single.body.Message, `${phone}: ${LIMIT_REASON}`);
      }
    });

    test(`${name}: a country not enabled for the account is refused`, async () => {
      const r = await d.batch([target('+85251234567'), target(`1851${k}300005`)]);
      assert.equal(r.success, 1);
      assert.deepEqual(r.failed, [{ Phone: '+85251234567', reason: 'country HK is not enabled for this account' }]);
    });

    test(`${name}: a burst to one range is held and reported; the operator's release delivers it`, async () => {
      const phones = [0, 1, 2, 3, 4].map(rangePhone);
      const r = await d.batch(phones.map((p) => target(p)));
      assert.equal(r.success, 5, 'held messages are accepted');
      assert.deepEqual(r.failed, []);
      const session = r.sessions[0]!;
      // The first three go; the fourth and fifth wait.
      const set = await delivered(d, session, phones.slice(0, 3));
      for (const p of phones.slice(3)) {
        const item = set.find((i) => i.Phone === p)!;
        assert.equal(item.ReceiptResult, d.pending, `${p} not delivered yet`);
        assert.equal(item.ReceiptCode, '');
      }
      // A later code to the range waits too, while the alarm is open.
      const later = await d.batch([target(rangePhone(5))]);
      assert.equal(later.success, 1);

      const list = await server.cli('alarm', 'list', '--account', String(creds.AccountId), '--status', 'open');
      const alarm = list.Alarms.find((a: any) => a.Range === range);
      assert.ok(alarm, `an open alarm for ${range}: ${JSON.stringify(list)}`);
      assert.equal(alarm.Held, 3);
      assert.match(alarm.Detail, /more than 3 distinct numbers of \+861851\d20 in 10m for verification codes/);
      // The operator's log has it too.
      await waitFor('the warning', async () => (server.output.some((l) => l.includes('pumping alarm') && l.includes(range)) ? true : undefined), 5_000);
      await new Promise((res) => setTimeout(res, 500));
      assert.ok((await d.receipts(session)).filter((i) => i.ReceiptResult === 'Success').length === 3, 'still held');

      const released = await server.cli('alarm', 'release', '--id', String(alarm.AlarmId));
      assert.equal(released.Messages, 3);
      assert.equal(released.Alarm.Status, 'released');
      await delivered(d, session, phones);
      await delivered(d, later.sessions[0]!, [rangePhone(5)]);
      const closed = await server.cli('alarm', 'list', '--account', String(creds.AccountId));
      assert.equal(closed.Alarms.find((a: any) => a.AlarmId === alarm.AlarmId).Status, 'released');
    });
  });

  test('requests at once to one phone: exactly the limit goes, the rest are refused (one node)', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: ['18529000007'], TemplateParams: [String(i)], SenderId: SENDER, TemplateId: code,
    })));
    const codes = answers.map((a) => a.body.RetCode).sort();
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 18014, 18014, 18014]);
    assert.ok(answers.filter((a) => a.body.RetCode !== 0).every((a) => String(a.body.Message).includes(LIMIT_REASON)));
  });
});
