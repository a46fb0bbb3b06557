import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { phoneLimitReason, parseRate, regionRefusal } from '../compliance/send-limits.ts';
import { CommandStatus, isTemporaryStatus } from '../smpp/constants.ts';
import { RetCode } from '../sms/errors.ts';
import { BLACKLISTED, OPTED_OUT, validateTarget } from '../sms/validate.ts';
import { SMPP_REFUSALS, UsmsStatus, smppStatusFor, smppStatusName } from './refusals.ts';

const S = CommandStatus;

test('each RetCode the send path answers has its status', () => {
  assert.equal(smppStatusFor(RetCode.Ok), S.ESME_ROK);
  assert.equal(smppStatusFor(RetCode.SomeNumbersInvalid, 'invalid number'), S.ESME_RINVDSTADR);
  assert.equal(smppStatusFor(RetCode.SomeNumbersInvalid), S.ESME_RINVDSTADR);
  assert.equal(smppStatusFor(RetCode.NoApprovedSignature, 'source address "X" is not one this SMPP user may send from'), S.ESME_RINVSRCADR);
  assert.equal(smppStatusFor(RetCode.TemplateNotApproved), UsmsStatus.USMS_RNOTEMPLATE);
  assert.equal(smppStatusFor(RetCode.ParamsMismatch), UsmsStatus.USMS_RNOTEMPLATE);
  assert.equal(smppStatusFor(RetCode.BlockedKeyword), UsmsStatus.USMS_RBLOCKEDCONTENT);
  assert.equal(smppStatusFor(RetCode.VariableContentNotCompliant), UsmsStatus.USMS_RBLOCKEDCONTENT);
  assert.equal(smppStatusFor(RetCode.InsufficientBalance), UsmsStatus.USMS_RNOBALANCE);
  assert.equal(smppStatusFor(RetCode.TooManyNumbers), S.ESME_RINVNUMDESTS);
  assert.equal(smppStatusFor(RetCode.AccountRestricted), S.ESME_RSUBMITFAIL);
  assert.equal(smppStatusFor(RetCode.ServiceUnavailable), S.ESME_RSYSERR);
  assert.equal(smppStatusFor(RetCode.ServiceError), S.ESME_RSYSERR);
  assert.equal(smppStatusFor(RetCode.InvalidParameter, 'UserId must be a string'), S.ESME_RSUBMITFAIL);
  assert.equal(smppStatusFor(RetCode.BadFormat), S.ESME_RSUBMITFAIL);
  assert.equal(smppStatusFor(999_999), S.ESME_RSUBMITFAIL);
});

test('the reasons the send path writes select the finer statuses', () => {
  assert.equal(smppStatusFor(RetCode.SomeNumbersInvalid, BLACKLISTED), UsmsStatus.USMS_RDSTBLOCKED);
  assert.equal(smppStatusFor(RetCode.SomeNumbersInvalid, `${OPTED_OUT} (2025-01-31T12:00:00.000Z)`), UsmsStatus.USMS_RDSTBLOCKED);
  const limited = phoneLimitReason(1, parseRate('5/1h'));
  assert.equal(smppStatusFor(RetCode.SomeNumbersInvalid, limited), UsmsStatus.USMS_RSENDLIMIT, limited);
  assert.ok(!isTemporaryStatus(smppStatusFor(RetCode.SomeNumbersInvalid, limited)), 'not a throttle: the bind need not slow down');
  assert.equal(smppStatusFor(RetCode.SomeNumbersInvalid, regionRefusal('FR')), S.ESME_RINVDSTADR);
  assert.equal(smppStatusFor(RetCode.BlockedKeyword, BLACKLISTED), UsmsStatus.USMS_RBLOCKEDCONTENT, 'a reason refines only its own RetCode');

  const tooLong = validateTarget({ phone: '+447911123456', params: [], userId: undefined, extendCode: undefined },
    { id: 'T', content: 'x'.repeat(501), paramCount: 0 }, 'Acme', 'GB');
  assert.ok(!tooLong.ok);
  assert.equal(smppStatusFor(tooLong.retCode, tooLong.reason), S.ESME_RINVMSGLEN, tooLong.reason);
});

test('vendor statuses sit in 0x400-0x4FF, distinct, apart from every SMPP 3.4 status', () => {
  const codes = Object.values(UsmsStatus);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.ok(c >= 0x400 && c <= 0x4ff, c.toString(16));
  const standard = new Set<number>(Object.values(CommandStatus));
  for (const c of codes) assert.ok(!standard.has(c));
  assert.equal(smppStatusName(UsmsStatus.USMS_RNOTEMPLATE), 'USMS_RNOTEMPLATE');
  assert.equal(smppStatusName(S.ESME_RINVDSTADR), 'ESME_RINVDSTADR');
  assert.equal(smppStatusName(0x499), '0x00000499');
});

test('the table: each row names its status, and the comment table lists every row', () => {
  const comment = readFileSync(new URL('./refusals.ts', import.meta.url), 'utf8').split('*/')[0]!;
  for (const r of SMPP_REFUSALS) {
    assert.equal(smppStatusName(r.status), r.name);
    assert.ok(r.meaning.length > 0);
    const line = comment.split('\n').find((l) => l.includes(` ${r.name} `) && r.retCodes.every((c) => l.includes(String(c))));
    assert.ok(line, `no comment row for ${r.retCodes.join(', ')} -> ${r.name}`);
    for (const p of r.reasonStartsWith ?? []) assert.ok(line.includes(p.slice(0, 15)), `${r.name}: ${p}`);
  }
});
