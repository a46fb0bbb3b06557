import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGsm7, packSeptets } from '../sms/gsm7.ts';
import { concatFromUdh, decodeShortMessage, type ShortMessageInput } from './short-message-text.ts';

const UDHI = 0x40;

const sm = (shortMessage: Buffer, dataCoding = 0, esmClass = 0, tlvs: ShortMessageInput['tlvs'] = {}): ShortMessageInput => ({
  esmClass, dataCoding, shortMessage, tlvs,
});

test('each data_coding: GSM-7 unpacked and packed, ASCII, Latin-1, UCS-2 with a surrogate pair', () => {
  assert.deepEqual(decodeShortMessage(sm(Buffer.from([0x48, 0x69, 0x1b, 0x65])), false), { text: 'Hi€' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('e8329bfd06', 'hex')), true), { text: 'hello' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('plain'), 1), false), { text: 'plain' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('café', 'latin1'), 3), false), { text: 'café' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('你好😀', 'utf16le').swap16(), 8), false), { text: '你好😀' });
});

test('UCS-2 with an odd octet count drops the dangling octet instead of failing', () => {
  const bytes = Buffer.concat([Buffer.from('ok', 'utf16le').swap16(), Buffer.from([0x00])]);
  assert.deepEqual(decodeShortMessage(sm(bytes, 8), false), { text: 'ok' });
});

test('the 0xF0 class range: bit 2 clear is GSM-7 (packed per setting), set is 8-bit data shown as hex', () => {
  assert.deepEqual(decodeShortMessage(sm(encodeGsm7('abc'), 0xf1), false), { text: 'abc' });
  assert.deepEqual(decodeShortMessage(sm(packSeptets(encodeGsm7('abc')), 0xf0), true), { text: 'abc' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from([0xde, 0xad]), 0xf4), false), { text: 'dead' });
});

test('packed GSM-7: 7 spare bits at the end are padding, a real trailing @ on 8 septets stays', () => {
  const seven = packSeptets(encodeGsm7('abcdefg'));
  assert.equal(seven.length, 7);
  assert.deepEqual(decodeShortMessage(sm(seven), true), { text: 'abcdefg' });
  assert.deepEqual(decodeShortMessage(sm(packSeptets(encodeGsm7('abcdefg@'))), true), { text: 'abcdefg' },
    '8 septets fill 7 octets exactly: a trailing @ cannot be told from padding (the CR convention is not used)');
  assert.deepEqual(decodeShortMessage(sm(packSeptets(encodeGsm7('ab@'))), true), { text: 'ab@' });
});

test('message_payload is read when short_message is empty, and ignored otherwise', () => {
  assert.deepEqual(decodeShortMessage(sm(Buffer.alloc(0), 0, 0, { messagePayload: Buffer.from('ok') }), false), { text: 'ok' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('sm'), 0, 0, { messagePayload: Buffer.from('payload') }), false), { text: 'sm' });
  const long = 'x'.repeat(400);
  assert.deepEqual(decodeShortMessage(sm(Buffer.alloc(0), 8, 0, { messagePayload: Buffer.from(long, 'utf16le').swap16() }), false), { text: long });
});

test('UDH concatenation, 8-bit and 16-bit references, text after the header', () => {
  const udh8 = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x03, 0x02]);
  assert.deepEqual(decodeShortMessage(sm(Buffer.concat([udh8, Buffer.from('part two')]), 0, UDHI), false), {
    text: 'part two', concat: { ref: 0x2a, total: 3, seq: 2 },
  });
  const udh16 = Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01]);
  const ucs = Buffer.from('第一', 'utf16le').swap16();
  assert.deepEqual(decodeShortMessage(sm(Buffer.concat([udh16, ucs]), 8, UDHI), false), {
    text: '第一', concat: { ref: 0x1234, total: 2, seq: 1 },
  });
});

test('UDH: other information elements before the concatenation one are skipped', () => {
  // A port-addressing element (IEI 0x05, 4 octets) first.
  const udh = Buffer.from([0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, 0x07, 0x02, 0x02]);
  assert.deepEqual(decodeShortMessage(sm(Buffer.concat([udh, Buffer.from('hi')]), 3, UDHI), false), {
    text: 'hi', concat: { ref: 7, total: 2, seq: 2 },
  });
  assert.deepEqual(concatFromUdh(Buffer.from([0x05, 0x04, 1, 2, 3, 4])), undefined);
  assert.deepEqual(concatFromUdh(Buffer.from([0x00, 0x03, 1, 2])), undefined, 'truncated element');
});

test('packed GSM-7 after a UDH starts on the next septet boundary (fill bits)', () => {
  const udh = Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x01]);
  // 6 octets of UDH = 48 bits; the text starts after 1 fill bit, at septet 7.
  const text = packSeptets(encodeGsm7('Hello world'), 1);
  assert.deepEqual(decodeShortMessage(sm(Buffer.concat([udh, text]), 0, UDHI), true), {
    text: 'Hello world', concat: { ref: 1, total: 2, seq: 1 },
  });
});

test('SAR TLVs give the concatenation when there is no UDH; a UDH wins over them', () => {
  const tlvs = { sarMsgRefNum: 0xbeef, sarTotalSegments: 3, sarSegmentSeqnum: 3 };
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('tail'), 0, 0, tlvs), false), { text: 'tail', concat: { ref: 0xbeef, total: 3, seq: 3 } });
  const udh8 = Buffer.from([0x05, 0x00, 0x03, 0x09, 0x02, 0x01]);
  assert.deepEqual(decodeShortMessage(sm(Buffer.concat([udh8, Buffer.from('x')]), 0, UDHI, tlvs), false), { text: 'x', concat: { ref: 9, total: 2, seq: 1 } });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from('y'), 0, 0, { sarMsgRefNum: 0, sarTotalSegments: 2, sarSegmentSeqnum: 1 }), false),
    { text: 'y', concat: { ref: 0, total: 2, seq: 1 } }, 'reference 0 is a reference');
});

test('a part of one (total 1) is a whole message; a UDH length past the end takes what is there', () => {
  const udh = Buffer.from([0x05, 0x00, 0x03, 0x01, 0x01, 0x01]);
  assert.deepEqual(decodeShortMessage(sm(Buffer.concat([udh, Buffer.from('whole')]), 0, UDHI), false), { text: 'whole' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from([0x20, 0x00, 0x03]), 0, UDHI), false), { text: '' });
  assert.deepEqual(decodeShortMessage(sm(Buffer.from([0x20, 0x00, 0x03]), 0, UDHI), true), { text: '' });
});
