import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartAssembler } from './reassembly.ts';

const part = (ref: number, total: number, seq: number) => ({ ref, total, seq });

test('parts in any order join in part order, tokens in part order', () => {
  const a = new PartAssembler<string>();
  assert.deepEqual(a.add('k', part(1, 3, 3), 'C', 't3'), { done: false });
  assert.deepEqual(a.add('k', part(1, 3, 1), 'A', 't1'), { done: false });
  assert.equal(a.size, 1);
  assert.deepEqual(a.add('k', part(1, 3, 2), 'B', 't2'), { done: true, text: 'ABC', tokens: ['t1', 't2', 't3'] });
  assert.equal(a.size, 0);
  assert.deepEqual(a.add('k', part(1, 2, 1), 'again', 'u1'), { done: false }, 'the same key starts a new message once the last one completed');
});

test('different keys are different messages', () => {
  const a = new PartAssembler<number>();
  a.add('bind1|src|dst|7', part(7, 2, 1), 'x1', 1);
  a.add('bind2|src|dst|7', part(7, 2, 1), 'y1', 2);
  assert.equal(a.size, 2);
  assert.deepEqual(a.add('bind2|src|dst|7', part(7, 2, 2), 'y2', 3), { done: true, text: 'y1y2', tokens: [2, 3] });
  assert.deepEqual(a.add('bind1|src|dst|7', part(7, 2, 2), 'x2', 4), { done: true, text: 'x1x2', tokens: [1, 4] });
});

test('a repeated part is refused and replaces nothing', () => {
  const a = new PartAssembler<string>();
  a.add('k', part(1, 2, 1), 'first', 'a');
  const again = a.add('k', part(1, 2, 1), 'impostor', 'b');
  assert.equal(again.done, false);
  assert.match('refused' in again ? again.refused : '', /already received/);
  assert.deepEqual(a.add('k', part(1, 2, 2), '!', 'c'), { done: true, text: 'first!', tokens: ['a', 'c'] });
});

test('total must be 2..255, seq 1..total, and the same for every part of a message', () => {
  const a = new PartAssembler<number>();
  const refused = (r: ReturnType<typeof a.add>) => ('refused' in r ? r.refused : undefined);
  assert.match(refused(a.add('k', part(1, 1, 1), 'x', 0)) ?? '', /total 1/);
  assert.match(refused(a.add('k', part(1, 256, 1), 'x', 0)) ?? '', /total 256/);
  assert.match(refused(a.add('k', part(1, 0, 0), 'x', 0)) ?? '', /total 0/);
  assert.match(refused(a.add('k', part(1, 3, 0), 'x', 0)) ?? '', /part 0/);
  assert.match(refused(a.add('k', part(1, 3, 4), 'x', 0)) ?? '', /part 4/);
  assert.equal(a.size, 0, 'a refused first part opens nothing');
  assert.deepEqual(a.add('k', part(1, 3, 1), 'x', 1), { done: false });
  assert.match(refused(a.add('k', part(1, 4, 2), 'y', 2)) ?? '', /earlier parts said 3/);
  assert.deepEqual(a.add('k', part(1, 255, 255), 'z', 3), { done: false, refused: 'part says 255 parts, earlier parts said 3' });
});

test('at most maxOpen incomplete messages: a new one is refused, the old ones stay and can complete', () => {
  const a = new PartAssembler<number>({ maxOpen: 2 });
  a.add('a', part(1, 2, 1), 'a', 1);
  a.add('b', part(2, 2, 1), 'b', 2);
  const r = a.add('c', part(3, 2, 1), 'c', 3);
  assert.ok('refused' in r && /2 concatenated messages/.test(r.refused));
  assert.equal(a.size, 2);
  assert.deepEqual(a.add('a', part(1, 2, 2), 'A', 4), { done: true, text: 'aA', tokens: [1, 4] }, 'parts of open messages still go in');
  assert.deepEqual(a.add('c', part(3, 2, 1), 'c', 5), { done: false }, 'room again once one completed');
});

test('the default bound is 64 open messages', () => {
  const a = new PartAssembler<number>();
  for (let i = 0; i < 64; i++) assert.deepEqual(a.add(`k${i}`, part(i, 2, 1), 'x', i), { done: false });
  assert.ok('refused' in a.add('k64', part(64, 2, 1), 'x', 64));
  assert.equal(a.size, 64);
});

test('expire returns the held tokens of messages whose first part is timeoutMs old, and forgets them', () => {
  let clock = 1_000;
  const a = new PartAssembler<string>({ timeoutMs: 100, now: () => clock });
  a.add('old', part(1, 3, 1), 'o1', 'old-1');
  a.add('old', part(1, 3, 3), 'o3', 'old-3');
  clock = 1_050;
  a.add('new', part(2, 2, 2), 'n2', 'new-2');
  assert.deepEqual(a.add('old', part(1, 3, 2), 'o2', 'old-2'), { done: true, text: 'o1o2o3', tokens: ['old-1', 'old-2', 'old-3'] });
  assert.equal(a.size, 1);
  a.add('old2', part(3, 2, 1), 'p1', 'old2-1');
  clock = 1_149;
  assert.deepEqual(a.expire(clock), []);
  assert.deepEqual(a.expire(1_150), ['new-2', 'old2-1']);
  assert.equal(a.size, 0);
  assert.deepEqual(a.add('new', part(2, 2, 1), 'n1', 'new-1'), { done: false }, 'an expired message starts over');
});

test('expire defaults to the injected clock, and counts from the first part, not the latest', () => {
  let clock = 0;
  const a = new PartAssembler<number>({ timeoutMs: 60_000, now: () => clock });
  a.add('k', part(1, 3, 1), 'a', 1);
  clock = 59_000;
  a.add('k', part(1, 3, 2), 'b', 2);
  clock = 60_000;
  assert.deepEqual(a.expire(), [1, 2]);
});

test('held characters per message are bounded; a token may be undefined', () => {
  const a = new PartAssembler<undefined>({ maxChars: 10 });
  assert.deepEqual(a.add('k', part(1, 3, 1), '123456', undefined), { done: false });
  const r = a.add('k', part(1, 3, 2), '12345', undefined);
  assert.ok('refused' in r && /longer than 10/.test(r.refused));
  assert.deepEqual(a.add('k', part(1, 3, 2), '1234', undefined), { done: false });
  assert.deepEqual(a.expire(Date.now() + 120_000), [undefined, undefined]);
});
