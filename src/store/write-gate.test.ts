import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { shareWriteGates, WriteGate, writeGateFor } from './write-gate.ts';

test('one holder at a time, and a release hands the gate to the waiter', async () => {
  const gate = new WriteGate();
  await gate.acquire(1000);
  const order: Array<'waiter' | 'releaser'> = [];
  const waiter = gate.acquire(1000).then(() => order.push('waiter'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(order.length, 0, 'the waiter got the gate while it was held');
  gate.release();
  // The releasing side asks again at once: the waiter still goes first.
  const again = gate.acquire(1000).then(() => order.push('releaser'));
  await waiter;
  gate.release();
  await again;
  gate.release();
  assert.deepEqual(order, ['waiter', 'releaser']);
});

test('a held gate times out as SQLITE_BUSY', async () => {
  const gate = new WriteGate();
  await gate.acquire(100);
  await assert.rejects(gate.acquire(60), (err: Error & { code?: string }) => err.code === 'SQLITE_BUSY');
  gate.release();
  await gate.acquire(10);
});

test('a connection in another thread waits for the gate and is woken by the release', async () => {
  const gate = new WriteGate();
  await gate.acquire(1000);
  const module = new URL('./write-gate.ts', import.meta.url).href;
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     (async () => {
       (await import('tsx/esm/api')).register();
       const { WriteGate } = await import(workerData.module);
       const gate = new WriteGate(workerData.memory);
       parentPort.postMessage('ready');
       await gate.acquire(5000);
       parentPort.postMessage(performance.timeOrigin + performance.now());
       gate.release();
     })();`,
    { eval: true, workerData: { memory: gate.memory, module } },
  );
  await new Promise((r) => worker.once('message', r));
  await new Promise((r) => setTimeout(r, 200));
  const releasedAt = performance.timeOrigin + performance.now();
  gate.release();
  const gotAt = await new Promise<number>((r) => worker.once('message', r));
  await worker.terminate();
  assert.ok(gotAt >= releasedAt, 'the other thread got the gate while this one held it');
  // Woken by the release: well before the 50 ms recheck would have found it free.
  assert.ok(gotAt - releasedAt < 40, `woken ${(gotAt - releasedAt).toFixed(1)} ms after the release`);
});

test('one gate per database file, whatever the path spelling; another file has its own', () => {
  assert.equal(writeGateFor('/tmp/x/usms.db'), writeGateFor('/tmp/x/../x/usms.db'));
  assert.notEqual(writeGateFor('/tmp/x/usms.db'), writeGateFor('/tmp/y/usms.db'));
  assert.ok(Object.keys(shareWriteGates()).includes('/tmp/x/usms.db'));
});
