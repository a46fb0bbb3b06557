import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Db } from '../store/db.ts';
import type { Receipt } from '../store/messages.ts';
import { ReceiptSink } from './receipt-sink.ts';

const receipt = (i: number): Receipt => ({ carrierMsgId: `c${i}`, code: 'DELIVRD', desc: 'delivered', at: 1 });

test('a large batch of receipts is stored in transactions of at most 128, and its callers settle after the last', async () => {
  const applied: number[] = [];
  let settled = false;
  const sink = new ReceiptSink({} as Db, 'c', pino({ level: 'silent' }), () => {}, async (_db, _carrier, receipts) => {
    assert.equal(settled, false, 'the caller settled before all its receipts were stored');
    applied.push(receipts.length);
    return [];
  });
  const first = sink.push(Array.from({ length: 200 }, (_, i) => receipt(i)));
  const second = sink.push(Array.from({ length: 100 }, (_, i) => receipt(200 + i)));
  await Promise.all([first, second]).then(() => (settled = true));
  await sink.close();
  assert.deepEqual(applied, [128, 128, 44]);
});
