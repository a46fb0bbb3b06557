import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCountries, getCountryCallingCode, getExampleNumber, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { numberType } from './number-type.ts';

/** Deterministic pseudo-random digits, so a failure is reproducible. */
function* digits(seed: number) {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield String(x % 10);
  }
}

test('the same type as libphonenumber-js getType() for every country, on example and random numbers', () => {
  const rnd = digits(7);
  let compared = 0;
  const typesSeen = new Set<string>();
  for (const country of getCountries()) {
    const inputs: string[] = [];
    const example = getExampleNumber(country, examples);
    if (example) inputs.push(example.number);
    for (let n = 0; n < 60; n++) {
      const length = 6 + (n % 7);
      let national = '';
      for (let i = 0; i < length; i++) national += rnd.next().value;
      inputs.push(`+${getCountryCallingCode(country)}${national}`);
    }
    for (const input of inputs) {
      let phone;
      try {
        phone = parsePhoneNumberWithError(input);
      } catch {
        continue;
      }
      const expected = phone.getType();
      typesSeen.add(String(expected));
      assert.equal(numberType(phone.country ?? phone.countryCallingCode, phone.nationalNumber), expected, `${input} (${country})`);
      compared++;
    }
  }
  assert.ok(compared > 10_000, `compared ${compared} numbers`);
  for (const t of ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'undefined']) assert.ok(typesSeen.has(t), `saw no ${t}`);
});

test('non-geographic numbers are typed by their calling code', () => {
  const phone = parsePhoneNumberWithError('+882 3421 2345 6789'.replace(/ /g, ''));
  assert.equal(numberType(phone.country ?? phone.countryCallingCode, phone.nationalNumber), phone.getType());
});

test('China: mobile, fixed line and invalid', () => {
  assert.equal(numberType('CN', '13800138000'), 'MOBILE');
  assert.equal(numberType('CN', '1012345678'), 'FIXED_LINE');
  assert.equal(numberType('CN', '12345'), undefined);
});
