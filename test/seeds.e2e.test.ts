import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from '../src/auth/signature.ts';
import { ServerProcess, basicAuth, restPost, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/*
 * Every example request of the four seed documents (/work/shared/seeds), sent as the document shows it:
 * only ids, keys, signatures and the placeholder phone digits (185XXXX0507, 185xxxxxxxx) are replaced.
 * Each must get the document's answer.
 */

/** Seed 000's "TaskContent Example (After Base64 Encoding)", as printed in the document. */
const SEED_000_TASK_CONTENT =
  'WwogICAgewogICAgICAgICJUZW1wbGF0ZUlkIjoiVVRBMjAyMTI4MzFDODVDIiwKICAgICAgICAiU2lnQ29udGVudCI6IlVDbG91ZCIsCiAgICAgICAgIlRhcmdldCI6WwogICAgICAgICAgICB7CiAgICAgICAgICAgICAgICAiVGVtcGxhdGVQYXJhbXMiOlsKICAgICAgICAgICAgICAgICAgICAi6aG257qn6ZK755+z55So5oi35YiY5aSn6ZSkIiwKICAgICAgICAgICAgICAgICAgICAiMjQ2ODAiCiAgICAgICAgICAgICAgICBdLAogICAgICAgICAgICAgICAgIlBob25lIjoiMTg1WFhYWDA1MDciLAogICAgICAgICAgICAgICAgIlVzZXJJZCI6InlvdSBtYW4gYyBkZWZpbmUgdGhlIGNvbnRlbnQgYnkgeXJzZWxmIgogICAgICAgICAgICB9LAogICAgICAgICAgICB7CiAgICAgICAgICAgICAgICAiVGVtcGxhdGVQYXJhbXMiOlsKICAgICAgICAgICAgICAgICAgICAi5byA5b+D5p6c5oyW5Zyf5py6IiwKICAgICAgICAgICAgICAgICAgICAiMTM1NzkiCiAgICAgICAgICAgICAgICBdLAogICAgICAgICAgICAgICAgIlBob25lIjoiMTg1WFhYWDA2MDgiLAogICAgICAgICAgICAgICAgIkV4dGVuZENvZGUiOiIxMjMiLAogICAgICAgICAgICAgICAgIlVzZXJJZCI6ImNhdGNoIHRoZSBiaWcgZmlzaCIKICAgICAgICAgICAgfQogICAgICAgIF0KICAgIH0KXQ==';
const SEED_000_USER_ID = 'you man c define the content by yrself';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('seed documents: every example request, verbatim, gets the documented answer', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let tpl2: string; // two params, as seeds 000 and 003 use
  let tpl1: string; // one param, as seeds 001 and 002 use

  before(async () => {
    server = await ServerProcess.start();
    const a = await server.setupAccount({ sender: 'UCloud', templates: ['Dear {1}, your code is {2}', 'Your verification code is {1}'] });
    creds = a.creds;
    [tpl2, tpl1] = a.templateIds as [string, string];
    await server.cli('sender', 'create', '--account', String(creds.AccountId), '--name', 'uSpeedo', '--approve');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  /** Seed 000's TaskContent with our template id and the placeholder digits filled in, base64 again. */
  function seed000TaskContent(phoneDigits: [string, string]): string {
    const json = Buffer.from(SEED_000_TASK_CONTENT, 'base64')
      .toString('utf8')
      .replace('UTA20212831C85C', tpl2)
      .replace('185XXXX0507', `185${phoneDigits[0]}0507`)
      .replace('185XXXX0608', `185${phoneDigits[1]}0608`);
    return Buffer.from(json, 'utf8').toString('base64');
  }

  /**
   * The request as seed 000 prints it: `?Action=...&PublicKey=...&Signature=...&ProjectId=...&TaskContent=...`
   * with every value put into the URL as it is, unescaped; the signature is over those values.
   */
  async function seed000Get(taskContent: string, signature?: string) {
    const params = { Action: 'SendBatchUSMSMessage', PublicKey: creds.PublicKey, ProjectId: creds.ProjectId, TaskContent: taskContent };
    const sig = signature ?? sign(params, creds.PrivateKey);
    const url = `${server.url}/?Action=${params.Action}&PublicKey=${params.PublicKey}&Signature=${sig}&ProjectId=${params.ProjectId}&TaskContent=${params.TaskContent}`;
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as any };
  }

  async function receiptSet(sessionNo: string, count: number) {
    return waitFor('receipts', async () => {
      const r = await uspeedoPost(server.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sessionNo] });
      const set = r.body.Data?.[0]?.ReceiptSet ?? [];
      return set.length === count && set.every((i: any) => i.ReceiptCode === 'DELIVRD') ? set : undefined;
    });
  }

  test('seed 000: the signed GET with the base64 TaskContent unescaped in the URL, both targets accepted', async () => {
    const taskContent = seed000TaskContent(['1200', '1201']);
    assert.ok(taskContent.includes('+'), 'the example base64 carries "+", which URL decoding turns into a space');
    const res = await seed000Get(taskContent);
    assert.equal(res.status, 200);
    const b = res.body;
    assert.deepEqual(Object.keys(b), ['RetCode', 'Action', 'Message', 'SessionNo', 'ReqUuid', 'SuccessCount', 'FailContent'], JSON.stringify(b));
    assert.equal(b.RetCode, 0, b.Message);
    assert.equal(b.Action, 'SendBatchUSMSMessageResponse');
    assert.equal(b.Message, 'submit success');
    assert.match(b.SessionNo, UUID);
    assert.match(b.ReqUuid, UUID);
    assert.equal(b.SuccessCount, 2);
    assert.deepEqual(b.FailContent, []);
    // Both UserIds (the first one 38 characters) are stored and echoed as given; so is the ExtendCode.
    const set = await receiptSet(b.SessionNo, 2);
    const byPhone = new Map(set.map((i: any) => [i.Phone, i]));
    assert.equal((byPhone.get('18512000507') as any)?.UserId, SEED_000_USER_ID);
    assert.equal((byPhone.get('18512010608') as any)?.UserId, 'catch the big fish');
    const box = await server.cli('sandbox', 'inbox', '--limit', '100');
    const text = box.Messages.find((m: any) => m.Phone === '+8618512000507')?.Text;
    assert.equal(text, '【UCloud】Dear 顶级钻石用户刘大锤, your code is 24680', 'the Chinese params survive the "+" read as a space');
  });

  test('seed 000 answer example: a blacklisted number comes back in FailContent with the documented fields', async () => {
    await server.cli('blacklist', 'add', '--account', String(creds.AccountId), '--phone', '18512110608');
    const res = await seed000Get(seed000TaskContent(['1210', '1211']));
    const b = res.body;
    assert.equal(b.RetCode, 0, b.Message);
    assert.equal(b.Message, 'submit success');
    assert.equal(b.SuccessCount, 1);
    assert.deepEqual(b.FailContent, [
      {
        TemplateId: tpl2,
        SigContent: 'UCloud',
        Target: [
          { TemplateParams: ['开心果挖土机', '13579'], Phone: '18512110608', ExtendCode: '123', UserId: 'catch the big fish', FailureDetails: 'phone in the black list' },
        ],
      },
    ]);
  });

  test('seed 000: a wrong signature is still 171 when TaskContent holds spaces, and so is a TaskContent changed after signing', async () => {
    const taskContent = seed000TaskContent(['1220', '1221']);
    const wrong = await seed000Get(taskContent, sign({ Action: 'SendBatchUSMSMessage', TaskContent: taskContent }, creds.PrivateKey));
    assert.equal(wrong.body.RetCode, 171);
    const signed = sign({ Action: 'SendBatchUSMSMessage', PublicKey: creds.PublicKey, ProjectId: creds.ProjectId, TaskContent: taskContent }, creds.PrivateKey);
    const tampered = await seed000Get(seed000TaskContent(['1222', '1221']), signed);
    assert.equal(tampered.body.RetCode, 171);
    // A literal space the client did sign is not rewritten: only the unsigned reading gets a second check.
    const spaced = await seed000Get(taskContent.replace(/\+/g, '%20'), sign({ Action: 'SendBatchUSMSMessage', PublicKey: creds.PublicKey, ProjectId: creds.ProjectId, TaskContent: taskContent.replace(/\+/g, ' ') }, creds.PrivateKey));
    assert.equal(spaced.body.RetCode, 18002, 'signed as spaces: verified as sent, then refused as bad base64');
  });

  test('seed 001: the uSpeedo JSON POST to /api with SenderId', async () => {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendBatchUSMSMessage',
      AccountId: creds.AccountId,
      TaskContent: [{ TemplateId: tpl1, SenderId: 'UCloud', Target: [{ TemplateParams: ['123456'], Phone: '(852)55311111', ExtendCode: '123', UserId: '456' }] }],
    });
    assert.equal(res.status, 200);
    const b = res.body;
    assert.deepEqual(Object.keys(b).sort(), ['Action', 'FailContent', 'Message', 'ReqUuid', 'RetCode', 'SessionNo', 'SuccessCount']);
    assert.equal(b.RetCode, 0, b.Message);
    assert.equal(b.Action, 'SendBatchUSMSMessageResponse');
    assert.equal(b.Message, 'submit success');
    assert.equal(typeof b.SessionNo, 'string');
    assert.equal(typeof b.ReqUuid, 'string');
    assert.equal(b.SuccessCount, 1);
    assert.deepEqual(b.FailContent, []);
    const [item] = await receiptSet(b.SessionNo, 1);
    assert.equal(item.Phone, '(852)55311111');
    assert.equal(item.UserId, '456');
  });

  test('seed 002: REST v1 POST with HTTP Basic ACCESSKEY_ID:ACCESSKEY_SECRET', async () => {
    const res = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
      TaskContent: [{ TemplateId: tpl1, SenderId: 'uSpeedo', Target: [{ Phone: '13800138000', TemplateParams: ['123456'] }] }],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['RetCode', 'Message', 'SessionNo', 'FailedTargetPhones']);
    assert.equal(res.body.RetCode, 0);
    assert.equal(res.body.Message, 'success');
    assert.ok(Array.isArray(res.body.SessionNo) && res.body.SessionNo.length === 1 && typeof res.body.SessionNo[0] === 'string');
    assert.deepEqual(res.body.FailedTargetPhones, []);
    // "Send task list as JSON string" is accepted the same way.
    const asText = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
      TaskContent: JSON.stringify([{ TemplateId: tpl1, SenderId: 'uSpeedo', Target: [{ Phone: '13800138000', TemplateParams: ['123456'] }] }]),
    });
    assert.equal(asText.body.RetCode, 0, asText.body.Message);
    // The documented error response: an unknown template is a parameter error.
    const bad = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
      TaskContent: [{ TemplateId: 'template_id_1', SenderId: 'uSpeedo', Target: [{ Phone: '13800138000', TemplateParams: ['123456'] }] }],
    });
    assert.equal(bad.body.RetCode, 215392);
    assert.equal(typeof bad.body.Message, 'string');
  });

  test('seed 003: SendUSMSMessage to two numbers with numeric TemplateParams and a UserId', async () => {
    const res = await uspeedoPost(server.url, creds, {
      Action: 'SendUSMSMessage',
      AccountId: creds.AccountId,
      PhoneNumbers: ['18512301234', '13112301234'],
      TemplateParams: [123456, 10],
      SenderId: 'UCloud',
      TemplateId: tpl2,
      UserId: 'hGBCrtQw',
    });
    const b = res.body;
    assert.deepEqual(Object.keys(b).sort(), ['Action', 'Message', 'RetCode', 'SessionNo', 'UserId']);
    assert.equal(b.RetCode, 0, b.Message);
    assert.equal(b.Action, 'SendUSMSMessageResponse');
    assert.equal(b.Message, '提交发送成功');
    assert.equal(b.UserId, 'hGBCrtQw');
    const set = await receiptSet(b.SessionNo, 2);
    assert.deepEqual(set.map((i: any) => i.Phone), ['18512301234', '13112301234']);
  });
});
