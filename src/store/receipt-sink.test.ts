import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Db } from './db.ts';
import type { Receipt } from './messages.ts';
import { elementsCopied } from '../../test/element-copies.ts';
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

test('draining a large backlog 128 at a time copies each receipt a bounded number of times', () => {
  const sink = new ReceiptSink({} as Db, 'c', pino({ level: 'silent' }));
  sink.attach({ wake: () => {} });
  const n = 20_000;
  void sink.push(Array.from({ length: n }, (_, i) => receipt(i)));
  let drained = 0;
  const copied = elementsCopied(() => {
    for (let t = sink.take(128); t.items.length; t = sink.take(128)) drained += t.items.length;
  });
  assert.equal(drained, n);
  assert.ok(copied <= 3 * n, `${copied} element copies to drain ${n} receipts`);
  void sink.close();
});

test('a caller settles once its own receipts are stored, while later receipts still wait', async () => {
  const sink = new ReceiptSink({} as Db, 'c', pino({ level: 'silent' }));
  sink.attach({ wake: () => {} });
  const settled: string[] = [];
  void sink.push(Array.from({ length: 200 }, (_, i) => receipt(i))).then(() => settled.push('first'));
  void sink.push(Array.from({ length: 100 }, (_, i) => receipt(200 + i))).then(() => settled.push('second'));
  const store = async () => {
    const taken = sink.take(128);
    sink.settle(taken, []);
    await new Promise((r) => setImmediate(r));
  };
  await store();
  assert.deepEqual(settled, []);
  await store(); // receipts 128..255: the first caller's last is stored
  assert.deepEqual(settled, ['first']);
  await store();
  assert.deepEqual(settled, ['first', 'second']);
  await sink.close();
});
