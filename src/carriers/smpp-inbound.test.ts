import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPdu } from '../smpp/pdu.ts';
import { buildParts, planMessage, type EncodingOptions } from './smpp-message.ts';
import { decodeMo, MoReassembler } from './smpp-inbound.ts';

const mo = (shortMessage: Buffer, dataCoding: number, esmClass = 0, tlvs = {}) =>
  createPdu('deliver_sm', { sourceAddr: '447700900123', destinationAddr: '1069000', shortMessage, dataCoding, esmClass, tlvs });

test('MO text in each data_coding: GSM-7 unpacked and packed, Latin-1, UCS-2, payload', () => {
  assert.deepEqual(decodeMo(mo(Buffer.from([0x48, 0x69, 0x1b, 0x65]), 0), false), { text: 'Hi€' });
  assert.deepEqual(decodeMo(mo(Buffer.from('e8329bfd06', 'hex'), 0), true), { text: 'hello' });
  assert.deepEqual(decodeMo(mo(Buffer.alloc(0), 0, 0, { messagePayload: Buffer.from('ok') }), false), { text: 'ok' });
  assert.deepEqual(decodeMo(mo(Buffer.from('café', 'latin1'), 3), false), { text: 'café' });
  assert.deepEqual(decodeMo(mo(Buffer.from('你好😀', 'utf16le').swap16(), 8), false), { text: '你好😀' });
});

test('packed GSM-7: 7 septets end with 7 spare bits that are not an @', () => {
  const [p] = buildParts(planMessage('abcdefg', opts(true)), 0, opts(true));
  assert.equal(p!.shortMessage.length, 7);
  assert.deepEqual(decodeMo(mo(p!.shortMessage, 0), true), { text: 'abcdefg' });
});

function opts(gsmPacking: boolean, split: EncodingOptions['split'] = 'udh8'): EncodingOptions {
  return { gsmPacking, latin1: false, split };
}

test('concatenated MO (UDH 8/16-bit, SAR, packed) is reassembled in order, whatever the arrival order', () => {
  const text = 'Reply ' + 'z'.repeat(300);
  for (const [split, packing] of [['udh8', false], ['udh16', true], ['sar', false]] as const) {
    const o = opts(packing, split);
    const plan = planMessage(text, o);
    const parts = buildParts(plan, 77, o).reverse();
    const done: string[] = [];
    const r = new MoReassembler((_, t) => done.push(t));
    const results = parts.map((p) => r.add('447700900123', '1069000', decodeMo(mo(p.shortMessage, 0, p.esmClass, p.tlvs), packing)));
    assert.deepEqual(results.slice(0, -1), parts.slice(0, -1).map(() => undefined), split);
    assert.equal(results.at(-1), text, split);
    assert.deepEqual(done, []);
  }
});

test('an incomplete MO is delivered with what arrived on flush', () => {
  const o = opts(false);
  const parts = buildParts(planMessage('q'.repeat(200), o), 1, o);
  const done: string[] = [];
  const r = new MoReassembler((_, t) => done.push(t));
  assert.equal(r.add('1', '2', decodeMo(mo(parts[0]!.shortMessage, 0, parts[0]!.esmClass), false)), undefined);
  r.flush();
  assert.deepEqual(done, ['q'.repeat(153)]);
});
