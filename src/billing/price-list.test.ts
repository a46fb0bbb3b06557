import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PriceList } from './price-list.ts';

test('the longest matching prefix wins, and an account entry beats the platform at equal length', () => {
  const list = new PriceList(
    [{ prefix: '', price: 90_000 }, { prefix: '86', price: 45_000 }, { prefix: '8613', price: 40_000 }, { prefix: '1', price: 10_000 }],
    [{ prefix: '86', price: 30_000 }],
  );
  assert.equal(list.priceFor('+8613800138000'), 40_000); // platform 8613 is longer than the account's 86
  assert.equal(list.priceFor('+8615800138000'), 30_000); // the account's 86 over the platform's 86
  assert.equal(list.priceFor('+16502530000'), 10_000);
  assert.equal(list.priceFor('+447911123456'), 90_000); // the default
  assert.equal(list.priceFor('447911123456'), 90_000);
});

test('no entry, no price; a message costs the price times its segments', () => {
  const list = new PriceList([{ prefix: '86', price: 45_000 }]);
  assert.equal(list.priceFor('+16502530000'), undefined);
  assert.equal(list.chargeFor('+16502530000', 1), undefined);
  assert.equal(list.chargeFor('+8613800138000', 3), 135_000);
  assert.equal(new PriceList([]).size, 0);
});
