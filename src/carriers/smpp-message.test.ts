import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentedMessage } from 'sms-segments-calculator';
import { decodeGsm7, unpackSeptets } from '../sms/gsm7.ts';
import { Parser } from '../smpp/parser.ts';
import { createPdu, type PduInput, type PduOf } from '../smpp/pdu.ts';
import { serialize } from '../smpp/serializer.ts';
import { buildParts, destinationAddress, planMessage, sourceAddress, submitPdu, type EncodingOptions } from './smpp-message.ts';

const opts = (o: Partial<EncodingOptions> = {}): EncodingOptions => ({ gsmPacking: false, latin1: false, split: 'udh8', ...o });
const ucs2 = (b: Buffer) => Buffer.from(b).swap16().toString('utf16le');

test('a short GSM message is one unsplit, unpacked part with data_coding 0', () => {
  const plan = planMessage('Hello @ world', opts());
  assert.equal(plan.encoding, 'GSM7');
  assert.equal(plan.dataCoding, 0);
  assert.equal(plan.method, 'none');
  const [part] = buildParts(plan, 0, opts());
  assert.equal(part!.esmClass, 0);
  assert.deepEqual(part!.tlvs, {});
  // One septet per octet: '@' is septet 0x00.
  assert.deepEqual([...part!.shortMessage.subarray(0, 7)], [0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x00]);
  assert.equal(decodeGsm7(part!.shortMessage), 'Hello @ world');
});

test('exactly 160 GSM septets fit one message; 161 need two UDH parts of at most 153', () => {
  assert.equal(planMessage('a'.repeat(160), opts()).chunks.length, 1);
  const plan = planMessage('a'.repeat(161), opts());
  assert.equal(plan.chunks.length, 2);
  assert.deepEqual(plan.chunks.map((c) => c.length), [153, 8]);
});

test('a 200-character GSM message: two parts with an 8-bit reference UDH (05 00 03 ref 02 seq)', () => {
  const text = 'x'.repeat(190) + '0123456789';
  const plan = planMessage(text, opts());
  const parts = buildParts(plan, 0xab, opts());
  assert.equal(parts.length, 2);
  for (const [i, p] of parts.entries()) {
    assert.equal(p.esmClass & 0x40, 0x40, 'UDHI set');
    assert.deepEqual([...p.shortMessage.subarray(0, 6)], [0x05, 0x00, 0x03, 0xab, 0x02, i + 1]);
  }
  assert.equal(parts.map((p) => decodeGsm7(p.shortMessage.subarray(6))).join(''), text);
  assert.equal(new SegmentedMessage(text).segmentsCount, parts.length);
});

test('16-bit reference UDH (06 08 04 refHi refLo total seq) leaves 152 septets per part', () => {
  const plan = planMessage('b'.repeat(305), opts({ split: 'udh16' }));
  assert.deepEqual(plan.chunks.map((c) => c.length), [152, 152, 1]);
  const parts = buildParts(plan, 0x1234, opts({ split: 'udh16' }));
  assert.deepEqual([...parts[2]!.shortMessage.subarray(0, 7)], [0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x03]);
  assert.equal(plan.refBits, 16);
});

test('SAR: no UDH, the three sar_* TLVs, 153 septets per part', () => {
  const plan = planMessage('c'.repeat(200), opts({ split: 'sar' }));
  const parts = buildParts(plan, 0x0102, opts({ split: 'sar' }));
  assert.equal(parts.length, 2);
  assert.equal(parts[0]!.esmClass, 0);
  assert.deepEqual(parts[1]!.tlvs, { sarMsgRefNum: 0x0102, sarTotalSegments: 2, sarSegmentSeqnum: 2 });
  assert.equal(parts[0]!.shortMessage.length, 153);
  // And on the wire: sm_length is the part, the TLVs follow.
  const wire = parseSerialized(submitPdu(parts[1]!, inputs(plan.dataCoding)));
  assert.equal(wire.tlvs.sarTotalSegments, 2);
  assert.equal(wire.shortMessage.length, 47);
});

test('message_payload: one PDU, sm_length 0, whole text in the TLV (never both)', () => {
  const text = 'd'.repeat(400);
  const plan = planMessage(text, opts({ split: 'payload' }));
  const [part, more] = buildParts(plan, 0, opts({ split: 'payload' }));
  assert.equal(more, undefined);
  assert.equal(part!.shortMessage.length, 0);
  assert.equal(part!.tlvs.messagePayload!.length, 400);
  const wire = parseSerialized(submitPdu(part!, inputs(0)));
  assert.equal(wire.shortMessage.length, 0);
  assert.equal(decodeGsm7(wire.tlvs.messagePayload!), text);
});

test('an escape pair is never split: a part of 152 septets rather than 153 when { would straddle', () => {
  const text = 'e'.repeat(152) + '{' + 'f'.repeat(20);
  const plan = planMessage(text, opts());
  assert.equal(plan.chunks[0], 'e'.repeat(152));
  assert.equal(plan.chunks[1]!.startsWith('{'), true);
  const parts = buildParts(plan, 1, opts());
  assert.deepEqual([...parts[1]!.shortMessage.subarray(6, 8)], [0x1b, 0x28]);
});

test('GSM packing: septets packed after the UDH with one fill bit (6-octet UDH), none without a UDH', () => {
  const single = buildParts(planMessage('hello', opts({ gsmPacking: true })), 0, opts({ gsmPacking: true }))[0]!;
  assert.equal(single.shortMessage.toString('hex'), 'e8329bfd06');
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(4);
  const plan = planMessage(text, opts({ gsmPacking: true }));
  const parts = buildParts(plan, 7, opts({ gsmPacking: true }));
  assert.equal(parts.length, 2);
  assert.equal(parts[0]!.shortMessage.length, 6 + 134, '153 septets + 1 fill bit = 134 octets');
  const back = parts.map((p, i) => decodeGsm7(unpackSeptets(p.shortMessage.subarray(6), plan.chunks[i]!.length, 1))).join('');
  assert.equal(back, text);
  const p16 = buildParts(planMessage(text, opts({ gsmPacking: true, split: 'udh16' })), 7, opts({ gsmPacking: true, split: 'udh16' }));
  assert.equal(p16[0]!.shortMessage.length, 7 + 133, '152 septets, no fill bits after a 7-octet UDH');
});

test('UCS-2: a 100-character Chinese message is two parts of 67 + 33 units, big-endian', () => {
  const text = '短信平台测试'.repeat(17).slice(0, 100);
  const plan = planMessage(text, opts());
  assert.equal(plan.encoding, 'UCS2');
  assert.equal(plan.dataCoding, 8);
  const parts = buildParts(plan, 9, opts());
  assert.deepEqual(parts.map((p) => (p.shortMessage.length - 6) / 2), [67, 33]);
  assert.equal(parts.map((p) => ucs2(p.shortMessage.subarray(6))).join(''), text);
  assert.equal(parts[0]!.shortMessage.readUInt16BE(6), text.charCodeAt(0));
  assert.equal(new SegmentedMessage(text).segmentsCount, 2);
});

test('UCS-2: an emoji at the part boundary moves whole to the next part (no lone surrogate)', () => {
  const text = '中'.repeat(66) + '😀' + '文'.repeat(20);
  const parts = buildParts(planMessage(text, opts()), 3, opts());
  assert.equal(parts.length, 2);
  const first = ucs2(parts[0]!.shortMessage.subarray(6));
  const second = ucs2(parts[1]!.shortMessage.subarray(6));
  assert.equal(first, '中'.repeat(66));
  assert.equal(second.codePointAt(0), 0x1f600);
  assert.equal(first + second, text);
});

test('Latin-1 when allowed: data_coding 3, 140 characters single, 134 per UDH part', () => {
  const text = 'Très élégant: ' + 'ð'.repeat(140);
  assert.equal(planMessage(text, opts()).encoding, 'UCS2', 'off by default');
  const plan = planMessage(text, opts({ latin1: true }));
  assert.equal(plan.encoding, 'LATIN1');
  assert.equal(plan.dataCoding, 3);
  assert.deepEqual(plan.chunks.map((c) => c.length), [134, 20]);
  const parts = buildParts(plan, 1, opts({ latin1: true }));
  assert.equal(parts[0]!.shortMessage.subarray(6).toString('latin1'), text.slice(0, 134));
  assert.equal(planMessage('é'.repeat(140), opts({ latin1: true })).chunks.length, 1);
  // GSM-7 still wins when the text fits it.
  assert.equal(planMessage('é', opts({ latin1: true })).encoding, 'GSM7');
});

test('addresses: alphanumeric TON 5 NPI 0 (max 11), numbers TON 1 NPI 1 without +, ExtendCode appended', () => {
  assert.deepEqual(sourceAddress('USMS', '', ''), { ton: 5, npi: 0, addr: 'USMS' });
  assert.deepEqual(sourceAddress('+447700900123', '', ''), { ton: 1, npi: 1, addr: '447700900123' });
  assert.deepEqual(sourceAddress('SCloud', '10690001', '123'), { ton: 1, npi: 1, addr: '10690001123' });
  assert.deepEqual(sourceAddress('Brand', '', '55'), { ton: 5, npi: 0, addr: 'Brand' }, 'ExtendCode cannot ride on a name');
  assert.ok('error' in sourceAddress('TwelveChars!', '', ''));
  assert.ok('error' in sourceAddress('优刻得', '', ''));
  assert.deepEqual(destinationAddress('+8613800000000'), { ton: 1, npi: 1, addr: '8613800000000' });
});

test('every part fits short_message (254 octets) in every encoding and method', () => {
  const texts = ['a'.repeat(500), '€'.repeat(250), '你'.repeat(500), 'ÿ'.repeat(500)];
  for (const text of texts) {
    for (const split of ['udh8', 'udh16', 'sar'] as const) {
      for (const gsmPacking of [false, true]) {
        const o = opts({ split, gsmPacking, latin1: true });
        for (const p of buildParts(planMessage(text, o), 1, o)) assert.ok(p.shortMessage.length <= 254, `${split} ${p.shortMessage.length}`);
      }
    }
  }
});

function inputs(dataCoding: number) {
  return { source: { ton: 5, npi: 0, addr: 'USMS' }, destination: destinationAddress('+447700900123'), serviceType: '', dataCoding, registeredDelivery: 1 };
}

/** Through our serializer and parser: what the SMSC receives. */
function parseSerialized(input: PduInput<'submit_sm'>): PduOf<'submit_sm'> {
  const [pdu] = new Parser().parse(serialize(createPdu('submit_sm', input)));
  assert.ok(pdu && 'command' in pdu && pdu.command === 'submit_sm');
  return pdu;
}
