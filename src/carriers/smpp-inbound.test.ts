import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPdu } from '../smpp/pdu.ts';
import { buildParts, planMessage, type EncodingOptions } from './smpp-message.ts';
import { decodeMo } from './smpp-inbound.ts';
import { storeInboundPart, type InboundInputOf } from '../store/inbound-parts.ts';
import { testOnBothDatabases } from '../../test/databases.ts';

const inputOf: InboundInputOf = (source, destination, _ton, content, receivedAt) => ({
  carrier: 'c1', phone: `+${source}`, toAddr: destination, extendCode: '', content, receivedAt, moAccount: null,
});

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

testOnBothDatabases('concatenated MO (UDH 8/16-bit, SAR, packed) is stored whole, in order, whatever the arrival order', async (db) => {
  const text = 'Reply ' + 'z'.repeat(300);
  let ref = 70;
  for (const [split, packing] of [['udh8', false], ['udh16', true], ['sar', false]] as const) {
    const o = opts(packing, split);
    const parts = buildParts(planMessage(text, o), ++ref, o).reverse();
    const results = [];
    for (const p of parts) {
      const d = decodeMo(mo(p.shortMessage, 0, p.esmClass, p.tlvs), packing);
      assert.ok(d.concat, split);
      results.push(await storeInboundPart(db, { carrier: 'c1', source: '447700900123', destination: '1069000', ...d.concat, sourceTon: 1, content: d.text, receivedAt: Date.now() }, inputOf));
    }
    assert.deepEqual(results.slice(0, -1), parts.slice(0, -1).map(() => undefined), split);
    assert.ok(results.at(-1), split);
  }
  const stored = await db.selectFrom('inbound_messages').select(['content', 'phone']).orderBy('id').execute();
  assert.deepEqual(stored, [1, 2, 3].map(() => ({ content: text, phone: '+447700900123' })));
  assert.equal((await db.selectFrom('inbound_parts').selectAll().execute()).length, 0);
});
