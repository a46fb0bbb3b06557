import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RetCode, UsmsError } from '../sms/errors.ts';
import { senderNameProblem, type Sender } from '../store/senders.ts';
import { TemplateStatus } from '../store/templates.ts';
import { MAX_FILE_BYTES, base64FileProblem, parseNewSignature, parseSignatureChanges, planSignatureUpdate } from './signatures.ts';

function refused(fn: () => unknown, retCode: number, message?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UsmsError, `expected UsmsError, got ${String(err)}`);
    assert.equal(err.retCode, retCode, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('signature content', () => {
  test('2 to 20 characters, no brackets, no control characters or surrounding spaces', () => {
    assert.equal(senderNameProblem('UCloud'), undefined);
    assert.equal(senderNameProblem('优刻得'), undefined);
    assert.match(senderNameProblem('【UCloud】')!, /brackets/);
    assert.match(senderNameProblem('[UCloud]')!, /brackets/);
    assert.match(senderNameProblem('U')!, /shorter than 2/);
    assert.match(senderNameProblem('x'.repeat(21))!, /longer than 20/);
    assert.match(senderNameProblem(' UCloud')!, /spaces/);
    assert.match(senderNameProblem('U\nCloud')!, /control/);
  });

  test('CreateUSMSSignature: SigContent required (or SenderId), numbers checked, defaults', () => {
    refused(() => parseNewSignature({ SigType: 0 }), RetCode.MissingParameter, /\[SigContent\]/);
    refused(() => parseNewSignature({ SigContent: '【UCloud】' }), RetCode.InvalidParameter, /\[SigContent\].*brackets/);
    refused(() => parseNewSignature({ SenderId: '[x]' }), RetCode.InvalidParameter, /\[SenderId\]/);
    refused(() => parseNewSignature({ SigContent: 'UCloud', SigType: '6' }), RetCode.InvalidParameter, /SigType/);
    refused(() => parseNewSignature({ SigContent: 'UCloud', SigPurpose: 2 }), RetCode.InvalidParameter, /SigPurpose/);
    refused(() => parseNewSignature({ SigContent: 'UCloud', File: 'not base64!' }), RetCode.InvalidParameter, /File.*base64/);
    assert.deepEqual(parseNewSignature({ SigContent: 'UCloud', SigType: '3', Description: 'for our app', File: 'aGVsbG8=' }), {
      name: 'UCloud', sigType: 3, sigPurpose: 0, certificateType: 3, description: 'for our app', international: false, file: 'aGVsbG8=', proxyFile: undefined,
    });
    assert.equal(parseNewSignature({ SenderId: 'uSpeedo' }).name, 'uSpeedo');
  });

  test('base64 certificates are bounded', () => {
    assert.equal(base64FileProblem('aGVs\nbG8='), undefined);
    assert.match(base64FileProblem('A'.repeat(Math.ceil((MAX_FILE_BYTES + 3) / 3) * 4))!, /larger than 4 MB/);
    assert.match(base64FileProblem('abcde')!, /base64/);
  });
});

describe('UpdateUSMSSignature planning', () => {
  const base: Sender = {
    id: 'SIG260101AAAAAA', accountId: 1, name: 'UCloud', status: TemplateStatus.Rejected, reason: 'no certificate',
    sigType: 0, sigPurpose: 0, certificateType: 0, description: '', international: false, createdAt: 0, updatedAt: 0,
  };

  test('refused once approved or disabled', () => {
    refused(() => planSignatureUpdate({ ...base, status: TemplateStatus.Approved }, { description: 'x' }), RetCode.InvalidParameter, /approved/);
    refused(() => planSignatureUpdate({ ...base, status: TemplateStatus.Disabled }, { description: 'x' }), RetCode.InvalidParameter, /disabled/);
  });

  test('any change goes back to review with the reason cleared; no change is a no-op', () => {
    assert.deepEqual(planSignatureUpdate(base, { file: 'aGVsbG8=' }), { file: 'aGVsbG8=', status: TemplateStatus.Reviewing, reason: '' });
    assert.deepEqual(planSignatureUpdate(base, { name: 'UCloud', sigType: 0 }), {});
    assert.deepEqual(parseSignatureChanges({ SigId: 'X', SigContent: 'New name' }), { name: 'New name' });
  });
});
