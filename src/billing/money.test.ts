import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMoney, parseMoney } from './money.ts';

test('amounts parse to exact micro-units and print back with two to six decimals', () => {
  assert.equal(parseMoney('0.045'), 45_000);
  assert.equal(parseMoney('1.00'), 1_000_000);
  assert.equal(parseMoney('100'), 100_000_000);
  assert.equal(parseMoney('-2.5'), -2_500_000);
  assert.equal(parseMoney('0.000001'), 1);
  assert.equal(formatMoney(1_000_000), '1.00');
  assert.equal(formatMoney(45_000), '0.045');
  assert.equal(formatMoney(-2_500_000), '-2.50');
  assert.equal(formatMoney(1), '0.000001');
  assert.equal(formatMoney(0), '0.00');
  // 0.1 + 0.2 in floats is 0.30000000000000004; in micro-units it is exact
  assert.equal(formatMoney(parseMoney('0.1')! + parseMoney('0.2')!), '0.30');
});

test('anything but a plain decimal is refused', () => {
  for (const bad of ['', 'abc', '1e3', '0.0000001', '1,00', '.5', '1.', '+1', 'NaN', '1234567890123']) assert.equal(parseMoney(bad), undefined, bad);
});
