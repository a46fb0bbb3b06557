import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { TemplateStatus, type Template } from '../store/templates.ts';
import {
  boolParam,
  idListParam,
  intParam,
  outTemplate,
  parseNewTemplate,
  parseTemplateChanges,
  planTemplateUpdate,
  stringParam,
  templateTextProblem,
} from './templates.ts';

function refused(fn: () => unknown, retCode: number, message?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsmsError, `expected UsmsError, got ${String(err)}`);
    assert.equal(err.retCode, retCode, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const valid = { Purpose: 2, TemplateName: 'order shipped', Template: 'Your order {1} has shipped' };

describe('parameter readers', () => {
  test('intParam takes numbers and digit strings, refuses the rest', () => {
    assert.equal(intParam({ P: '3' }, 'P', { min: 1, max: 3 }), 3);
    assert.equal(intParam({ P: 1 }, 'P', { min: 1, max: 3 }), 1);
    assert.equal(intParam({}, 'P', { min: 1, max: 3 }), undefined);
    assert.equal(intParam({ P: '' }, 'P', { min: 1, max: 3 }), undefined);
    refused(() => intParam({}, 'P', { min: 1, max: 3, required: true }), RetCode.MissingParameter, /\[P\]/);
    for (const bad of ['4', 0, 1.5, 'two', '1e0', true, [1]]) refused(() => intParam({ P: bad }, 'P', { min: 1, max: 3 }), RetCode.InvalidParameter);
  });

  test('stringParam counts characters, not UTF-16 units', () => {
    assert.equal(stringParam({ N: '😀'.repeat(3) }, 'N', { max: 3 }), '😀😀😀');
    refused(() => stringParam({ N: 'abcd' }, 'N', { max: 3 }), RetCode.InvalidParameter, /at most 3 characters/);
    refused(() => stringParam({ N: '  ' }, 'N', { max: 3, required: true }), RetCode.MissingParameter);
    refused(() => stringParam({ N: { a: 1 } }, 'N', { max: 3 }), RetCode.InvalidParameter);
    assert.equal(stringParam({ N: 42 }, 'N', { max: 3 }), '42');
  });

  test('boolParam', () => {
    assert.equal(boolParam({ B: 'true' }, 'B'), true);
    assert.equal(boolParam({ B: '0' }, 'B'), false);
    assert.equal(boolParam({ B: false }, 'B'), false);
    assert.equal(boolParam({}, 'B'), undefined);
    refused(() => boolParam({ B: 'maybe' }, 'B'), RetCode.InvalidParameter);
  });

  test('idListParam: one id, a list, deduplicated, bounded', () => {
    assert.deepEqual(idListParam({ T: 'A' }, 'T'), ['A']);
    assert.deepEqual(idListParam({ T: ['A', 'B', 'A'] }, 'T'), ['A', 'B']);
    assert.deepEqual(idListParam({ T: [] }, 'T'), []);
    assert.deepEqual(idListParam({}, 'T'), []);
    refused(() => idListParam({ T: ['A', 3] }, 'T'), RetCode.InvalidParameter);
    refused(() => idListParam({ T: ['A', 'B', 'C'] }, 'T', 2), RetCode.InvalidParameter, /at most 2/);
  });
});

describe('CreateUSMSTemplate params', () => {
  test('a valid template, with defaults', () => {
    assert.deepEqual(parseNewTemplate({ ...valid, Purpose: '2' }), {
      purpose: 2,
      name: 'order shipped',
      content: 'Your order {1} has shipped',
      remark: '',
      unsubscribeInfo: '',
      instruction: '',
      international: false,
    });
  });

  test('missing fields are 18001, bad ones 18003', () => {
    for (const name of ['Purpose', 'TemplateName', 'Template']) {
      const p: Record<string, unknown> = { ...valid };
      delete p[name];
      refused(() => parseNewTemplate(p), RetCode.MissingParameter, new RegExp(`\\[${name}\\]`));
    }
    refused(() => parseNewTemplate({ ...valid, Purpose: 4 }), RetCode.InvalidParameter, /Purpose/);
    refused(() => parseNewTemplate({ ...valid, TemplateName: 'n'.repeat(33) }), RetCode.InvalidParameter, /TemplateName.*32/);
    assert.equal(parseNewTemplate({ ...valid, TemplateName: '名'.repeat(32) }).name.length, 32);
    refused(() => parseNewTemplate({ ...valid, Template: 'x'.repeat(501) }), RetCode.InvalidParameter, /501 characters/);
    refused(() => parseNewTemplate({ ...valid, Remark: 'r'.repeat(129) }), RetCode.InvalidParameter, /Remark/);
  });

  test('placeholders with gaps, {0}, or nothing but placeholders are refused with a clear message', () => {
    refused(() => parseNewTemplate({ ...valid, Template: 'Hi {1}, code {3}' }), RetCode.InvalidParameter, /\[Template\].*without gaps.*\{1\}, \{3\}/);
    refused(() => parseNewTemplate({ ...valid, Template: 'code {0}' }), RetCode.InvalidParameter, /\{0\}/);
    refused(() => parseNewTemplate({ ...valid, Template: '{1} {2}' }), RetCode.InvalidParameter, /besides its placeholders/);
    assert.equal(templateTextProblem('Code {1}, again {1}, valid {2} minutes'), undefined);
  });

  test('marketing needs an unsubscribe note', () => {
    refused(() => parseNewTemplate({ ...valid, Purpose: 3 }), RetCode.MissingParameter, /UnsubscribeInfo.*marketing/);
    refused(() => parseNewTemplate({ ...valid, Purpose: 3, UnsubscribeInfo: '   ' }), RetCode.MissingParameter, /UnsubscribeInfo/);
    assert.equal(parseNewTemplate({ ...valid, Purpose: 3, UnsubscribeInfo: 'Reply T to unsubscribe' }).unsubscribeInfo, 'Reply T to unsubscribe');
  });
});

describe('UpdateUSMSTemplate planning', () => {
  const base: Template = {
    id: 'UTA260101AAAAAA', accountId: 1, name: 'n', content: 'Code {1}', purpose: 1, status: TemplateStatus.Rejected, paramCount: 1,
    reason: 'too vague', remark: '', unsubscribeInfo: '', instruction: '', international: false, createdAt: 1_700_000_000_123, updatedAt: 0,
  };

  test('approved and disabled templates cannot change', () => {
    refused(() => planTemplateUpdate({ ...base, status: TemplateStatus.Approved }, { content: 'New {1}' }, false), RetCode.InvalidParameter, /approved.*can no longer be changed/);
    refused(() => planTemplateUpdate({ ...base, status: TemplateStatus.Disabled }, { name: 'x' }, false), RetCode.InvalidParameter, /disabled/);
  });

  test('a content change goes back to review and clears the reason; auto-approval approves it', () => {
    assert.deepEqual(planTemplateUpdate(base, { content: 'Your code {1}' }, false), { content: 'Your code {1}', status: TemplateStatus.Reviewing, reason: '' });
    assert.deepEqual(planTemplateUpdate(base, { content: 'Your code {1}' }, true), { content: 'Your code {1}', status: TemplateStatus.Approved, reason: '' });
  });

  test('a name change alone keeps the status; unchanged fields are no change', () => {
    assert.deepEqual(planTemplateUpdate(base, { name: 'renamed' }, false), { name: 'renamed' });
    assert.deepEqual(planTemplateUpdate(base, { content: 'Code {1}', name: 'n' }, false), {});
  });

  test('turning a template into marketing needs the unsubscribe note', () => {
    refused(() => planTemplateUpdate(base, { purpose: 3 }, false), RetCode.MissingParameter, /UnsubscribeInfo/);
    assert.equal(planTemplateUpdate(base, { purpose: 3, unsubscribeInfo: 'Reply T to unsubscribe' }, false).status, TemplateStatus.Reviewing);
  });

  test('parseTemplateChanges keeps only what was sent', () => {
    assert.deepEqual(parseTemplateChanges({ TemplateId: 'X', TemplateName: 'a', Remark: '' }), { name: 'a', remark: '' });
    refused(() => parseTemplateChanges({ Template: 'a {2}' }), RetCode.InvalidParameter, /without gaps/);
    refused(() => parseTemplateChanges({ TemplateName: '' }), RetCode.InvalidParameter, /TemplateName/);
  });

  test('outTemplate answers unix seconds and the reviewer reason as ErrDesc', () => {
    const out = outTemplate(base);
    assert.equal(out.CreateTime, 1_700_000_000);
    assert.equal(out.ErrDesc, 'too vague');
    assert.deepEqual(Object.keys(out), ['TemplateId', 'Purpose', 'TemplateName', 'Template', 'Status', 'Remark', 'ErrDesc', 'CreateTime', 'Instruction', 'UnsubscribeInfo']);
  });
});
