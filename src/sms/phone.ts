// Phone number normalisation per the USMS content rules: "(86)185...",
// "(0086)185...", "+86185...", "0086185..." and national numbers in the
// account's default region.
import { isSupportedCountry, parsePhoneNumberWithError, type CountryCode, type NumberType } from 'libphonenumber-js/max';
import { numberType } from './number-type.ts';

export interface NormalizedPhone {
  ok: true;
  /** '+8618512345678' */
  e164: string;
  /** Calling code without '+': '86' */
  countryCode: string;
  /** ISO 3166 region ('CN'), or '001' for non-geographic numbers such as +882 */
  region: string;
  /** National significant number, without trunk prefix: '18512345678' */
  national: string;
}

export type PhoneResult = NormalizedPhone | { ok: false; reason: string };

const MAX_INPUT_LENGTH = 32;

// A leading "(cc)" or "(00cc)" is always the USMS country-code form, so
// "(415) 555-2671" means +415..., not a US area code; write "+1 (415) ..." for that.
const USMS_COUNTRY_CODE = /^\s*\(\s*(?:00)?([1-9]\d{0,2})\s*\)/;
const LEADING_PARENTHESIS = /^\s*\(/;
// Tolerated inside the number: whitespace and dashes; parentheses too after
// "+cc" or in national numbers, as in "+1 (415) 555-2671" or "+44 (0)7400 123456".
const SEPARATORS = /[\s-]/g;
const SEPARATORS_AND_PARENTHESES = /[\s\-()]/g;
const DIGITS = /^\d+$/;
const INTERNATIONAL = /^\+(\d+)$/;

// getType() undefined on a valid number means the metadata cannot tell; that is accepted too.
const SMS_CAPABLE_TYPES: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

const INVALID_FORMAT = Object.freeze({ ok: false, reason: 'invalid phone number format' } as const);
const NOT_MOBILE = Object.freeze({ ok: false, reason: 'phone number is not a mobile number' } as const);

export function normalizePhone(input: string, defaultRegion: string = 'CN'): PhoneResult {
  if (input.length === 0 || input.length > MAX_INPUT_LENGTH) return INVALID_FORMAT;
  const dial = toDialString(input);
  if (dial === undefined) return INVALID_FORMAT;
  if (dial[0] !== '+' && !isSupportedCountry(defaultRegion)) {
    return { ok: false, reason: `unknown default region ${defaultRegion}` };
  }

  let phone;
  try {
    phone = parsePhoneNumberWithError(dial, defaultRegion as CountryCode);
  } catch {
    return INVALID_FORMAT;
  }

  // With max metadata the type check also validates, so isValid() only runs when it found no type.
  const type = numberType(phone.country ?? phone.countryCallingCode, phone.nationalNumber);
  if (type === undefined && !phone.isValid()) {
    const where = phone.country ? `region ${phone.country}` : `country code +${phone.countryCallingCode}`;
    return { ok: false, reason: `phone number is not valid for ${where}` };
  }
  if (type !== undefined && !SMS_CAPABLE_TYPES.has(type)) return NOT_MOBILE;

  return {
    ok: true,
    e164: phone.number,
    countryCode: phone.countryCallingCode,
    region: phone.country ?? '001',
    national: phone.nationalNumber,
  };
}

/** '+<digits>' for international input, '<digits>' for national, undefined if malformed. */
function toDialString(input: string): string | undefined {
  const usms = USMS_COUNTRY_CODE.exec(input);
  if (usms) {
    const rest = input.slice(usms[0].length).replace(SEPARATORS, '');
    return DIGITS.test(rest) ? `+${usms[1]}${rest}` : undefined;
  }
  if (LEADING_PARENTHESIS.test(input)) return undefined;
  const compact = input.replace(SEPARATORS_AND_PARENTHESES, '');
  if (DIGITS.test(compact)) return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  const intl = INTERNATIONAL.exec(compact);
  return intl ? `+${intl[1]}` : undefined;
}
