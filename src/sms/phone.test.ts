import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone } from './phone.ts';

const CN_MOBILE = {
  ok: true,
  e164: '+8618512345678',
  countryCode: '86',
  region: 'CN',
  national: '18512345678',
} as const;

const reason = (input: string, region?: string) => {
  const r = normalizePhone(input, region);
  assert.equal(r.ok, false, `${JSON.stringify(input)} should be rejected`);
  return r.ok ? '' : r.reason;
};

test('all USMS forms of a China mobile number', () => {
  for (const input of [
    '(86)18512345678',
    '(0086)18512345678',
    '+8618512345678',
    '008618512345678',
    '18512345678',
    '018512345678', // national trunk prefix
  ]) {
    assert.deepEqual(normalizePhone(input), CN_MOBILE, input);
  }
});

test('spaces, dashes and surrounding whitespace are tolerated', () => {
  for (const input of [
    ' +86 185 1234 5678 ',
    '+86-185-1234-5678',
    '(86) 185-1234-5678',
    '( 0086 )18512345678',
    '0086 185 1234 5678',
    '185 1234 5678',
    '\t18512345678\n',
    '185\u30001234\u00a05678', // ideographic and no-break spaces
  ]) {
    assert.deepEqual(normalizePhone(input), CN_MOBILE, JSON.stringify(input));
  }
});

test('Hong Kong in the USMS form', () => {
  assert.deepEqual(normalizePhone('(852)55311111'), {
    ok: true,
    e164: '+85255311111',
    countryCode: '852',
    region: 'HK',
    national: '55311111',
  });
});

test('Malaysia, the USMS documentation example', () => {
  const r = normalizePhone('(60)123456789');
  assert.ok(r.ok);
  assert.equal(r.e164, '+60123456789');
  assert.equal(r.region, 'MY');
});

test('US numbers, accepted as FIXED_LINE_OR_MOBILE', () => {
  const us = { ok: true, e164: '+14155552671', countryCode: '1', region: 'US', national: '4155552671' };
  assert.deepEqual(normalizePhone('+1 (415) 555-2671'), us);
  assert.deepEqual(normalizePhone('001 415 555 2671'), us);
  assert.deepEqual(normalizePhone('(415) 555-2671', 'US'), { ok: false, reason: 'phone number is not valid for region CH' });
  assert.deepEqual(normalizePhone('415-555-2671', 'US'), us);
  assert.deepEqual(normalizePhone('1 415 555 2671', 'US'), us);
});

test('Canada shares +1 and gets its own region', () => {
  const r = normalizePhone('+1 604 555 5555');
  assert.ok(r.ok);
  assert.equal(r.region, 'CA');
});

test('UK mobile in national and international forms', () => {
  const uk = { ok: true, e164: '+447400123456', countryCode: '44', region: 'GB', national: '7400123456' };
  assert.deepEqual(normalizePhone('07400 123456', 'GB'), uk);
  assert.deepEqual(normalizePhone('+44 7400 123456'), uk);
  assert.deepEqual(normalizePhone('+44 (0)7400 123456'), uk);
  assert.deepEqual(normalizePhone('(44)07400123456'), uk);
});

test('India mobile', () => {
  const india = { ok: true, e164: '+919876543210', countryCode: '91', region: 'IN', national: '9876543210' };
  assert.deepEqual(normalizePhone('+91 98765 43210'), india);
  assert.deepEqual(normalizePhone('098765 43210', 'IN'), india);
  assert.deepEqual(normalizePhone('(91)9876543210'), india);
});

test('the default region applies only to national numbers', () => {
  assert.deepEqual(normalizePhone('+8618512345678', 'US'), CN_MOBILE);
  assert.deepEqual(normalizePhone('(86)18512345678', 'GB'), CN_MOBILE);
  assert.equal(reason('18512345678', 'US'), 'phone number is not valid for region US');
  assert.equal(reason('18512345678', 'XX'), 'unknown default region XX');
});

test('fixed-line numbers are rejected', () => {
  const notMobile = 'phone number is not a mobile number';
  assert.equal(reason('+86 10 8512 3456'), notMobile); // Beijing
  assert.equal(reason('010 8512 3456'), notMobile);
  assert.equal(reason('(852)21234567'), notMobile);
  assert.equal(reason('+91 11 2345 6789'), notMobile);
  assert.equal(reason('+49 30 12345678'), notMobile);
  assert.equal(reason('020 7946 0958', 'GB'), notMobile);
});

test('other non-mobile types are rejected too', () => {
  assert.equal(reason('+1 800 555 1234'), 'phone number is not a mobile number'); // TOLL_FREE
});

test('invalid numbers name the region', () => {
  assert.equal(reason('(86)1851234567'), 'phone number is not valid for region CN'); // one digit short
  assert.equal(reason('185123456789'), 'phone number is not valid for region CN'); // one digit long
  assert.equal(reason('8612345'), 'phone number is not valid for region CN');
  assert.equal(reason('+1 555 123 4567'), 'phone number is not valid for country code +1');
});

test('malformed input', () => {
  const bad = 'invalid phone number format';
  for (const input of [
    '',
    '   ',
    '+',
    '()',
    '(86)',
    'abc',
    '185-1234-567x',
    '+86 185 1234 5678 ext 9',
    '+86.185.1234.5678',
    '++8618512345678',
    '(86)+8618512345678',
    '(086)18512345678',
    '(8)6)18512345678',
    '+0 123 456',
    '+999 1234 5678', // unassigned calling code
    '１８５１２３４５６７８', // full-width digits
    '1'.repeat(33),
    ' '.repeat(20) + '18512345678' + ' '.repeat(2), // 33 chars
  ]) {
    assert.equal(reason(input), bad, JSON.stringify(input));
  }
});

test('32 characters is still accepted', () => {
  const input = ' '.repeat(21) + '18512345678';
  assert.equal(input.length, 32);
  assert.deepEqual(normalizePhone(input), CN_MOBILE);
});

test('non-geographic mobile numbers report region 001', () => {
  const r = normalizePhone('+881 6 1234 5678');
  assert.ok(r.ok);
  assert.equal(r.countryCode, '881');
  assert.equal(r.region, '001');
});
