import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from '@readme/openapi-parser';
import type { TObject, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { actionSpecs } from '../src/actions/registry.ts';
import { restReceiptAnswer } from '../src/actions/report-schemas.ts';
import { restSendBatchAnswer } from '../src/actions/send-schemas.ts';
import { ServerProcess, basicAuth, restPost, uspeedoPost, waitFor, type Credentials } from './harness.ts';

const json = (s: TSchema) => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;

describe('/docs: the OpenAPI document, generated from the schemas that check requests', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let templateId: string;
  let doc: any;

  before(async () => {
    server = await ServerProcess.start();
    const account = await server.setupAccount({ sender: 'usms', templates: ['Your code is {1}'] });
    creds = account.creds;
    templateId = account.templateIds[0]!;
    doc = await (await fetch(`${server.url}/docs/json`)).json();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
  });

  const call = async (Action: string, params: Record<string, unknown> = {}) =>
    (await uspeedoPost(server.url, creds, { Action, AccountId: creds.AccountId, ...params })).body;

  test('/docs is a browsable page and /docs/json a valid OpenAPI 3.1 document', async () => {
    const page = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /swagger-ui/i);
    const init = await fetch(`${server.url}/docs/static/swagger-initializer.js`);
    assert.equal(init.status, 200);
    assert.match(await init.text(), /\.\/json|docs\/json/);
    assert.equal(doc.openapi, '3.1.0');
    await validate(structuredClone(doc));
    const yaml = await fetch(`${server.url}/docs/yaml`);
    assert.match(await yaml.text(), /openapi: 3\.1\.0/);
  });

  test('every action and REST route is documented, with the very schema that checks it', () => {
    for (const [action, spec] of Object.entries(actionSpecs)) {
      const op = doc.paths[`/api#${action}`]?.post;
      assert.ok(op, `${action} is documented`);
      const body = op.requestBody.content['application/json'].schema;
      assert.deepEqual(body.properties.Action, { const: action, type: 'string' });
      for (const [name, schema] of Object.entries(spec.params.properties)) {
        assert.deepEqual(body.properties[name], json(schema), `${action}.${name}`);
      }
      assert.deepEqual(body.required, ['Action', ...(spec.params.required ?? [])]);
      assert.deepEqual(op.responses['200'].content['application/json'].schema, json(spec.answer));
    }
    for (const [path, methods] of [
      ['/api/v1/usms/SendBatchUSMSMessage', ['post']],
      ['/api/v1/usms/USMSSendReceipt', ['get']],
      ['/api/v1/usms/USMSTemplate', ['post', 'get', 'put', 'delete']],
    ] as const) {
      for (const m of methods) assert.ok(doc.paths[path]?.[m], `${m.toUpperCase()} ${path}`);
    }
  });

  test('what the document declares is what the server enforces: required params and integer ranges', async () => {
    let checked = 0;
    for (const [action, spec] of Object.entries(actionSpecs)) {
      const required = spec.params.required ?? [];
      if (required.length > 0) {
        const answer = await call(action);
        assert.equal(answer.RetCode, 18001, `${action} without params: ${answer.Message}`);
        assert.match(answer.Message, new RegExp(`\\[(${required.join('|')})\\]`));
        checked++;
      }
      for (const [name, schema] of Object.entries(spec.params.properties) as Array<[string, Record<string, unknown>]>) {
        if (schema.type !== 'integer' || typeof schema.maximum !== 'number') continue;
        const answer = await call(action, { ...validBase(action), [name]: schema.maximum + 1 });
        assert.equal(answer.RetCode, 18003, `${action}.${name} = maximum + 1: ${answer.Message}`);
        assert.match(answer.Message, new RegExp(`\\[${name}\\]`));
        checked++;
      }
    }
    assert.ok(checked >= 20, `checked ${checked} documented rules`);
  });

  /** Params that satisfy an action's required ones, so that the one under test is what gets refused. */
  function validBase(action: string): Record<string, unknown> {
    const today = new Date().toISOString().slice(0, 10);
    if (action.endsWith('Statistics')) return { StartDate: today, EndDate: today };
    if (action === 'CreateUSMSTemplate') return { Purpose: 2, TemplateName: 'n', Template: 'Hello {1}' };
    if (action === 'UpdateUSMSTemplate') return { TemplateId: templateId };
    if (action === 'UpdateUSMSSignature') return { SigId: 'SIG000000AAAAAA' };
    return {};
  }

  test('real answers match the documented answer schemas', async () => {
    const conform = (schema: TObject, answer: unknown, what: string) => {
      const errors = [...Value.Errors(schema, answer)].map((e) => `${e.path}: ${e.message}`);
      assert.deepEqual(errors, [], `${what}: ${JSON.stringify(answer)}`);
    };
    const single = await call('SendUSMSMessage', { PhoneNumbers: ['13800138000'], TemplateId: templateId, TemplateParams: ['1234'], SenderId: 'usms', UserId: 'u1' });
    assert.equal(single.RetCode, 0, single.Message);
    conform(actionSpecs.SendUSMSMessage!.answer, single, 'SendUSMSMessage');
    const batch = await call('SendBatchUSMSMessage', {
      TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: [{ Phone: '13800138001', TemplateParams: ['1'] }, { Phone: 'nope', TemplateParams: ['2'] }] }],
    });
    assert.equal(batch.FailContent.length, 1);
    conform(actionSpecs.SendBatchUSMSMessage!.answer, batch, 'SendBatchUSMSMessage');
    await waitFor('the receipt', async () => {
      const r = await call('GetUSMSSendReceipt', { SessionNoSet: [single.SessionNo] });
      return r.Data[0].ReceiptSet[0]?.ReceiptCode === 'DELIVRD' ? r : undefined;
    });
    conform(actionSpecs.GetUSMSSendReceipt!.answer, await call('GetUSMSSendReceipt', { SessionNoSet: [single.SessionNo, batch.SessionNo] }), 'GetUSMSSendReceipt');
    conform(actionSpecs.PullUSMSReport!.answer, await call('PullUSMSReport', { Limit: 10 }), 'PullUSMSReport');
    conform(actionSpecs.QueryUSMSTemplate!.answer, await call('QueryUSMSTemplate', { TemplateId: [templateId] }), 'QueryUSMSTemplate');
    conform(actionSpecs.QueryUSMSTemplate!.answer, await call('QueryUSMSTemplate'), 'QueryUSMSTemplate (paged)');
    const created = await call('CreateUSMSTemplate', { Purpose: 1, TemplateName: 'n', Template: 'Code {1}' });
    conform(actionSpecs.CreateUSMSTemplate!.answer, created, 'CreateUSMSTemplate');
    conform(actionSpecs.UpdateUSMSTemplate!.answer, await call('UpdateUSMSTemplate', { TemplateId: created.TemplateId, TemplateName: 'm' }), 'UpdateUSMSTemplate');
    conform(actionSpecs.DeleteUSMSTemplate!.answer, await call('DeleteUSMSTemplate', { TemplateIds: [created.TemplateId] }), 'DeleteUSMSTemplate');
    const sig = await call('CreateUSMSSignature', { SenderId: 'Acme', SigType: 0 });
    conform(actionSpecs.CreateUSMSSignature!.answer, sig, 'CreateUSMSSignature');
    conform(actionSpecs.QueryUSMSSignature!.answer, await call('QueryUSMSSignature', { SigId: sig.SigId }), 'QueryUSMSSignature');
    conform(actionSpecs.UpdateUSMSSignature!.answer, await call('UpdateUSMSSignature', { SigId: sig.SigId, Description: 'd' }), 'UpdateUSMSSignature');
    conform(actionSpecs.DeleteUSMSSignature!.answer, await call('DeleteUSMSSignature', { SigIds: [sig.SigId] }), 'DeleteUSMSSignature');
    const today = new Date().toISOString().slice(0, 10);
    conform(actionSpecs.GetUSMSSendStatistics!.answer, await call('GetUSMSSendStatistics', { StartDate: today, EndDate: today }), 'GetUSMSSendStatistics');
    conform(actionSpecs.GetUSMSTemplateSendStatistics!.answer, await call('GetUSMSTemplateSendStatistics', { StartDate: today, EndDate: today }), 'GetUSMSTemplateSendStatistics');

    const rest = await restPost(server.url, creds, '/api/v1/usms/SendBatchUSMSMessage', {
      TaskContent: [{ TemplateId: templateId, SenderId: 'usms', Target: [{ Phone: '13800138002', TemplateParams: ['3'] }] }],
    });
    assert.equal(rest.body.RetCode, 0, rest.body.Message);
    conform(restSendBatchAnswer, rest.body, 'REST SendBatchUSMSMessage');
    const receipts = await fetch(`${server.url}/api/v1/usms/USMSSendReceipt?id=${rest.body.SessionNo[0]}`, { headers: { authorization: basicAuth(creds) } });
    conform(restReceiptAnswer, await receipts.json(), 'REST USMSSendReceipt');
  });
});
