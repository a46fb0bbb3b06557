import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, basicAuth, ucloudGet, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const TEMPLATE_ID = /^UTA\d{6}[A-Z2-9]{6}$/;
const SIG_ID = /^SIG\d{6}[A-Z2-9]{6}$/;
const OUT_TEMPLATE_KEYS = ['TemplateId', 'Purpose', 'TemplateName', 'Template', 'Status', 'Remark', 'ErrDesc', 'CreateTime', 'Instruction', 'UnsubscribeInfo'];

describe('customer template and signature API, end to end', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let other: Credentials;
  let otherTemplate: string;

  before(async () => {
    server = await ServerProcess.start();
    creds = (await server.setupAccount({ sender: 'usms', templates: [] })).creds;
    const b = await server.setupAccount({ sender: 'usms', templates: ['Other account {1}'] });
    other = b.creds;
    otherTemplate = b.templateIds[0]!;
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  const account = () => String(creds.AccountId);
  const ucloud = async (params: Record<string, string>, c = creds) => (await ucloudGet(server.url, c, params)).body;
  const ucloudForm = async (params: Record<string, string>, c = creds) => (await ucloudPostForm(server.url, c, params)).body;
  const uspeedo = async (body: Record<string, unknown>, c = creds) => (await uspeedoPost(server.url, c, { AccountId: c.AccountId, ...body })).body;
  async function rest(method: string, query: string, body?: unknown, c = creds) {
    const res = await fetch(`${server.url}/api/v1/usms/USMSTemplate${query}`, {
      method,
      headers: { authorization: basicAuth(c), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  async function create(fields: Record<string, unknown> = {}, c = creds): Promise<string> {
    const res = await uspeedo({ Action: 'CreateUSMSTemplate', Purpose: 2, TemplateName: 'notice', Template: 'Your parcel {1} is out for delivery', ...fields }, c);
    assert.equal(res.RetCode, 0, res.Message);
    return res.TemplateId;
  }
  async function query(id: string, c = creds) {
    const res = await uspeedo({ Action: 'QueryUSMSTemplate', TemplateId: [id] }, c);
    assert.equal(res.RetCode, 0, res.Message);
    return res.Data[0];
  }
  const sendOne = (templateId: string, params: unknown[]) =>
    uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: ['13912345678'], TemplateId: templateId, TemplateParams: params, SenderId: 'usms' });

  test('UCloud signed GET: create, then query one id; the answer is Data = that template, with the documented fields', async () => {
    const c = await ucloud({ Action: 'CreateUSMSTemplate', Purpose: '1', TemplateName: '验证码模板01', Template: '您的验证码为{1}，请在{2}分钟内使用。', Remark: 'login codes', Instruction: '{1} six digits, {2} minutes' });
    assert.deepEqual(Object.keys(c), ['RetCode', 'Action', 'Message', 'TemplateId']);
    assert.equal(c.RetCode, 0);
    assert.equal(c.Action, 'CreateUSMSTemplateResponse');
    assert.match(c.TemplateId, TEMPLATE_ID);

    const q = await ucloud({ Action: 'QueryUSMSTemplate', TemplateId: c.TemplateId });
    assert.equal(q.RetCode, 0);
    assert.equal(q.Action, 'QueryUSMSTemplateResponse');
    // The UCloud SDKs send one TemplateId and read Data as one OutTemplate object.
    assert.ok(!Array.isArray(q.Data));
    const t = q.Data;
    assert.deepEqual(Object.keys(t), OUT_TEMPLATE_KEYS);
    assert.deepEqual({ ...t, CreateTime: 0 }, {
      TemplateId: c.TemplateId, Purpose: 1, TemplateName: '验证码模板01', Template: '您的验证码为{1}，请在{2}分钟内使用。', Status: 1,
      Remark: 'login codes', ErrDesc: '', CreateTime: 0, Instruction: '{1} six digits, {2} minutes', UnsubscribeInfo: '',
    });
    assert.ok(Math.abs(t.CreateTime - Date.now() / 1000) < 60, 'CreateTime in unix seconds');
  });

  test('uSpeedo: TemplateId as an array; unknown ids and other accounts\' ids are simply absent', async () => {
    const a = await create({ TemplateName: 'a' });
    const b = await create({ TemplateName: 'b' });
    const q = await uspeedo({ Action: 'QueryUSMSTemplate', TemplateId: [b, 'UTA000000NOSUCH', otherTemplate, a] });
    assert.equal(q.RetCode, 0);
    assert.deepEqual(q.Data.map((t: any) => t.TemplateId), [b, a]);
    const none = await uspeedo({ Action: 'QueryUSMSTemplate', TemplateId: [otherTemplate] });
    assert.equal(none.RetCode, 0);
    assert.deepEqual(none.Data, []);
    // The owner still sees it.
    assert.equal((await query(otherTemplate, other)).TemplateId, otherTemplate);
  });

  test('UCloud POST form with flattened arrays: query TemplateId.N, delete TemplateIds.N, then query finds nothing', async () => {
    const a = await create();
    const b = await create();
    const q = await ucloudForm({ Action: 'QueryUSMSTemplate', 'TemplateId.0': a, 'TemplateId.1': b });
    assert.equal(q.RetCode, 0);
    assert.deepEqual(q.Data.map((t: any) => t.TemplateId), [a, b]);
    const d = await ucloudForm({ Action: 'DeleteUSMSTemplate', 'TemplateIds.0': a, 'TemplateIds.1': b });
    assert.deepEqual(d, { RetCode: 0, Action: 'DeleteUSMSTemplateResponse', Message: '' });
    const after = await ucloudForm({ Action: 'QueryUSMSTemplate', 'TemplateId.0': a, 'TemplateId.1': b });
    assert.equal(after.RetCode, 0);
    assert.deepEqual(after.Data, []);
    const again = await ucloudForm({ Action: 'DeleteUSMSTemplate', 'TemplateIds.0': a });
    assert.equal(again.RetCode, 18017);
  });

  test('without TemplateId: all of the account\'s templates, newest first, paged, with Total', async () => {
    const fresh = (await server.setupAccount({ sender: 'usms', templates: [] })).creds;
    const ids = [];
    for (const name of ['first', 'second', 'third']) ids.push(await create({ TemplateName: name }, fresh));
    const all = await uspeedo({ Action: 'QueryUSMSTemplate' }, fresh);
    assert.equal(all.RetCode, 0);
    assert.equal(all.Total, 3);
    assert.deepEqual(new Set(all.Data.map((t: any) => t.TemplateId)), new Set(ids));
    const page = await ucloud({ Action: 'QueryUSMSTemplate', NumPerPage: '2', Page: '1' }, fresh);
    assert.equal(page.RetCode, 0);
    assert.equal(page.Total, 3);
    assert.equal(page.Data.length, 1);
    assert.equal(page.Data[0].TemplateId, all.Data[2].TemplateId);
  });

  test('unknown template and another account\'s template look the same: 18017 for update and delete', async () => {
    const unknown = 'UTA000000NOSUCH';
    for (const id of [unknown, otherTemplate]) {
      const u = await ucloud({ Action: 'UpdateUSMSTemplate', TemplateId: id, Template: 'Changed {1}' });
      assert.equal(u.RetCode, 18017);
      assert.equal(u.Message, `template ${id} does not exist`);
      const d = await uspeedo({ Action: 'DeleteUSMSTemplate', TemplateIds: [id] });
      assert.equal(d.RetCode, 18017);
      assert.equal(d.Message, `template ${id} does not exist`);
    }
    // Nothing happened to the other account's template, and a delete with one foreign id deletes nothing.
    const mine = await create();
    const mixed = await uspeedo({ Action: 'DeleteUSMSTemplate', TemplateIds: [mine, otherTemplate] });
    assert.equal(mixed.RetCode, 18017);
    assert.match(mixed.Message, new RegExp(otherTemplate));
    assert.equal((await query(mine)).TemplateId, mine);
    const theirs = await query(otherTemplate, other);
    assert.equal(theirs.Template, 'Other account {1}');
    assert.equal(theirs.Status, 2);
  });

  test('bad input: 18001 for missing, 18003 for invalid, gaps in placeholders named', async () => {
    const base = { Action: 'CreateUSMSTemplate', Purpose: 2, TemplateName: 'x', Template: 'Hello {1}' };
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ ...base, Template: undefined }, 18001, /Missing parameter \[Template\]/],
      [{ ...base, Purpose: undefined }, 18001, /Missing parameter \[Purpose\]/],
      [{ ...base, TemplateName: '' }, 18001, /Missing parameter \[TemplateName\]/],
      [{ ...base, Purpose: 7 }, 18003, /Invalid parameter \[Purpose\]/],
      [{ ...base, TemplateName: 'n'.repeat(33) }, 18003, /\[TemplateName\]: at most 32 characters/],
      [{ ...base, Template: 'x'.repeat(501) }, 18003, /\[Template\].*501 characters, more than 500/],
      [{ ...base, Template: 'Hi {1}, code {3}' }, 18003, /\[Template\]: template placeholders must be \{1\}\.\.\{n\} without gaps, found \{1\}, \{3\}/],
      [{ ...base, Template: '{1}' }, 18003, /besides its placeholders/],
    ];
    for (const [body, code, message] of cases) {
      const res = await uspeedo(JSON.parse(JSON.stringify(body)));
      assert.equal(res.RetCode, code, `${JSON.stringify(body)}: ${res.Message}`);
      assert.match(res.Message, message);
    }
    const gap = await ucloud({ Action: 'CreateUSMSTemplate', Purpose: '2', TemplateName: 'x', Template: 'Hi {1}, code {3}' });
    assert.equal(gap.RetCode, 18003);
    const noChange = await ucloud({ Action: 'UpdateUSMSTemplate', TemplateId: await create() });
    assert.equal(noChange.RetCode, 18001);
    assert.equal((await ucloud({ Action: 'DeleteUSMSTemplate' })).RetCode, 18001);
  });

  test('marketing without an unsubscribe note is refused; with one it is stored and answered', async () => {
    const body = { Action: 'CreateUSMSTemplate', Purpose: 3, TemplateName: 'sale', Template: 'Spring sale: {1} off everything' };
    const refused = await uspeedo(body);
    assert.equal(refused.RetCode, 18001);
    assert.match(refused.Message, /UnsubscribeInfo.*marketing/);
    const refusedUcloud = await ucloud({ Action: 'CreateUSMSTemplate', Purpose: '3', TemplateName: 'sale', Template: 'Spring sale: {1} off', UnsubscribeInfo: ' ' });
    assert.equal(refusedUcloud.RetCode, 18001);
    const ok = await uspeedo({ ...body, UnsubscribeInfo: 'Reply T to unsubscribe' });
    assert.equal(ok.RetCode, 0);
    const t = await query(ok.TemplateId);
    assert.equal(t.Purpose, 3);
    assert.equal(t.UnsubscribeInfo, 'Reply T to unsubscribe');
    // Turning a notification into marketing needs the note too.
    const plain = await create();
    const u = await uspeedo({ Action: 'UpdateUSMSTemplate', TemplateId: plain, Purpose: 3 });
    assert.equal(u.RetCode, 18001);
    assert.equal((await query(plain)).Purpose, 2);
  });

  test('approved by the operator: it sends; an approved template cannot be updated', async () => {
    const id = await create({ Template: 'Your code is {1}' });
    const before = await sendOne(id, ['1234']);
    assert.equal(before.RetCode, 18017, 'under review: cannot send yet');
    await server.cli('template', 'approve', '--account', account(), '--id', id);
    assert.equal((await query(id)).Status, 2);
    const sent = await sendOne(id, ['1234']);
    assert.equal(sent.RetCode, 0, sent.Message);
    assert.ok(sent.SessionNo);

    for (const res of [
      await ucloud({ Action: 'UpdateUSMSTemplate', TemplateId: id, Template: 'Your new code is {1}' }),
      await uspeedo({ Action: 'UpdateUSMSTemplate', TemplateId: id, TemplateName: 'renamed' }),
    ]) {
      assert.equal(res.RetCode, 18003);
      assert.equal(res.Message, `template ${id} is approved and can no longer be changed; create a new template instead`);
    }
    const t = await query(id);
    assert.equal(t.Template, 'Your code is {1}');
    assert.equal(t.Status, 2);
  });

  test('rejected by the operator: ErrDesc shows the reason and it cannot send (18017); a content change resets review', async () => {
    const id = await create({ Template: 'Hello {1}' });
    await server.cli('template', 'reject', '--account', account(), '--id', id, '--reason', 'say who is writing');
    let t = await query(id);
    assert.equal(t.Status, 3);
    assert.equal(t.ErrDesc, 'say who is writing');
    const refused = await sendOne(id, ['Ann']);
    assert.equal(refused.RetCode, 18017);
    assert.match(refused.Message, new RegExp(`template ${id} does not exist or is not approved`));

    // A new name alone keeps the review status.
    assert.equal((await uspeedo({ Action: 'UpdateUSMSTemplate', TemplateId: id, TemplateName: 'greeting' })).RetCode, 0);
    t = await query(id);
    assert.equal(t.TemplateName, 'greeting');
    assert.equal(t.Status, 3);

    // New content: back to review, reason cleared, placeholder count recomputed (now two).
    const u = await ucloud({ Action: 'UpdateUSMSTemplate', TemplateId: id, Template: 'Hello {1}, this is {2} from ACME' });
    assert.deepEqual(u, { RetCode: 0, Action: 'UpdateUSMSTemplateResponse', Message: '' });
    t = await query(id);
    assert.equal(t.Status, 1);
    assert.equal(t.ErrDesc, '');
    assert.equal(t.Template, 'Hello {1}, this is {2} from ACME');
    const gap = await ucloud({ Action: 'UpdateUSMSTemplate', TemplateId: id, Template: 'Hello {2}' });
    assert.equal(gap.RetCode, 18003);

    await server.cli('template', 'approve', '--account', account(), '--id', id);
    const wrongCount = await sendOne(id, ['Ann']);
    assert.equal(wrongCount.RetCode, 18018);
    const ok = await sendOne(id, ['Ann', 'Bob']);
    assert.equal(ok.RetCode, 0, ok.Message);
  });

  test('auto-approval on: submitted templates are approved at once and send; off: they wait for review', async () => {
    const acct = (await server.setupAccount({ sender: 'usms', templates: [] })).creds;
    const id = String(acct.AccountId);
    assert.deepEqual(await server.cli('template', 'auto-approve', '--account', id), { AccountId: acct.AccountId, TemplateAutoApprove: false });
    assert.deepEqual(await server.cli('template', 'auto-approve', '--account', id, '--on'), { AccountId: acct.AccountId, TemplateAutoApprove: true });

    const auto = await create({ Template: 'Auto approved {1}' }, acct);
    assert.equal((await query(auto, acct)).Status, 2);
    const sent = await uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: ['13912345678'], TemplateId: auto, TemplateParams: ['x'], SenderId: 'usms' }, acct);
    assert.equal(sent.RetCode, 0, sent.Message);
    // Auto-approval is per account: the first account still reviews.
    assert.equal((await query(await create())).Status, 1);

    assert.deepEqual(await server.cli('template', 'auto-approve', '--account', id, '--off'), { AccountId: acct.AccountId, TemplateAutoApprove: false });
    const manual = await create({ Template: 'Needs review {1}' }, acct);
    assert.equal((await query(manual, acct)).Status, 1);
    const refused = await uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: ['13912345678'], TemplateId: manual, TemplateParams: ['x'], SenderId: 'usms' }, acct);
    assert.equal(refused.RetCode, 18017);

    await assert.rejects(server.cli('template', 'auto-approve', '--account', id, '--on', '--off'));
    await assert.rejects(server.cli('template', 'auto-approve', '--account', '99999999', '--on'));
  });

  test('REST v1: POST, GET, PUT, DELETE /api/v1/usms/USMSTemplate with REST codes', async () => {
    const c = await rest('POST', '', { Purpose: 2, TemplateName: 'rest', Template: 'REST template {1}', Remark: 'via REST' });
    assert.equal(c.status, 200);
    assert.deepEqual(Object.keys(c.body), ['RetCode', 'Message', 'TemplateId']);
    assert.equal(c.body.RetCode, 0);
    assert.equal(c.body.Message, 'success');
    assert.match(c.body.TemplateId, TEMPLATE_ID);
    const id = c.body.TemplateId;
    const second = (await rest('POST', '', { Purpose: 1, TemplateName: 'rest2', Template: 'Code {1}' })).body.TemplateId;

    const g = await rest('GET', `?TemplateId=${id}&TemplateId=${second}&TemplateId=${otherTemplate}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.RetCode, 0);
    assert.deepEqual(g.body.Data.map((t: any) => t.TemplateId), [id, second]);
    assert.deepEqual(Object.keys(g.body.Data[0]), OUT_TEMPLATE_KEYS);
    assert.equal(g.body.Data[0].Remark, 'via REST');

    const p = await rest('PUT', '', { TemplateId: id, Template: 'REST template {1} v2' });
    assert.deepEqual(p.body, { RetCode: 0, Message: 'success' });
    assert.equal((await rest('GET', `?TemplateId=${id}`)).body.Data[0].Template, 'REST template {1} v2');

    // Errors in REST codes.
    assert.equal((await rest('PUT', '', { TemplateId: 'UTA000000NOSUCH', Template: 'x {1}' })).body.RetCode, 215396);
    assert.equal((await rest('PUT', '', { TemplateId: otherTemplate, Template: 'x {1}' })).body.RetCode, 215396);
    assert.equal((await rest('POST', '', { Purpose: 2, TemplateName: 'x' })).body.RetCode, 215397);
    assert.equal((await rest('POST', '', { Purpose: 3, TemplateName: 'x', Template: 'Sale {1}' })).body.RetCode, 215397);
    const gap = await rest('POST', '', { Purpose: 2, TemplateName: 'x', Template: 'a {1} {3}' });
    assert.equal(gap.body.RetCode, 215392);
    assert.match(gap.body.Message, /without gaps/);
    await server.cli('template', 'approve', '--account', account(), '--id', second);
    const approved = await rest('PUT', '', { TemplateId: second, Template: 'Code {1}!' });
    assert.equal(approved.body.RetCode, 215392);
    assert.match(approved.body.Message, /approved/);
    const unauth = await rest('GET', `?TemplateId=${id}`, undefined, { ...creds, PrivateKey: 'wrong' });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.body.RetCode, 215398);

    const dOther = await rest('DELETE', `?TemplateIds=${otherTemplate}`);
    assert.equal(dOther.body.RetCode, 215396);
    assert.equal((await rest('DELETE', '')).body.RetCode, 215397);
    const d = await rest('DELETE', `?TemplateIds=${id}&TemplateIds=${second}`);
    assert.deepEqual(d.body, { RetCode: 0, Message: 'success' });
    const gone = await rest('GET', `?TemplateId=${id}&TemplateId=${second}`);
    assert.deepEqual(gone.body, { RetCode: 0, Message: 'success', Data: [] });
    assert.equal((await query(otherTemplate, other)).TemplateId, otherTemplate);
  });

  test('signatures in the UCloud dialect: create, query, reject, update back to review, approve, send, update refused, delete', async () => {
    const file = Buffer.from('certificate scan').toString('base64');
    const c = await ucloud({ Action: 'CreateUSMSSignature', SigContent: 'ACME', SigType: '0', SigPurpose: '0', CertificateType: '0', Description: 'our company', File: file });
    assert.equal(c.RetCode, 0, c.Message);
    assert.equal(c.Action, 'CreateUSMSSignatureResponse');
    assert.match(c.SigId, SIG_ID);
    assert.equal(c.SigContent, 'ACME');
    const sigId = c.SigId;

    const q = await ucloud({ Action: 'QueryUSMSSignature', SigId: sigId });
    assert.equal(q.RetCode, 0);
    assert.deepEqual(q.Data, { SigId: sigId, SigContent: 'ACME', Status: 1, ErrDesc: '' });
    assert.deepEqual((await ucloud({ Action: 'QueryUSMSSignature', SigContent: 'ACME' })).Data, q.Data);

    const dup = await ucloud({ Action: 'CreateUSMSSignature', SigContent: 'ACME' });
    assert.equal(dup.RetCode, 18003);
    assert.match(dup.Message, new RegExp(`already exists \\(SigId ${sigId}\\)`));
    for (const bad of ['【ACME】', '[ACME]', 'A', 'x'.repeat(21)]) {
      const r = await ucloud({ Action: 'CreateUSMSSignature', SigContent: bad });
      assert.equal(r.RetCode, 18003, bad);
      assert.match(r.Message, /Invalid parameter \[SigContent\]/);
    }
    assert.equal((await ucloud({ Action: 'CreateUSMSSignature', SigContent: 'Fine', SigType: '9' })).RetCode, 18003);
    assert.equal((await ucloud({ Action: 'CreateUSMSSignature', SigType: '0' })).RetCode, 18001);
    assert.equal((await ucloud({ Action: 'QueryUSMSSignature' })).RetCode, 18001);

    // Not approved yet: it cannot sign a message.
    const tpl = await create({ Template: 'Signed {1}' });
    await server.cli('template', 'approve', '--account', account(), '--id', tpl);
    const unsigned = await uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: ['13912345678'], TemplateId: tpl, TemplateParams: ['1'], SenderId: 'ACME' });
    assert.equal(unsigned.RetCode, 18016);

    await server.cli('sender', 'reject', '--account', account(), '--id', sigId, '--reason', 'certificate unreadable');
    assert.deepEqual((await ucloud({ Action: 'QueryUSMSSignature', SigId: sigId })).Data, { SigId: sigId, SigContent: 'ACME', Status: 3, ErrDesc: 'certificate unreadable' });
    const u = await ucloudForm({ Action: 'UpdateUSMSSignature', SigId: sigId, SigContent: 'ACME Corp', File: file });
    assert.deepEqual(u, { RetCode: 0, Action: 'UpdateUSMSSignatureResponse', Message: '' });
    assert.deepEqual((await ucloud({ Action: 'QueryUSMSSignature', SigId: sigId })).Data, { SigId: sigId, SigContent: 'ACME Corp', Status: 1, ErrDesc: '' });

    await server.cli('sender', 'approve', '--account', account(), '--id', sigId);
    const signed = await uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: ['13912345678'], TemplateId: tpl, TemplateParams: ['1'], SenderId: 'ACME Corp' });
    assert.equal(signed.RetCode, 0, signed.Message);
    const refused = await ucloud({ Action: 'UpdateUSMSSignature', SigId: sigId, Description: 'changed' });
    assert.equal(refused.RetCode, 18003);
    assert.match(refused.Message, /approved and can no longer be changed/);

    const d = await ucloudForm({ Action: 'DeleteUSMSSignature', 'SigIds.0': sigId });
    assert.deepEqual(d, { RetCode: 0, Action: 'DeleteUSMSSignatureResponse', Message: '' });
    const gone = await ucloud({ Action: 'QueryUSMSSignature', SigId: sigId });
    assert.equal(gone.RetCode, 18016);
    assert.equal(gone.Message, `signature ${sigId} does not exist`);
  });

  test('signatures in the uSpeedo dialect (SenderId wording); another account\'s signature looks unknown', async () => {
    const c = await uspeedo({ Action: 'CreateUSMSSignature', SenderId: 'Speedy', SigType: 1, Description: 'our app' });
    assert.equal(c.RetCode, 0, c.Message);
    assert.match(c.SigId, SIG_ID);
    assert.equal(c.SenderId, 'Speedy');
    const q = await uspeedo({ Action: 'QueryUSMSSignature', SenderId: 'Speedy' });
    assert.deepEqual(q.Data, { SigId: c.SigId, SenderId: 'Speedy', Status: 1, ErrDesc: '' });
    assert.deepEqual((await uspeedo({ Action: 'QueryUSMSSignature', SigId: c.SigId, SigContent: 'Nope' })).RetCode, 18016);

    for (const action of ['QueryUSMSSignature', 'UpdateUSMSSignature']) {
      const r = await uspeedo({ Action: action, SigId: c.SigId, Description: 'mine now' }, other);
      assert.equal(r.RetCode, 18016, action);
      assert.equal(r.Message, `signature ${c.SigId} does not exist`);
    }
    const d = await uspeedo({ Action: 'DeleteUSMSSignature', SigIds: [c.SigId] }, other);
    assert.equal(d.RetCode, 18016);
    assert.equal((await uspeedo({ Action: 'QueryUSMSSignature', SigId: c.SigId })).Data.Status, 1);

    const u = await uspeedo({ Action: 'UpdateUSMSSignature', SigId: c.SigId, SigType: 2 });
    assert.equal(u.RetCode, 0, u.Message);
    assert.equal((await uspeedo({ Action: 'DeleteUSMSSignature', SigIds: [c.SigId, 'SIG000000NOSUCH'] })).RetCode, 18016);
    assert.equal((await uspeedo({ Action: 'DeleteUSMSSignature', SigIds: [c.SigId] })).RetCode, 0);
    assert.equal((await uspeedo({ Action: 'QueryUSMSSignature', SigId: c.SigId })).RetCode, 18016);
  });
});

test('deleting a template does not stop the messages already queued with it', async () => {
  const api = await ServerProcess.start({ USMS_WORKERS: '0' });
  const workspace = api.workspace;
  try {
    const { creds } = await api.setupAccount({ sender: 'usms', templates: [] });
    const created = await uspeedoPost(api.url, creds, { Action: 'CreateUSMSTemplate', AccountId: creds.AccountId, Purpose: 1, TemplateName: 'code', Template: 'Your code is {1}' });
    const id = created.body.TemplateId;
    await api.cli('template', 'approve', '--account', String(creds.AccountId), '--id', id);
    const sent = await uspeedoPost(api.url, creds, { Action: 'SendUSMSMessage', AccountId: creds.AccountId, PhoneNumbers: ['13912340042'], TemplateId: id, TemplateParams: ['4321'], SenderId: 'usms' });
    assert.equal(sent.body.RetCode, 0, sent.body.Message);
    const del = await uspeedoPost(api.url, creds, { Action: 'DeleteUSMSTemplate', AccountId: creds.AccountId, TemplateIds: [id] });
    assert.equal(del.body.RetCode, 0);
    const q = await uspeedoPost(api.url, creds, { Action: 'QueryUSMSTemplate', AccountId: creds.AccountId, TemplateId: [id] });
    assert.deepEqual(q.body.Data, []);
    assert.equal(await api.stop(true), 0);

    const worker = await ServerProcess.start({}, workspace);
    try {
      const item = await waitFor('delivery after the template was deleted', async () => {
        const r = await uspeedoPost(worker.url, creds, { Action: 'GetUSMSSendReceipt', AccountId: creds.AccountId, SessionNoSet: [sent.body.SessionNo] });
        const i = r.body.Data?.[0]?.ReceiptSet?.[0];
        return i?.ReceiptCode === 'DELIVRD' ? i : undefined;
      }, 20_000);
      assert.equal(item.ReceiptResult, 'Success');
      const inbox = await worker.cli('sandbox', 'inbox', '--limit', '10');
      assert.equal(inbox.Messages.find((m: any) => m.Phone === '+8613912340042')?.Text, '【usms】Your code is 4321');
    } finally {
      assert.equal(await worker.stop(true), 0);
    }
  } finally {
    await workspace.remove();
  }
});
