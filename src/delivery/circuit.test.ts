import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Circuit } from './circuit.ts';

test('five failures in a row open the circuit; a success before that keeps it closed', () => {
  let now = 0;
  const c = new Circuit(() => now);
  for (let i = 0; i < 4; i++) c.failed();
  c.succeeded();
  for (let i = 0; i < 4; i++) c.failed();
  assert.equal(c.state, 'closed');
  c.failed();
  assert.equal(c.state, 'open');
  assert.equal(c.allows(), 'none');
  now += 5_000;
  assert.equal(c.state, 'half-open');
  assert.equal(c.allows(), 'one');
  c.probe();
  assert.equal(c.allows(), 'none', 'one probe at a time');
  c.succeeded();
  assert.equal(c.state, 'closed');
  assert.equal(c.allows(), 'all');
});

test('a failed probe opens the circuit again, for twice as long, at most a minute', () => {
  let now = 0;
  const c = new Circuit(() => now);
  for (let i = 0; i < 5; i++) c.failed();
  const opens: number[] = [];
  for (let round = 0; round < 6; round++) {
    const from = now;
    while (c.state === 'open') now += 100;
    opens.push(now - from);
    c.probe();
    c.failed();
  }
  assert.deepEqual(opens, [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
});
