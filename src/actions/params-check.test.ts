import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { itemChecker, paramsChecker } from './params-check.ts';
import { getReceiptParams, pullReportParams } from './report-schemas.ts';
import { Target, sendBatchParams, sendSingleParams } from './send-schemas.ts';
import { createTemplateParams } from './template-schemas.ts';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsmsError, String(err));
    return { code: err.retCode, message: err.message };
  }
  assert.fail('expected a UsmsError');
};

test('UCloud text values are converted to the schema types; blank numbers count as absent', () => {
  const check = paramsChecker(pullReportParams);
  assert.deepEqual(check({ Limit: '5' }), { Limit: 5 });
  assert.deepEqual(check({ Limit: '' }), {});
  assert.deepEqual(refusal(() => check({ Limit: '201' })), { code: RetCode.InvalidParameter, message: 'Invalid parameter [Limit]: must be an integer from 1 to 200' });
  assert.equal(refusal(() => check({ Limit: 'ten' })).code, RetCode.InvalidParameter);
  assert.equal(refusal(() => check({ Limit: 1.5 })).code, RetCode.InvalidParameter, 'a fraction is refused, not truncated');
  assert.equal(refusal(() => check({ Limit: '1.5' })).code, RetCode.InvalidParameter);
});

test('other params pass through untouched and the caller\'s object is not changed', () => {
  const check = paramsChecker(pullReportParams);
  const params = { Limit: '7', Action: 'PullUSMSReport', ProjectId: 'p' };
  assert.deepEqual(check(params), { Limit: 7, Action: 'PullUSMSReport', ProjectId: 'p' });
  assert.equal(params.Limit, '7');
});

test('a missing or empty required param is 18001, with the documented message', () => {
  const check = paramsChecker(sendSingleParams);
  assert.deepEqual(refusal(() => check({ PhoneNumbers: ['+8618500000001'] })), { code: RetCode.MissingParameter, message: 'Missing parameter [TemplateId]' });
  assert.equal(refusal(() => check({ PhoneNumbers: ['+8618500000001'], TemplateId: '' })).code, RetCode.MissingParameter);
  assert.equal(refusal(() => check({ PhoneNumbers: [], TemplateId: 'T1' })).code, RetCode.MissingParameter);
  assert.equal(refusal(() => paramsChecker(getReceiptParams)({ SessionNoSet: [] })).code, RetCode.MissingParameter);
});

test('a violated limit answers the code the schema names', () => {
  const check = paramsChecker(sendSingleParams);
  const phones = Array.from({ length: 1001 }, (_, i) => `+86185${String(i).padStart(8, '0')}`);
  assert.deepEqual(refusal(() => check({ PhoneNumbers: phones, TemplateId: 'T1' })), {
    code: RetCode.TooManyNumbers,
    message: 'Invalid parameter [PhoneNumbers]: at most 1000 items, got 1001',
  });
  assert.equal(refusal(() => check({ PhoneNumbers: { Phone: '+8618500000001' }, TemplateId: 'T1' })).code, RetCode.InvalidParameter);
  assert.equal(refusal(() => check({ PhoneNumbers: '+8618500000001', TemplateId: 'T1' })).code, RetCode.InvalidParameter);
  assert.equal(refusal(() => paramsChecker(sendBatchParams)({ TaskContent: {} })).code, RetCode.BadFormat);
});

test('template params stay text: a leading zero survives, numbers become their text', () => {
  const check = paramsChecker(sendSingleParams);
  assert.deepEqual(check({ PhoneNumbers: ['1'], TemplateId: 'T', TemplateParams: ['0123', 456] }).TemplateParams, ['0123', '456']);
});

test('text limits count characters (code points), not UTF-16 units', () => {
  const check = paramsChecker(createTemplateParams);
  const base = { Purpose: 2, Template: 'Hello {1}' };
  assert.equal(check({ ...base, TemplateName: '😀'.repeat(32) }).TemplateName, '😀'.repeat(32));
  assert.deepEqual(refusal(() => check({ ...base, TemplateName: 'x'.repeat(33) })), {
    code: RetCode.InvalidParameter,
    message: 'Invalid parameter [TemplateName]: at most 32 characters, got 33',
  });
});

test('items of a per-item list are left to the action; the item checker reports each', () => {
  const check = paramsChecker(sendBatchParams);
  const tasks = [{ TemplateId: 'T', Target: [{ Phone: 5 }, 'garbage'] }];
  assert.deepEqual(check({ TaskContent: tasks }).TaskContent, tasks);
  const target = itemChecker(Target, 'Target');
  assert.equal(target({ Phone: '+8618500000001', TemplateParams: ['1', 2] }), undefined);
  assert.deepEqual(target({ TemplateParams: [] }), { retCode: RetCode.MissingParameter, reason: 'Missing parameter [Phone]' });
  assert.deepEqual(target('garbage'), { retCode: RetCode.BadFormat, reason: 'Invalid parameter [Target]: must be a JSON object' });
});

test('a union explains its alternatives', () => {
  const check = paramsChecker(Type.Object({ Ids: Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 2 })]) }));
  assert.deepEqual(refusal(() => check({ Ids: ['a', 'b', 'c'] })), {
    code: RetCode.InvalidParameter,
    message: 'Invalid parameter [Ids]: must be a string or a list of at most 2 items',
  });
});
