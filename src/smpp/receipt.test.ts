import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPdu, type PduInput } from './pdu.ts';
import { isReceipt, normalizeMessageId, parseReceipt, parseReceiptText, statusFromMessageState, statusFromWord } from './receipt.ts';

const deliver = (text: string, extra: PduInput<'deliver_sm'> = {}) => createPdu('deliver_sm', { esmClass: 0x04, shortMessage: Buffer.from(text, 'latin1'), ...extra });

test('the classic text form, every field', () => {
  const r = parseReceipt(deliver('id:0123456789 sub:001 dlvrd:001 submit date:2501311200 done date:2501311201 stat:DELIVRD err:000 text:Your code is 1234'));
  assert.deepEqual(r, {
    messageId: '0123456789',
    stat: 'DELIVRD',
    rawStat: 'DELIVRD',
    err: '000',
    submitDate: '2501311200',
    doneDate: '2501311201',
    dlvrd: '001',
    sub: '001',
    text: 'Your code is 1234',
  });
});

test('dates with seconds (12 and 14 digits), odd case, missing fields', () => {
  const r = parseReceipt(deliver('ID:ab12 Submit Date:250131120059 DONE DATE:20250131120102 Stat:undeliv Err:034'));
  assert.equal(r?.messageId, 'ab12');
  assert.equal(r?.submitDate, '250131120059');
  assert.equal(r?.doneDate, '20250131120102');
  assert.equal(r?.stat, 'UNDELIV');
  assert.equal(r?.rawStat, 'undeliv');
  assert.equal(r?.err, '034');
  assert.equal(r?.sub, undefined);
  assert.equal(r?.text, undefined);
  assert.deepEqual(parseReceiptText('submit date:123 stat:DELIVRD'), { stat: 'DELIVRD' }, 'too-short dates are ignored');
});

test('the text field may contain field-like words without confusing the parser', () => {
  const r = parseReceipt(deliver('id:77 sub:001 dlvrd:000 submit date:2501311200 done date:2501311201 stat:EXPIRED err:000 text:stat:DELIVRD id:99'));
  assert.equal(r?.messageId, '77');
  assert.equal(r?.stat, 'EXPIRED');
  assert.equal(r?.text, 'stat:DELIVRD id:99');
});

test('TLVs win over the text; the text fills the rest', () => {
  const r = parseReceipt(
    deliver('id:12345 sub:001 dlvrd:000 submit date:2501311200 done date:2501311201 stat:DELIVRD err:000 text:hi', {
      tlvs: { receiptedMessageId: '3039', messageState: 5, networkErrorCode: { networkType: 3, errorCode: 11 } },
    }),
  );
  assert.equal(r?.messageId, '3039');
  assert.equal(r?.stat, 'UNDELIV');
  assert.equal(r?.rawStat, '5');
  assert.equal(r?.messageState, 5);
  assert.deepEqual(r?.networkErrorCode, { networkType: 3, errorCode: 11 });
  assert.equal(r?.err, '000', 'the text err field is kept when present');
  assert.equal(r?.doneDate, '2501311201');
});

test('TLV-only receipts (empty short_message)', () => {
  const r = parseReceipt(deliver('', { tlvs: { receiptedMessageId: 'X1', messageState: 2, networkErrorCode: { networkType: 1, errorCode: 7 } } }));
  assert.deepEqual(r, { messageId: 'X1', stat: 'DELIVRD', rawStat: '2', err: '007', messageState: 2, networkErrorCode: { networkType: 1, errorCode: 7 } });
});

test('receipt text in message_payload, and in UCS-2', () => {
  const viaPayload = parseReceipt(deliver('', { tlvs: { messagePayload: Buffer.from('id:5 stat:ACCEPTD err:0') } }));
  assert.equal(viaPayload?.stat, 'ACCEPTD');
  const ucs2 = Buffer.from('id:6 stat:REJECTD err:1', 'utf16le').swap16();
  assert.equal(parseReceipt(deliver('', { dataCoding: 8, shortMessage: ucs2 }))?.stat, 'REJECTD');
});

test('non-receipts and id-less receipts give undefined', () => {
  assert.equal(parseReceipt(createPdu('deliver_sm', { shortMessage: Buffer.from('id:1 stat:DELIVRD') })), undefined);
  assert.equal(parseReceipt(deliver('stat:DELIVRD')), undefined);
  assert.equal(isReceipt({ esmClass: 0x20 }), true);
  assert.equal(isReceipt({ esmClass: 0x44 }), true, 'UDHI bit does not change the type');
  assert.equal(isReceipt({ esmClass: 0x40 }), false);
});

test('data_sm receipts', () => {
  const r = parseReceipt(createPdu('data_sm', { esmClass: 4, tlvs: { receiptedMessageId: 'd1', messageState: 3 } }));
  assert.equal(r?.stat, 'EXPIRED');
});

test('stat words and message_state numbers map to one enum', () => {
  const words: [string, string][] = [
    ['DELIVRD', 'DELIVRD'], ['delivered', 'DELIVRD'], ['EXPIRED', 'EXPIRED'], ['DELETED', 'DELETED'],
    ['UNDELIV', 'UNDELIV'], ['ACCEPTD', 'ACCEPTD'], ['ACKED', 'ACCEPTD'], ['UNKNOWN', 'UNKNOWN'],
    ['REJECTD', 'REJECTD'], ['ENROUTE', 'ENROUTE'], ['BUFFRED', 'ENROUTE'], ['whatever', 'UNKNOWN'],
  ];
  for (const [word, stat] of words) assert.equal(statusFromWord(word), stat, word);
  const states = ['UNKNOWN', 'ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'UNKNOWN'];
  states.forEach((stat, n) => assert.equal(statusFromMessageState(n), stat, String(n)));
});

test('normalizeMessageId: hex in submit_sm_resp meets decimal in the receipt', () => {
  assert.equal(normalizeMessageId('00000A1B', 'hex'), '2587');
  assert.equal(normalizeMessageId('0a1b', 'hex'), '2587');
  assert.equal(normalizeMessageId('0x0A1B', 'hex'), '2587');
  assert.equal(normalizeMessageId('0000002587', 'decimal'), '2587');
  assert.equal(normalizeMessageId(' 2587 ', 'decimal'), '2587');
  assert.equal(normalizeMessageId('0', 'decimal'), '0');
  assert.equal(normalizeMessageId('FFFFFFFFFFFFFFFFFFFF', 'hex'), '1208925819614629174706175', 'beyond 2^53 stays exact');
  assert.equal(normalizeMessageId('AbC-12', 'string'), 'abc-12');
  assert.equal(normalizeMessageId('not-hex', 'hex'), 'not-hex', 'falls back to the string form');
  assert.equal(normalizeMessageId('12ab', 'decimal'), '12ab');
});
