/**
 * Money is an integer count of micro-units (10^-6) of the platform currency: prices such as 0.045 a
 * segment are exact, and sums and products stay integers (safe up to 9 x 10^9 currency units).
 */
export const MICROS = 1_000_000;
const DIGITS = 6;

/** "1.00", "0.045", "-3", "100" -> micro-units; undefined for anything else (no exponents, at most 6 decimals). */
export function parseMoney(text: string): number | undefined {
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return undefined;
  const micros = Number(m[2]) * MICROS + Number((m[3] ?? '').padEnd(DIGITS, '0'));
  return m[1] ? -micros : micros;
}

/** Micro-units -> a decimal with at least two and at most six decimals: 1000000 -> "1.00", 45000 -> "0.045". */
export function formatMoney(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`not an amount of micro-units: ${micros}`);
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS);
  let frac = String(abs % MICROS).padStart(DIGITS, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${sign}${whole}.${frac}`;
}
