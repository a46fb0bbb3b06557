import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SEND_LIMITS,
  SendLimitsError,
  applyChanges,
  checkRegions,
  effectiveLimits,
  formatOverrides,
  formatRate,
  formatWindow,
  isBurst,
  parseBurst,
  parseOverrides,
  parseRate,
  parseRegions,
  phoneLimitHit,
  phoneLimitReason,
  rangeOf,
  rangeUpperBound,
} from './send-limits.ts';

const bad = (e: unknown) => e instanceof SendLimitsError;

test('rates: COUNT/WINDOW in s, m, h or d, bounded, formatted back in the largest whole unit', () => {
  assert.deepEqual(parseRate('5/1h'), { count: 5, windowMs: 3_600_000 });
  assert.deepEqual(parseRate(' 10 / 1d '), { count: 10, windowMs: 86_400_000 });
  assert.deepEqual(parseRate('1/m'), { count: 1, windowMs: 60_000 });
  assert.deepEqual(parseRate('3/90s'), { count: 3, windowMs: 90_000 });
  for (const t of ['5', '5/1w', '0/1h', '-1/1h', '5/0s', '1.5/1h', '5/32d', '100001/1d', '', '5/1h extra']) {
    assert.throws(() => parseRate(t), bad, t);
  }
  assert.throws(() => parseBurst('10/2d'), bad, 'a burst window is at most a day');
  assert.throws(() => parseBurst('1001/10m'), bad);
  assert.equal(formatWindow(86_400_000), '1d');
  assert.equal(formatWindow(7_200_000), '2h');
  assert.equal(formatWindow(90_000), '90s');
  assert.equal(formatRate(parseRate('10/600s')), '10/10m');
});

test('defaults: codes 1/1m, 5/1h, 10/1d to one phone and a burst of more than 10 in 10m; the other purposes off', () => {
  const d = effectiveLimits({});
  assert.deepEqual(d[1].perPhone.map(formatRate), ['1/1m', '5/1h', '10/1d']);
  assert.equal(formatRate(d[1].rangeBurst!), '10/10m');
  assert.deepEqual([d[2].perPhone, d[2].rangeBurst, d[3].perPhone, d[3].rangeBurst], [[], null, [], null]);
});

test('overrides: stored JSON round-trips; a field left out keeps the default; [] and null turn a check off', () => {
  const o = parseOverrides('{"1":{"perPhone":["5/1h","10/1d"]},"3":{"perPhone":["2/1d"],"rangeBurst":"50/1h"},"2":{"rangeBurst":null}}');
  const l = effectiveLimits(o);
  assert.deepEqual(l[1].perPhone.map(formatRate), ['5/1h', '10/1d']);
  assert.equal(formatRate(l[1].rangeBurst!), '10/10m', 'burst kept at its default');
  assert.deepEqual(l[3].perPhone.map(formatRate), ['2/1d']);
  assert.equal(formatRate(l[3].rangeBurst!), '50/1h');
  assert.equal(l[2].rangeBurst, null);
  assert.deepEqual(parseOverrides(formatOverrides(o)), o);
  assert.equal(formatOverrides({}), '');
  assert.deepEqual(parseOverrides(''), {});
  const off = effectiveLimits(parseOverrides('{"1":{"perPhone":[],"rangeBurst":null}}'));
  assert.deepEqual([off[1].perPhone, off[1].rangeBurst], [[], null]);
  // sorted by window whatever the order given
  assert.deepEqual(parseOverrides('{"1":{"perPhone":["10/1d","1/1m"]}}')[1]!.perPhone!.map(formatRate), ['1/1m', '10/1d']);
});

test('overrides: anything else is refused with a reason, and the JSON is bounded', () => {
  for (const j of [
    'nope', '[]', 'null', '{"4":{}}', '{"01":{}}', '{"1":[]}', '{"1":{"perPhone":"5/1h"}}', '{"1":{"perPhone":[5]}}',
    '{"1":{"rangeBurst":10}}', '{"1":{"other":1}}', '{"1":{"perPhone":["1/1h","2/60m"]}}',
    '{"1":{"perPhone":["1/1s","1/2s","1/3s","1/4s","1/5s"]}}', `{"1":{"perPhone":["${'1'.repeat(3000)}"]}}`,
  ]) {
    assert.throws(() => parseOverrides(j), bad, j);
  }
});

test('changes: a purpose\'s per-phone list is replaced whole; "default" goes back; untouched purposes stay', () => {
  let o = applyChanges({}, { 1: { perPhone: [parseRate('5/1h')] }, 3: { rangeBurst: parseBurst('20/1h') } });
  assert.equal(formatOverrides(o), '{"1":{"perPhone":["5/1h"]},"3":{"rangeBurst":"20/1h"}}');
  o = applyChanges(o, { 1: { rangeBurst: null } });
  assert.equal(formatOverrides(o), '{"1":{"perPhone":["5/1h"],"rangeBurst":null},"3":{"rangeBurst":"20/1h"}}');
  o = applyChanges(o, { 1: { perPhone: 'default', rangeBurst: 'default' } });
  assert.equal(formatOverrides(o), '{"3":{"rangeBurst":"20/1h"}}');
  assert.throws(() => applyChanges({}, { 2: { perPhone: [parseRate('1/1h'), parseRate('2/1h')] } }), bad);
});

test('decisions: the first rate whose window already holds its count; a burst is more than the count', () => {
  const rates = DEFAULT_SEND_LIMITS[1].perPhone;
  assert.equal(phoneLimitHit(rates, [0, 0, 0]), undefined);
  assert.equal(phoneLimitHit(rates, [0, 4, 9]), undefined);
  assert.equal(formatRate(phoneLimitHit(rates, [1, 1, 1])!), '1/1m');
  assert.equal(formatRate(phoneLimitHit(rates, [0, 5, 5])!), '5/1h');
  assert.equal(formatRate(phoneLimitHit(rates, [0, 4, 10])!), '10/1d');
  assert.equal(phoneLimitHit([], [100]), undefined);
  assert.equal(phoneLimitReason(1, parseRate('5/1h')), 'send limit reached: at most 5 verification codes to one phone in 1h');
  const burst = parseBurst('10/10m');
  assert.equal(isBurst(burst, 10), false);
  assert.equal(isBurst(burst, 11), true);
});

test('ranges: the number without its last four digits; the upper bound carries over nines', () => {
  assert.equal(rangeOf('+447911123456'), '+44791112');
  assert.equal(rangeOf('+8618512345678'), '+861851234');
  assert.equal(rangeUpperBound('+44791112'), '+44791113');
  assert.equal(rangeUpperBound('+4479111239'), '+447911124');
  assert.equal(rangeUpperBound('+4479999'), '+448');
  assert.equal(rangeUpperBound('+999'), undefined);
  const prefix = rangeOf('+447911123456');
  const upper = rangeUpperBound(prefix)!;
  for (const n of ['+447911120000', '+447911129999']) assert.ok(n >= prefix && n < upper, n);
  for (const n of ['+447911130000', '+447911119999']) assert.ok(!(n >= prefix && n < upper), n);
});

test('countries: stored comma-separated; checked against the phone metadata', () => {
  assert.equal(parseRegions(''), undefined);
  assert.deepEqual([...parseRegions('CN,us')!], ['CN', 'US']);
  assert.deepEqual(checkRegions(['us', ' CN ', 'US', '001', '']), ['001', 'CN', 'US']);
  for (const c of ['USA', 'XX', 'u1', 'ZZ']) assert.throws(() => checkRegions([c]), bad, c);
  assert.throws(() => checkRegions(Array(301).fill('US')), bad);
});
