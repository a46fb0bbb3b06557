import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, PduError } from '../smpp/parser.ts';
import { createPdu, type Pdu } from '../smpp/pdu.ts';
import { parseReceipt, parseReceiptText } from '../smpp/receipt.ts';
import { serialize } from '../smpp/serializer.ts';
import { receiptDate, receiptPdu, receiptStat, type ReceiptInput } from './receipt-pdu.ts';

const base: ReceiptInput = {
  messageId: '7f3a9c2e-0001',
  source: { ton: 5, npi: 0, addr: 'ACME' },
  destination: { ton: 1, npi: 1, addr: '8613800138000' },
  status: 'delivered',
  submitDate: Date.UTC(2025, 0, 31, 23, 59, 59),
  doneDate: Date.UTC(2025, 1, 1, 0, 1, 30),
  errorCode: 'DELIVRD',
  text: 'Your code is 482193, valid for 5 minutes',
  segments: 1,
};

const text = (r: ReceiptInput) => receiptPdu(r).shortMessage!.toString('latin1');

test('the Appendix B text, addresses swapped, esm_class receipt, data_coding 0, TLVs', () => {
  const pdu = receiptPdu(base);
  assert.equal(text(base),
    'id:7f3a9c2e-0001 sub:001 dlvrd:001 submit date:2501312359 done date:2502010001 stat:DELIVRD err:000 text:Your code is 482193,');
  assert.equal(pdu.esmClass, 0x04);
  assert.equal(pdu.dataCoding, 0);
  assert.deepEqual([pdu.sourceAddrTon, pdu.sourceAddrNpi, pdu.sourceAddr], [1, 1, '8613800138000']);
  assert.deepEqual([pdu.destAddrTon, pdu.destAddrNpi, pdu.destinationAddr], [5, 0, 'ACME']);
  assert.deepEqual(pdu.tlvs, { receiptedMessageId: '7f3a9c2e-0001', messageState: 2 });
});

test('receiptStat: each usms status', () => {
  assert.deepEqual(receiptStat('delivered'), { stat: 'DELIVRD', state: 2 });
  assert.deepEqual(receiptStat('undelivered'), { stat: 'UNDELIV', state: 5 });
  assert.deepEqual(receiptStat('expired'), { stat: 'EXPIRED', state: 3 });
  assert.deepEqual(receiptStat('failed'), { stat: 'UNDELIV', state: 5 });
  assert.deepEqual(receiptStat('rejected'), { stat: 'REJECTD', state: 8 });
  assert.deepEqual(receiptStat('unknown'), { stat: 'UNKNOWN', state: 7 });
  assert.deepEqual(receiptStat('sent'), { stat: 'UNKNOWN', state: 7 });
});

test('dlvrd only when delivered; sub is the segment count; err from a numeric code, else 000 / 001', () => {
  assert.match(text({ ...base, status: 'undelivered', errorCode: '34' }), / sub:001 dlvrd:000 .* stat:UNDELIV err:034 /);
  assert.match(text({ ...base, status: 'expired', errorCode: 'EXPIRED' }), / dlvrd:000 .* stat:EXPIRED err:001 /);
  assert.match(text({ ...base, status: 'failed', errorCode: 'HELD' }), / stat:UNDELIV err:001 /);
  assert.match(text({ ...base, status: 'failed', errorCode: '12345' }), / err:001 /, 'too long for 3 digits: not cut');
  assert.match(text({ ...base, status: 'unknown', errorCode: '' }), / stat:UNKNOWN err:001 /);
  assert.match(text({ ...base, errorCode: ' 0 ' }), / err:000 /);
  assert.match(text({ ...base, segments: 3 }), / sub:003 dlvrd:003 /);
  assert.match(text({ ...base, segments: 3, status: 'undelivered' }), / sub:003 dlvrd:000 /);
  assert.match(text({ ...base, segments: 0 }), / sub:001 dlvrd:001 /);
  assert.match(text({ ...base, segments: 5000 }), / sub:999 dlvrd:999 /);
});

test('text: the first 20 characters, printable ASCII only, possibly empty', () => {
  assert.match(text({ ...base, text: '【优刻得】验证码：1234，5分钟内有效' }), / text:\?{9}1234\?5\?{5}$/);
  assert.match(text({ ...base, text: 'a\nb😀c' }), / text:a\?b\?c$/);
  assert.match(text({ ...base, text: '' }), / text:$/);
  assert.match(text({ ...base, text: 'stat:EXPIRED id:1' }), / stat:DELIVRD err:000 text:stat:EXPIRED id:1$/);
});

test('dates are UTC, YYMMDDhhmm', () => {
  assert.equal(receiptDate(Date.UTC(2009, 11, 3, 4, 5, 59)), '0912030405');
  assert.equal(receiptDate(Date.UTC(2100, 0, 1, 0, 0)), '0001010000');
});

test('every receipt parses back with parseReceipt, text and TLVs alike, also after the wire', () => {
  for (const status of ['delivered', 'undelivered', 'expired', 'failed', 'unknown', 'rejected']) {
    const input = { ...base, status, messageId: `id-${status}` };
    const built = createPdu('deliver_sm', receiptPdu(input));
    const wire = decodeFrame(serialize({ ...built, sequence: 9 } as Pdu));
    assert.ok(!(wire instanceof PduError) && wire.command === 'deliver_sm', status);
    for (const pdu of [built, wire]) {
      const r = parseReceipt(pdu);
      assert.equal(r?.messageId, `id-${status}`, status);
      assert.equal(r?.stat, receiptStat(status).stat, status);
      assert.equal(r?.submitDate, '2501312359');
      assert.equal(r?.doneDate, '2502010001');
    }
    // The text alone (a client that ignores TLVs) says the same.
    const t = parseReceiptText(built.shortMessage.toString('latin1'));
    assert.equal(t.id, `id-${status}`);
    assert.equal(t.stat, receiptStat(status).stat);
  }
});
