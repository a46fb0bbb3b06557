import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerProcess, basicAuth, restPost, ucloudGet, ucloudPostForm, uspeedoPost, waitFor, type Credentials } from './harness.ts';

/*
 * The answer of every action, in every dialect, against the response models of the official SDKs:
 * ucloud-sdk-go / -python3 / -js (service usms) for the UCloud dialect, uspeedo-sdk-go / -python / -java
 * (asms) for the uSpeedo dialect and REST v1. Field names and JSON types must be what those models
 * decode: the Go SDKs refuse a number where they expect a string, the Python UCloud SDK converts every
 * field of its model, and the UCloud SDKs read QueryUSMSTemplate's Data as one object.
 *
 * A shape maps each field to its JSON type; `Name?` is a field the model marks optional; a field the
 * shape does not name is a failure (a misspelt name is one).
 */

type Shape = 'string' | 'integer' | 'number' | 'boolean' | readonly [Shape] | { readonly [field: string]: Shape };

function problems(value: unknown, shape: Shape, path = '$'): string[] {
  if (shape === 'string') return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
  if (shape === 'integer') return Number.isInteger(value) ? [] : [`${path}: expected an integer, got ${JSON.stringify(value)}`];
  if (shape === 'number') return typeof value === 'number' ? [] : [`${path}: expected a number, got ${JSON.stringify(value)}`];
  if (shape === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: expected true/false, got ${JSON.stringify(value)}`];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${path}: expected an array, got ${JSON.stringify(value)}`];
    return value.flatMap((item, i) => problems(item, shape[0] as Shape, `${path}[${i}]`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const out: string[] = [];
  const fields = shape as Record<string, Shape>;
  const known = new Set(Object.keys(fields).map((k) => k.replace(/\?$/, '')));
  for (const [key, sub] of Object.entries(fields)) {
    const name = key.replace(/\?$/, '');
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined) {
      if (!key.endsWith('?')) out.push(`${path}.${name}: missing`);
      continue;
    }
    out.push(...problems(v, sub, `${path}.${name}`));
  }
  for (const key of Object.keys(value)) if (!known.has(key)) out.push(`${path}.${key}: not a field of the SDK model`);
  return out;
}

function assertShape(value: unknown, shape: Shape, what: string) {
  assert.deepEqual(problems(value, shape), [], `${what}: ${JSON.stringify(value)}`);
}

// ---- the models, per dialect

const action = { RetCode: 'integer', Action: 'string', Message: 'string' } as const;
const rest = { RetCode: 'integer', Message: 'string' } as const;

const failPhoneDetail = { TemplateParams: ['string'], Phone: 'string', 'ExtendCode?': 'string', 'UserId?': 'string', 'FailureDetails?': 'string' } as const;
const batchInfo = (sender: 'SigContent' | 'SenderId') =>
  ({ TemplateId: 'string', [sender]: 'string', Target: [failPhoneDetail], 'FailureDetails?': 'string' }) as const;
const sendBatch = (sender: 'SigContent' | 'SenderId') =>
  ({ ...action, 'SessionNo?': 'string', ReqUuid: 'string', SuccessCount: 'integer', FailContent: [batchInfo(sender)] }) as const;
const restSendBatch = { ...rest, SessionNo: ['string'], FailedTargetPhones: [{ Phone: 'string', TemplateParams: ['string'], FailureReason: 'string' }] } as const;
const sendSingle = { ...action, SessionNo: 'string', 'UserId?': 'string' } as const;

const ucloudReceipt = { Phone: 'string', CostCount: 'integer', ReceiptResult: 'string', ReceiptCode: 'string', ReceiptDesc: 'string', ReceiptTime: 'integer', UserId: 'string' } as const;
const uspeedoReceipt = { ...ucloudReceipt, AccountId: 'integer', BrevityCode: 'string', CountryCode: 'string' } as const;
const receipts = (r: Shape) => [{ SessionNo: 'string', ReceiptSet: [r] }] as const;

const outTemplate = {
  TemplateId: 'string', Purpose: 'integer', TemplateName: 'string', Template: 'string', Status: 'integer',
  Remark: 'string', ErrDesc: 'string', CreateTime: 'integer', Instruction: 'string', UnsubscribeInfo: 'string',
} as const;
const outSignature = (sender: 'SigContent' | 'SenderId') => ({ SigId: 'string', [sender]: 'string', Status: 'integer', ErrDesc: 'string' }) as const;

const rowCounts = {
  Count: 'integer', CostCount: 'integer', SuccessCount: 'integer', SuccessCostCount: 'integer', FailedCount: 'integer', FailedCostCount: 'integer',
  SubmitFailedCount: 'integer', SubmitFailedCostCount: 'integer', UnknownCount: 'integer', UnknownCostCount: 'integer',
} as const;
/** UCloud's StatisticsData model: the totals are named differently from the rows. */
const statisticsData = {
  SendCount: 'integer', SendCostCount: 'integer', SuccessCount: 'integer', SuccessCostCount: 'integer', FailCount: 'integer', FailCostCount: 'integer',
  SubmitFailCount: 'integer', SubmitFailCostCount: 'integer', UnknownCount: 'integer', UnknownCostCount: 'integer',
} as const;
const statistics = { ...action, Data: [{ BrevityCode: 'string', SendDate: 'string', ...rowCounts, SuccessRate: 'number' }], StatisticsData: statisticsData, Total: 'integer' } as const;
const templateStatistics = {
  ...action,
  Data: [{ TemplateId: 'string', BrevityCode: 'string', SendDate: 'string', ...rowCounts, 'SuccessRate?': 'number' }],
  StatisticsData: statisticsData,
  Total: 'integer',
} as const;

describe('answer shapes: field names and JSON types as the official SDKs read them', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let other: Credentials;
  let tpl1: string;
  let phoneSeq = 0;
  const phone = () => `1392${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;

  before(async () => {
    server = await ServerProcess.start();
    const a = await server.setupAccount({ sender: 'SCloud', templates: ['Your verification code is {1}'] });
    creds = a.creds;
    tpl1 = a.templateIds[0]!;
    other = (await server.setupAccount({ sender: 'SCloud', templates: [] })).creds;
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  const ucloud = async (params: Record<string, string>, c = creds) => (await ucloudGet(server.url, c, params)).body;
  const uspeedo = async (body: Record<string, unknown>, c = creds) => (await uspeedoPost(server.url, c, { AccountId: c.AccountId, ...body })).body;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
  const today = () => new Date().toISOString().slice(0, 10);
  const restCall = async (method: string, path: string, body?: unknown, c = creds) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: basicAuth(c), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as any;
  };

  /** A batch with one good target and one refused target whose echoed fields were sent as numbers. */
  const batch = (sender: 'SigContent' | 'SenderId') => [
    {
      TemplateId: tpl1,
      [sender]: 'SCloud',
      Target: [
        { Phone: phone(), TemplateParams: ['1234'], UserId: 'ok-1' },
        { Phone: '12345', TemplateParams: [123, 4.5], ExtendCode: 77, UserId: 'bad-1' },
      ],
    },
  ];

  async function pulled(call: () => Promise<any>) {
    return waitFor('a final report to pull', async () => {
      const r = await call();
      return r.ReportSet?.length ? r : undefined;
    });
  }

  describe('UCloud dialect (ucloud-sdk-go / -python3 / -js)', () => {
    test('SendBatchUSMSMessage, SendUSMSMessage, GetUSMSSendReceipt, PullUSMSReport', async () => {
      const b = await ucloud({ Action: 'SendBatchUSMSMessage', TaskContent: b64(batch('SigContent')) });
      assertShape(b, sendBatch('SigContent'), 'SendBatchUSMSMessage');
      assert.equal(b.RetCode, 0);
      assert.deepEqual(b.FailContent[0].Target[0].TemplateParams, ['123', '4.5'], 'echoed as strings');
      assert.equal(b.FailContent[0].Target[0].ExtendCode, '77');

      const s = await ucloud({ Action: 'SendUSMSMessage', 'PhoneNumbers.0': phone(), TemplateId: tpl1, 'TemplateParams.0': '42', SigContent: 'SCloud', UserId: 'u-1' });
      assertShape(s, sendSingle, 'SendUSMSMessage');
      assert.equal(s.UserId, 'u-1');

      const r = await ucloud({ Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': b.SessionNo, 'SessionNoSet.1': s.SessionNo });
      assertShape(r, { ...action, Data: receipts(ucloudReceipt) }, 'GetUSMSSendReceipt');
      assert.equal(r.Data[0].ReceiptSet.length, 1);

      const p = await pulled(() => ucloud({ Action: 'PullUSMSReport', Limit: '200' }));
      assertShape(p, { ...action, ReportSet: [{ SessionNo: 'string', ...ucloudReceipt }] }, 'PullUSMSReport');
    });

    test('templates: QueryUSMSTemplate with one TemplateId answers Data as one OutTemplate; an unknown one is 18017', async () => {
      const c = await ucloud({ Action: 'CreateUSMSTemplate', Purpose: '2', TemplateName: 'shape', Template: 'Parcel {1} is on its way' });
      assertShape(c, { ...action, TemplateId: 'string' }, 'CreateUSMSTemplate');

      const q = await ucloud({ Action: 'QueryUSMSTemplate', TemplateId: c.TemplateId });
      assertShape(q, { ...action, Data: outTemplate }, 'QueryUSMSTemplate (one id)');
      assert.equal(q.Data.TemplateId, c.TemplateId);
      assert.equal(q.Data.Template, 'Parcel {1} is on its way');

      const form = await ucloudPostForm(server.url, creds, { Action: 'QueryUSMSTemplate', TemplateId: c.TemplateId });
      assertShape(form.body, { ...action, Data: outTemplate }, 'QueryUSMSTemplate (one id, form body)');

      for (const id of ['UTA000000NOSUCH', (await server.cli('template', 'create', '--account', String(other.AccountId), '--content', 'Theirs {1}')).TemplateId]) {
        const missing = await ucloud({ Action: 'QueryUSMSTemplate', TemplateId: id });
        assert.deepEqual(missing, { RetCode: 18017, Action: 'QueryUSMSTemplateResponse', Message: `template ${id} does not exist` });
      }

      // Lists (TemplateId.N) and paging are this server's extensions: arrays, as in the other dialects.
      const list = await ucloud({ Action: 'QueryUSMSTemplate', 'TemplateId.0': c.TemplateId, 'TemplateId.1': 'UTA000000NOSUCH' });
      assertShape(list, { ...action, Data: [outTemplate] }, 'QueryUSMSTemplate (TemplateId.N)');
      assert.equal(list.Data.length, 1);
      const paged = await ucloud({ Action: 'QueryUSMSTemplate', NumPerPage: '10' });
      assertShape(paged, { ...action, Data: [outTemplate], Total: 'integer' }, 'QueryUSMSTemplate (paged)');

      assertShape(await ucloud({ Action: 'UpdateUSMSTemplate', TemplateId: c.TemplateId, TemplateName: 'shape 2' }), action, 'UpdateUSMSTemplate');
      assertShape(await ucloud({ Action: 'DeleteUSMSTemplate', 'TemplateIds.0': c.TemplateId }), action, 'DeleteUSMSTemplate');
    });

    test('signatures', async () => {
      const c = await ucloud({ Action: 'CreateUSMSSignature', SigContent: 'ShapeCloud', SigType: '0', SigPurpose: '0', CertificateType: '0', Description: 'shape test' });
      assertShape(c, { ...action, SigId: 'string', SigContent: 'string' }, 'CreateUSMSSignature');
      const q = await ucloud({ Action: 'QueryUSMSSignature', SigId: c.SigId });
      assertShape(q, { ...action, Data: outSignature('SigContent') }, 'QueryUSMSSignature');
      assertShape(await ucloud({ Action: 'UpdateUSMSSignature', SigId: c.SigId, Description: 'changed' }), action, 'UpdateUSMSSignature');
      assertShape(await ucloud({ Action: 'DeleteUSMSSignature', 'SigIds.0': c.SigId }), action, 'DeleteUSMSSignature');
    });

    test('statistics: rows keep Count/Failed*/SubmitFailed*, StatisticsData uses Send*/Fail*/SubmitFail*', async () => {
      await ucloud({ Action: 'SendUSMSMessage', 'PhoneNumbers.0': phone(), TemplateId: tpl1, 'TemplateParams.0': '7', SigContent: 'SCloud' });
      const s = await ucloud({ Action: 'GetUSMSSendStatistics', StartDate: today(), EndDate: today(), Page: '0', NumPerPage: '10', OrderBy: 'SendDate', OrderType: 'desc', Domestic: '1' });
      assertShape(s, statistics, 'GetUSMSSendStatistics');
      assert.ok(s.Data.length >= 1);
      assert.equal(s.StatisticsData.SendCount, s.Data.reduce((n: number, d: any) => n + d.Count, 0));
      const t = await ucloud({ Action: 'GetUSMSTemplateSendStatistics', StartDate: today(), EndDate: today(), TemplateId: tpl1 });
      assertShape(t, templateStatistics, 'GetUSMSTemplateSendStatistics');
      assert.ok(t.Data.length >= 1);
      // UCloud documents several countries joined by "-".
      const several = await ucloud({ Action: 'GetUSMSSendStatistics', StartDate: today(), EndDate: today(), BrevityCode: 'CN-ID' });
      assert.equal(several.RetCode, 0, several.Message);
      assert.deepEqual([...new Set(several.Data.map((d: any) => d.BrevityCode))], ['CN']);
      const none = await ucloud({ Action: 'GetUSMSSendStatistics', StartDate: today(), EndDate: today(), BrevityCode: 'ID-HK' });
      assert.deepEqual([none.RetCode, none.Data, none.StatisticsData.SendCount], [0, [], 0]);
    });
  });

  describe('uSpeedo action dialect (uspeedo-sdk-go / -python / -java)', () => {
    test('SendBatchUSMSMessage, SendUSMSMessage, GetUSMSSendReceipt, PullUSMSReport', async () => {
      const b = await uspeedo({ Action: 'SendBatchUSMSMessage', TaskContent: batch('SenderId') });
      assertShape(b, sendBatch('SenderId'), 'SendBatchUSMSMessage');
      assert.deepEqual(b.FailContent[0].Target[0].TemplateParams, ['123', '4.5']);
      assert.equal(b.FailContent[0].Target[0].ExtendCode, '77');

      const s = await uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: [phone()], TemplateId: tpl1, TemplateParams: [42], SenderId: 'SCloud', UserId: 'u-2' });
      assertShape(s, sendSingle, 'SendUSMSMessage');

      const r = await uspeedo({ Action: 'GetUSMSSendReceipt', SessionNoSet: [b.SessionNo, s.SessionNo, 'no-such-session'] });
      assertShape(r, { ...action, Data: receipts(uspeedoReceipt) }, 'GetUSMSSendReceipt');

      const p = await pulled(() => uspeedo({ Action: 'PullUSMSReport', Limit: 200 }));
      assertShape(p, { ...action, ReportSet: [{ SessionNo: 'string', ...uspeedoReceipt }] }, 'PullUSMSReport');
    });

    test('templates: QueryUSMSTemplate answers Data as an array, also for one id', async () => {
      const c = await uspeedo({ Action: 'CreateUSMSTemplate', Purpose: 2, TemplateName: 'shape', Template: 'Parcel {1} is on its way' });
      assertShape(c, { ...action, TemplateId: 'string' }, 'CreateUSMSTemplate');
      for (const TemplateId of [[c.TemplateId], c.TemplateId]) {
        const q = await uspeedo({ Action: 'QueryUSMSTemplate', TemplateId });
        assertShape(q, { ...action, Data: [outTemplate] }, 'QueryUSMSTemplate');
        assert.equal(q.Data.length, 1);
      }
      const none = await uspeedo({ Action: 'QueryUSMSTemplate', TemplateId: ['UTA000000NOSUCH'] });
      assert.deepEqual([none.RetCode, none.Data], [0, []]);
      assertShape(await uspeedo({ Action: 'UpdateUSMSTemplate', TemplateId: c.TemplateId, TemplateName: 'shape 2' }), action, 'UpdateUSMSTemplate');
      assertShape(await uspeedo({ Action: 'DeleteUSMSTemplate', TemplateIds: [c.TemplateId] }), action, 'DeleteUSMSTemplate');
    });

    test('signatures (SenderId wording) and statistics', async () => {
      const c = await uspeedo({ Action: 'CreateUSMSSignature', SenderId: 'ShapeSpeedo', SigType: 0 });
      assertShape(c, { ...action, SigId: 'string', SenderId: 'string' }, 'CreateUSMSSignature');
      assertShape(await uspeedo({ Action: 'QueryUSMSSignature', SigId: c.SigId }), { ...action, Data: outSignature('SenderId') }, 'QueryUSMSSignature');
      assertShape(await uspeedo({ Action: 'UpdateUSMSSignature', SigId: c.SigId, Description: 'changed' }), action, 'UpdateUSMSSignature');
      assertShape(await uspeedo({ Action: 'DeleteUSMSSignature', SigIds: [c.SigId] }), action, 'DeleteUSMSSignature');

      await uspeedo({ Action: 'SendUSMSMessage', PhoneNumbers: [phone()], TemplateId: tpl1, TemplateParams: ['8'], SenderId: 'SCloud' });
      const s = await uspeedo({ Action: 'GetUSMSSendStatistics', StartDate: today(), EndDate: today() });
      assertShape(s, statistics, 'GetUSMSSendStatistics');
      assert.ok(s.Data.length >= 1);
      assertShape(await uspeedo({ Action: 'GetUSMSTemplateSendStatistics', StartDate: today(), EndDate: today() }), templateStatistics, 'GetUSMSTemplateSendStatistics');
    });
  });

  describe('REST v1', () => {
    test('SendBatchUSMSMessage, USMSSendReceipt and USMSTemplate', async () => {
      const b = (await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', { TaskContent: batch('SenderId') })).body;
      assertShape(b, restSendBatch, 'REST SendBatchUSMSMessage');
      assert.deepEqual(b.FailedTargetPhones[0].TemplateParams, ['123', '4.5']);
      const r = await restCall('GET', `/api/v1/usms/USMSSendReceipt?id=${b.SessionNo[0]}`);
      assertShape(r, { ...rest, Data: receipts(uspeedoReceipt) }, 'REST USMSSendReceipt');

      const c = await restCall('POST', '/api/v1/usms/USMSTemplate', { Purpose: 2, TemplateName: 'shape', Template: 'Parcel {1} is on its way' });
      assertShape(c, { ...rest, TemplateId: 'string' }, 'REST create template');
      const q = await restCall('GET', `/api/v1/usms/USMSTemplate?TemplateId=${c.TemplateId}`);
      assertShape(q, { ...rest, Data: [outTemplate] }, 'REST query template');
      assertShape(await restCall('PUT', '/api/v1/usms/USMSTemplate', { TemplateId: c.TemplateId, TemplateName: 'shape 2' }), rest, 'REST update template');
      assertShape(await restCall('DELETE', `/api/v1/usms/USMSTemplate?TemplateIds=${c.TemplateId}`), rest, 'REST delete template');
    });
  });

  describe("an AccountId or ProjectId that is not the key's own is refused in every dialect", () => {
    test('UCloud: ProjectId and AccountId (290); the own ones are accepted', async () => {
      const receipt = { Action: 'GetUSMSSendReceipt', 'SessionNoSet.0': 'a' };
      assert.equal((await ucloudGet(server.url, { ...creds, ProjectId: other.ProjectId }, receipt)).body.RetCode, 290);
      const foreign = await ucloud({ ...receipt, AccountId: String(other.AccountId) });
      assert.equal(foreign.RetCode, 290);
      assert.match(foreign.Message, new RegExp(`AccountId ${other.AccountId} is not authorised`));
      assert.equal((await ucloud({ ...receipt, AccountId: String(creds.AccountId) })).RetCode, 0);
      assert.equal((await ucloud({ ...receipt, AccountId: '' })).RetCode, 0, 'empty counts as absent, as the SDKs send unset params');
    });

    test('uSpeedo: AccountId and ProjectId (290); the own ones are accepted', async () => {
      const receipt = { Action: 'GetUSMSSendReceipt', SessionNoSet: ['a'] };
      assert.equal((await uspeedo({ ...receipt, AccountId: other.AccountId })).RetCode, 290);
      const foreign = await uspeedo({ ...receipt, ProjectId: other.ProjectId });
      assert.equal(foreign.RetCode, 290);
      assert.match(foreign.Message, /project .* is not authorised/);
      assert.equal((await uspeedo({ ...receipt, ProjectId: creds.ProjectId })).RetCode, 0);
      // A send naming another project sends nothing.
      const send = await uspeedo({ Action: 'SendUSMSMessage', ProjectId: other.ProjectId, PhoneNumbers: [phone()], TemplateId: tpl1, TemplateParams: ['1'], SenderId: 'SCloud' });
      assert.deepEqual([send.RetCode, send.SessionNo], [290, undefined]);
    });

    test('REST v1 bodies and query strings: 215392 (its code for 290); the own ones are accepted', async () => {
      const tasks = [{ TemplateId: tpl1, SenderId: 'SCloud', Target: [{ Phone: phone(), TemplateParams: ['1'] }] }];
      for (const scope of [{ AccountId: other.AccountId }, { ProjectId: other.ProjectId }]) {
        const res = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', { ...scope, TaskContent: tasks });
        assert.equal(res.body.RetCode, 215392, JSON.stringify(scope));
        assert.match(res.body.Message, /is not authorised for this key/);
        const created = await restCall('POST', '/api/v1/usms/USMSTemplate', { ...scope, Purpose: 2, TemplateName: 'x', Template: 'Hello {1}' });
        assert.equal(created.RetCode, 215392);
      }
      assert.equal((await restCall('PUT', '/api/v1/usms/USMSTemplate', { AccountId: other.AccountId, TemplateId: 'UTA000000NOSUCH', TemplateName: 'x' })).RetCode, 215392);
      assert.equal((await restCall('GET', `/api/v1/usms/USMSTemplate?ProjectId=${other.ProjectId}`)).RetCode, 215392);
      assert.equal((await restCall('DELETE', `/api/v1/usms/USMSTemplate?TemplateIds=UTA000000NOSUCH&AccountId=${other.AccountId}`)).RetCode, 215392);
      assert.equal((await restCall('GET', `/api/v1/usms/USMSSendReceipt?id=no-such-session&AccountId=${other.AccountId}`)).RetCode, 215392);
      assert.equal((await restCall('GET', `/api/v1/usms/USMSSendReceipt?id=no-such-session&AccountId=${creds.AccountId}`)).RetCode, 0);
      const own = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', { AccountId: creds.AccountId, ProjectId: creds.ProjectId, TaskContent: tasks });
      assert.equal(own.body.RetCode, 0, own.body.Message);
    });
  });
});
