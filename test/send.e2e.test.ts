import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from '../src/auth/signature.ts';
import { ServerProcess, basicAuth, restPost, ucloudGet, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('USMS send path, end to end against the real server process', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let other: Credentials;
  let otherTemplate: string;
  let tpl2: string; // two params: "{1}, your code is {2}"
  let tpl1: string; // one param
  let pending: string;

  before(async () => {
    server = await ServerProcess.start();
    const a = await server.setupAccount({ sender: 'SCloud', templates: ['{1}, your code is {2}', 'Your verification code is {1}'] });
    creds = a.creds;
    [tpl2, tpl1] = a.templateIds as [string, string];
    const id = String(creds.AccountId);
    for (const name of ['UCloud', 'uSpeedo']) await server.cli('sender', 'create', '--account', id, '--name', name, '--approve');
    pending = (await server.cli('template', 'create', '--account', id, '--content', 'Not approved yet {1}')).TemplateId;
    await server.cli('blacklist', 'add', '--account', id, '--phone', '(86)18512340608');
    const b = await server.setupAccount({ sender: 'SCloud', templates: ['Other account {1} {2}'] });
    other = b.creds;
    otherTemplate = b.templateIds[0]!;
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  async function receipts(sessionNo: string, c = creds) {
    return uspeedoPost(server.url, c, { Action: 'GetUSMSSendReceipt', AccountId: c.AccountId, SessionNoSet: [sessionNo] });
  }

  test('seed 000 verbatim: UCloud GET, base64 TaskContent with SigContent', async () => {
    const tasks = [
      {
        TemplateId: tpl2,
        SigContent: 'SCloud',
        Target: [
          { TemplateParams: ['Top diamond user Liu Dachui', '24680'], Phone: '18512340507', UserId: 'you man c define the content by yrself' },
          { TemplateParams: ['Cheerful Pistachio Excavator', '13579'], Phone: '18512340609', ExtendCode: '123', UserId: 'catch the big fish' },
        ],
      },
    ];
    const res = await ucloudGet(server.url, creds, {
      Action: 'SendBatchUSMSMessage',
      TaskContent: Buffer.from(JSON.stringify(tasks, null, 4)).toString('base64'),
    });
    assert.equal(res.status, 200);
    const b = res.body;
    assert.deepEqual(Object.keys(b), ['RetCode', 'Action', 'Message', 'SessionNo', 'ReqUuid', 'SuccessCount', 'FailContent']);
    assert.equal(b.RetCode, 0);
    assert.equal(b.Action, 'SendBatchUSMSMessageResponse');
    assert.equal(b.Message, 'submit success');
    assert.match(b.SessionNo, UUID);
    assert.match(b.ReqUuid, UUID);
    // The seed's own first UserId is 38 characters (its table says at most 32): a documented success.
    assert.equal(b.SuccessCount, 2);
    assert.deepEqual(b.FailContent, []);
    const r = await waitFor('receipt', async () => {
      const x = await receipts(b.SessionNo);
      const set = x.body.Data?.[0]?.ReceiptSet ?? [];
      return set.length === 2 && set.every((i: any) => i.ReceiptCode === 'DELIVRD') ? x.body : undefined;
    });
    assert.equal(r.RetCode, 0);
    assert.equal(r.Action, 'GetUSMSSendReceiptResponse');
    assert.equal(r.Data[0].ReceiptSet.find((i: any) => i.Phone === '18512340507').UserId, 'you man c define the content by yrself');
    const item = r.Data[0].ReceiptSet.find((i: any) => i.Phone === '18512340609');
    assert.equal(r.Data[0].SessionNo, b.SessionNo);
    assert.equal(item.Phone, '18512340609');
    assert.equal(item.CostCount, 1);
    assert.equal(item.ReceiptResult, 'Success');
    assert.equal(item.UserId, 'catch the big fish');
    assert.equal(item.BrevityCode, 'CN');
    assert.equal(item.CountryCode, '86');
    assert.ok(Math.abs(item.ReceiptTime - Date.now() / 1000) < 60);
  });

  test('seed 000 answer example: a blacklisted number is reported per phone, the rest goes', async () => {
    const tasks = [
      {
        TemplateId: tpl2,
        SigContent: 'SCloud',
        Target: [
          { TemplateParams: ['Top diamond user Liu Dachui', '24680'], Phone: '(86)18512340507', UserId: 'you man c define' },
          { TemplateParams: ['Cheerful Pistachio Excavator', '13579'], Phone: '(0086)18512340608', ExtendCode: '123', UserId: 'catch the big fish' },
        ],
      },
    ];
    const res = await ucloudPostForm(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from(JSON.stringify(tasks)).toString('base64') });
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.SuccessCount, 1);
    assert.deepEqual(res.body.FailContent, [
      {
        TemplateId: tpl2,
        SigContent: 'SCloud',
        Target: [
          {
            TemplateParams: ['Cheerful Pistachio Excavator', '13579'],
            Phone: '(0086)18512340608',
            ExtendCode: '123',
            UserId: 'catch the big fish',
            FailureDetails: 'phone in the black list',
          },
        ],
      },
    ]);
  });

  test('seed 001 verbatim: uSpeedo SendBatchUSMSMessage with SenderId', async () => {
    const body = {
      Action: 'SendBatchUSMSMessage',
      AccountId: creds.AccountId,
      TaskContent: [
        { TemplateId: tpl1, SenderId: 'UCloud', Target: [{ TemplateParams: ['123456'], Phone: '(852)55311111', ExtendCode: '123', UserId: '456' }] },
      ],
    };
    const res = await uspeedoPost(server.url, creds, body);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['RetCode', 'Action', 'Message', 'SessionNo', 'ReqUuid', 'SuccessCount', 'FailContent']);
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.Action, 'SendBatchUSMSMessageResponse');
    assert.equal(res.body.SuccessCount, 1);
    assert.deepEqual(res.body.FailContent, []);
    const inbox = await waitFor('sandbox inbox', async () => {
      const box = await server.cli('sandbox', 'inbox', '--limit', '50');
      return box.Messages.find((m: any) => m.Phone === '+85255311111');
    });
    // Outside mainland China the sender is the originator, not part of the text.
    assert.equal(inbox.Text, 'Your verification code is 123456');
    assert.equal(inbox.Sender, 'UCloud');
  });

  test('seed 002 verbatim: REST v1 with HTTP Basic answers SessionNo as an array', async () => {
    const res = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
      TaskContent: [{ TemplateId: tpl1, SenderId: 'uSpeedo', Target: [{ Phone: '13800138000', TemplateParams: ['123456'] }] }],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['RetCode', 'Message', 'SessionNo', 'FailedTargetPhones']);
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.Message, 'success');
    assert.equal(res.body.SessionNo.length, 1);
    assert.match(res.body.SessionNo[0], UUID);
    assert.deepEqual(res.body.FailedTargetPhones, []);
    const r = await waitFor('REST receipt', async () => {
      const x = await fetch(`${server.url}/api/v1/usms/USMSSendReceipt?id=${res.body.SessionNo[0]}`, { headers: { authorization: basicAuth(creds) } });
      const j: any = await x.json();
      return j.Data?.[0]?.ReceiptSet?.[0]?.ReceiptCode === 'DELIVRD' ? j : undefined;
    });
    assert.equal(r.Data[0].ReceiptSet[0].Phone, '13800138000');
  });

  test('REST v1: one SessionNo per task group with accepted messages; FailedTargetPhones with reasons', async () => {
    const res = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
      TaskContent: [
        { TemplateId: tpl1, SenderId: 'uSpeedo', Target: [{ Phone: '13800138001', TemplateParams: ['1'] }] },
        { TemplateId: pending, SenderId: 'uSpeedo', Target: [{ Phone: '13800138002', TemplateParams: ['2'] }] },
        { TemplateId: tpl1, SenderId: 'uSpeedo', Target: [{ Phone: '13800138003', TemplateParams: ['3'] }, { Phone: '12345', TemplateParams: ['4'] }] },
      ],
    });
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.SessionNo.length, 2);
    assert.deepEqual(res.body.FailedTargetPhones, [
      { Phone: '13800138002', TemplateParams: ['2'], FailureReason: `template ${pending} does not exist or is not approved` },
      { Phone: '12345', TemplateParams: ['4'], FailureReason: 'phone number is not valid for region CN' },
    ]);
  });

  test('seed 003 verbatim: SendUSMSMessage with numeric TemplateParams', async () => {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage',
      AccountId: creds.AccountId,
      PhoneNumbers: ['18512345678', '13112345678'],
      TemplateParams: [123456, 10],
      SenderId: 'UCloud',
      TemplateId: tpl2,
      UserId: 'hGBCrtQw',
    });
    assert.deepEqual(Object.keys(res.body).sort(), ['Action', 'Message', 'RetCode', 'SessionNo', 'UserId']);
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.Action, 'SendUSMSMessageResponse');
    assert.equal(res.body.Message, '提交发送成功');
    assert.equal(res.body.UserId, 'hGBCrtQw');
    const r = await waitFor('two receipts', async () => {
      const x = await receipts(res.body.SessionNo);
      const set = x.body.Data[0].ReceiptSet;
      return set.length === 2 && set.every((i: any) => i.ReceiptResult === 'Success') ? set : undefined;
    });
    assert.deepEqual(r.map((i: any) => i.Phone), ['18512345678', '13112345678']);
    const box = await server.cli('sandbox', 'inbox', '--limit', '100');
    assert.ok(box.Messages.some((m: any) => m.Text === '【UCloud】123456, your code is 10' && m.Phone === '+8618512345678'));
  });

  test('SendUSMSMessage over the UCloud dialect with flattened PhoneNumbers.N', async () => {
    const res = await ucloudGet(server.url, creds, {
      Action: 'SendUSMSMessage', 'PhoneNumbers.0': '+8613912345678', 'PhoneNumbers.1': '008613912345679',
      'TemplateParams.0': '42', TemplateId: tpl1, SigContent: 'SCloud',
    });
    assert.equal(res.body.RetCode, 0, res.body.Message);
    const set = await waitFor('receipts', async () => {
      const x = await ucloudGet(server.url, creds, { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': res.body.SessionNo });
      const s = x.body.Data[0].ReceiptSet;
      return s.length === 2 && s.every((i: any) => i.ReceiptResult === 'Success') ? s : undefined;
    });
    // UCloud's answer has no uSpeedo-only fields
    assert.equal(set[0].BrevityCode, undefined);
  });

  test('sandbox rules: ...0000 is UNDELIV (Fail), ...0001 gets no receipt (Unknow / UNKNOWN)', async () => {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: ['13800000000', '13800000001'], TemplateParams: ['1'], TemplateId: tpl1, SenderId: 'UCloud',
    });
    assert.equal(res.body.RetCode, 0);
    const set = await waitFor('UNDELIV receipt', async () => {
      const s = (await receipts(res.body.SessionNo)).body.Data[0].ReceiptSet;
      return s.find((i: any) => i.ReceiptCode === 'UNDELIV') ? s : undefined;
    });
    assert.equal(set[0].ReceiptResult, 'Fail');
    assert.equal(set[1].ReceiptResult, 'UNKNOWN');
    assert.equal(set[1].ReceiptCode, '');
    const u = await ucloudGet(server.url, creds, { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': res.body.SessionNo });
    assert.equal(u.body.Data[0].ReceiptSet[1].ReceiptResult, 'Unknow');
  });

  test('a long Chinese message costs several segments', async () => {
    const long = '验证码'.repeat(30); // 90 UCS-2 characters + 【SCloud】
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: ['13700001234'], TemplateParams: [long], TemplateId: tpl1, SenderId: 'SCloud',
    });
    assert.equal(res.body.RetCode, 0);
    const set = (await receipts(res.body.SessionNo)).body.Data[0].ReceiptSet;
    assert.equal(set[0].CostCount, 2);
  });

  describe('authentication', () => {
    test('a wrong UCloud signature is 171', async () => {
      const params: Record<string, string> = { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': 'x', PublicKey: creds.PublicKey, ProjectId: creds.ProjectId };
      params.Signature = sign(params, creds.PrivateKey + 'x');
      const res = await fetch(`${server.url}/?${new URLSearchParams(params)}`);
      const body: any = await res.json();
      assert.equal(res.status, 200);
      assert.equal(body.RetCode, 171);
      assert.equal(body.Action, 'GetUSMSSendReceiptResponse');
    });

    test('a missing signature is 170, an unknown key 172, a missing Action 160, an unknown Action 161', async () => {
      const r1 = await fetch(`${server.url}/?Action=SendUSMSMessage&PublicKey=${creds.PublicKey}`);
      assert.equal(((await r1.json()) as any).RetCode, 170);
      const r2 = await ucloudGet(server.url, { ...creds, PublicKey: 'AKnobody' }, { Action: 'SendUSMSMessage' });
      assert.equal(r2.body.RetCode, 172);
      const r3 = await fetch(`${server.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(((await r3.json()) as any).RetCode, 160);
      const r4 = await uspeedoPost(server.url, creds, { Action: 'FlyToTheMoon', AccountId: creds.AccountId });
      assert.equal(r4.body.RetCode, 161);
      assert.equal(r4.body.Action, 'FlyToTheMoonResponse');
    });

    test('a tampered uSpeedo body fails the signature check', async () => {
      const body = { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: ['a'] };
      const res = await uspeedoPost(server.url, creds, body, { signature: sign(body, creds.PrivateKey), rawBody: JSON.stringify({ ...body, SessionNoSet: ['b'] }) });
      assert.equal(res.body.RetCode, 171);
      assert.equal(res.body.Message, 'Signature verification failed');
    });

    test('a nonce reused for another body is a replay; a stale timestamp is refused', async () => {
      const body = { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: ['a'] };
      const first = await uspeedoPost(server.url, creds, body, { nonce: 'n-replay-1' });
      assert.equal(first.body.RetCode, 0);
      // the same nonce and body is an SDK retry and gets the first answer (idempotency, test/sdk.e2e.test.ts)
      const retry = await uspeedoPost(server.url, creds, body, { nonce: 'n-replay-1' });
      assert.deepEqual(retry.body, first.body);
      const again = await uspeedoPost(server.url, creds, { ...body, SessionNoSet: ['b'] }, { nonce: 'n-replay-1' });
      assert.equal(again.body.RetCode, 171);
      assert.match(again.body.Message, /X-Nonce was already used/);
      const stale = await uspeedoPost(server.url, creds, body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
      assert.equal(stale.body.RetCode, 171);
      assert.match(stale.body.Message, /X-Timestamp/);
    });

    test('the PHP SDK style (PublicKey and Signature left in the body) verifies', async () => {
      const body = { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: ['a'] };
      const signature = sign(body, creds.PrivateKey);
      const res = await uspeedoPost(server.url, creds, body, { signature, rawBody: JSON.stringify({ ...body, PublicKey: creds.PublicKey, Signature: signature }) });
      assert.equal(res.body.RetCode, 0);
    });

    test("an AccountId or ProjectId that is not the key's is refused", async () => {
      const res = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: other.AccountId, SessionNoSet: ['a'] });
      assert.equal(res.body.RetCode, 290);
      const u = await ucloudGet(server.url, { ...creds, ProjectId: other.ProjectId }, { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': 'a' });
      assert.equal(u.body.RetCode, 290);
    });

    test('REST v1 with bad Basic credentials is 401 / 215398', async () => {
      const res = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', { TaskContent: [] }, basicAuth({ ...creds, PrivateKey: 'wrong' }));
      assert.equal(res.status, 401);
      assert.equal(res.body.RetCode, 215398);
    });
  });

  describe('tenancy', () => {
    test("another account's SessionNo shows nothing", async () => {
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: ['13800138111'], TemplateParams: ['1'], TemplateId: tpl1, SenderId: 'UCloud',
      });
      const mine = await receipts(res.body.SessionNo);
      assert.equal(mine.body.Data[0].ReceiptSet.length, 1);
      const theirs = await receipts(res.body.SessionNo, other);
      assert.deepEqual(theirs.body.Data, [{ SessionNo: res.body.SessionNo, ReceiptSet: [] }]);
    });

    test("another account's template cannot be used", async () => {
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: otherTemplate, SenderId: 'UCloud', Target: [{ Phone: '13800138112', TemplateParams: ['a', 'b'] }] }],
      });
      assert.equal(res.body.RetCode, 18017);
      assert.equal(res.body.SessionNo, undefined);
      assert.equal(res.body.FailContent[0].FailureDetails, `template ${otherTemplate} does not exist or is not approved`);
      assert.equal(res.body.FailContent[0].Target[0].FailureDetails, undefined);
    });
  });

  describe('bad input gets its documented RetCode and stores nothing', () => {
    const target = (i: number) => ({ Phone: `1380013${String(i).padStart(4, '0')}`, TemplateParams: ['1'] });

    test('201 numbers in the UCloud dialect is 18019', async () => {
      const tasks = [{ TemplateId: tpl1, SigContent: 'SCloud', Target: Array.from({ length: 201 }, (_, i) => target(i)) }];
      const res = await ucloudPostForm(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from(JSON.stringify(tasks)).toString('base64') });
      assert.equal(res.body.RetCode, 18019);
      assert.equal(res.body.SessionNo, undefined);
    });

    test('1001 numbers in the uSpeedo dialect is 18019, for both send actions; REST is 215392', async () => {
      const tasks = [{ TemplateId: tpl1, SenderId: 'UCloud', Target: Array.from({ length: 1001 }, (_, i) => target(i)) }];
      const a = await uspeedoPost(server.url, creds, { Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: tasks });
      assert.equal(a.body.RetCode, 18019);
      const b = await uspeedoPost(server.url, creds, {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: tpl1, TemplateParams: ['1'], SenderId: 'UCloud',
        PhoneNumbers: tasks[0]!.Target.map((t) => t.Phone),
      });
      assert.equal(b.body.RetCode, 18019);
      const c = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', { TaskContent: tasks });
      assert.equal(c.body.RetCode, 215392);
      // 1000 is fine
      const ok = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: [{ ...tasks[0], Target: tasks[0]!.Target.slice(0, 1000) }],
      });
      assert.equal(ok.body.RetCode, 0);
      assert.equal(ok.body.SuccessCount, 1000);
    });

    test('malformed base64 is 18002; base64 of non-JSON is 18000; a malformed JSON body is 18000', async () => {
      const a = await ucloudGet(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: '%%%not-base64%%%' });
      assert.equal(a.body.RetCode, 18002);
      const b = await ucloudGet(server.url, creds, { Action: 'SendBatchUSMSMessage', TaskContent: Buffer.from('{"oops":').toString('base64') });
      assert.equal(b.body.RetCode, 18000);
      const c = await fetch(`${server.url}/api`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-access-key-id': creds.PublicKey, 'x-signature': 'x', 'x-timestamp': '1', 'x-nonce': 'n' },
        body: '{"Action": "SendUSMSMessage",',
      });
      assert.equal(c.status, 200);
      assert.equal(((await c.json()) as any).RetCode, 18000);
      const d = await fetch(`${server.url}/api/v1/usms/SendBatchUSMSMessage`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basicAuth(creds) }, body: '[' });
      assert.equal(((await d.json()) as any).RetCode, 215392);
    });

    test('TaskContent that is not an array is 18002; missing is 18001', async () => {
      const a = await uspeedoPost(server.url, creds, { Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId, TaskContent: { x: 1 } });
      assert.equal(a.body.RetCode, 18002);
      const b = await uspeedoPost(server.url, creds, { Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId });
      assert.equal(b.body.RetCode, 18001);
    });

    test('wrong parameter count is 18018 per target', async () => {
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: tpl2, SenderId: 'UCloud', Target: [{ Phone: '13800138113', TemplateParams: ['only one'] }] }],
      });
      assert.equal(res.body.RetCode, 18018);
      assert.equal(res.body.FailContent[0].Target[0].FailureDetails, `template ${tpl2} takes 2 parameter(s), got 1`);
      const single = await uspeedoPost(server.url, creds, {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: tpl2, TemplateParams: ['a'], SenderId: 'UCloud', PhoneNumbers: ['13800138114'],
      });
      assert.equal(single.body.RetCode, 18018);
    });

    test('an unapproved template is 18017 at group level; an unapproved sender 18016', async () => {
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: pending, SenderId: 'UCloud', Target: [{ Phone: '13800138115', TemplateParams: ['1'] }] }],
      });
      assert.equal(res.body.RetCode, 18017);
      assert.deepEqual(res.body.FailContent, [
        {
          TemplateId: pending, SenderId: 'UCloud',
          Target: [{ TemplateParams: ['1'], Phone: '13800138115' }],
          FailureDetails: `template ${pending} does not exist or is not approved`,
        },
      ]);
      const s = await uspeedoPost(server.url, creds, {
        Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
        TaskContent: [{ TemplateId: tpl1, SenderId: 'Nobody', Target: [{ Phone: '13800138116', TemplateParams: ['1'] }] }],
      });
      assert.equal(s.body.RetCode, 18016);
    });

    test('SendUSMSMessage is all or nothing: one blacklisted number refuses the request with 18014', async () => {
      const res = await uspeedoPost(server.url, creds, {
        Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: tpl1, TemplateParams: ['1'], SenderId: 'UCloud',
        PhoneNumbers: ['13800138117', '18512340608'],
      });
      assert.equal(res.body.RetCode, 18014);
      assert.equal(res.body.SessionNo, undefined);
      assert.equal(res.body.Message, '18512340608: phone in the black list');
    });

    test('a number blacklisted while the server runs is refused within a second', async () => {
      const send = () =>
        uspeedoPost(server.url, creds, {
          Action: 'SendUSMSMessage', AccountId: creds.AccountId, TemplateId: tpl1, TemplateParams: ['1'], SenderId: 'UCloud', PhoneNumbers: ['13800138118'],
        });
      assert.equal((await send()).body.RetCode, 0);
      await server.cli('blacklist', 'add', '--account', String(creds.AccountId), '--phone', '13800138118');
      await new Promise((r) => setTimeout(r, 1100));
      const refused = await send();
      assert.equal(refused.body.RetCode, 18014);
      assert.equal(refused.body.Message, '13800138118: phone in the black list');
    });

    test('a body over the size limit is refused with a RetCode, not a crash', async () => {
      const res = await fetch(`${server.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'a'.repeat(3 * 1024 * 1024) }) });
      const body: any = await res.json();
      assert.equal(res.status, 200);
      assert.equal(body.RetCode, 18002);
      assert.match(body.Message, /larger than/);
    });

    test('an unsupported content type is refused with a RetCode', async () => {
      const res = await fetch(`${server.url}/api`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
      assert.equal(((await res.json()) as any).RetCode, 18002);
    });
  });

  test('operability: /healthz, /metrics, and the operator inbox needs its token', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /usms_messages_accepted_total \d+/);
    assert.match(metrics, /usms_queue_depth \d+/);
    assert.match(metrics, /usms_deliveries_total\{outcome="DELIVRD"\} \d+/);
    assert.match(metrics, /usms_http_requests_total\{dialect="uspeedo",action="SendUSMSMessage",retcode="0"\}/);
    const denied = await fetch(`${server.url}/operator/sandbox/inbox`);
    assert.equal(denied.status, 401);
    assert.equal(((await denied.json()) as { RetCode: number }).RetCode, 170);
  });
});
