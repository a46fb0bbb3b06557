// Reading and showing API values: times come as unix ms, unix seconds or ISO strings depending on the
// table they come from, so one reader takes all three.
import { localeOf } from './i18n.js';

/** A Date from unix ms, unix seconds or an ISO string; undefined for nothing. */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return new Date(value < 1e11 ? value * 1000 : value);
  if (/^\d+$/.test(String(value))) return toDate(Number(value));
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Local time as 2026-01-31 14:05:09 in every language: unambiguous, sortable, what operators compare with logs. */
export function formatTime(value) {
  const d = toDate(value);
  if (!d) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function formatNumber(lang, value) {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  return Number.isFinite(n) ? new Intl.NumberFormat(localeOf(lang)).format(n) : String(value);
}

/** SuccessRate is a fraction (0..1). */
export function formatRate(lang, value) {
  if (value === null || value === undefined || value === '') return '–';
  const n = Number(value);
  if (!Number.isFinite(n)) return '–';
  return new Intl.NumberFormat(localeOf(lang), { style: 'percent', maximumFractionDigits: 1 }).format(n);
}

/** A row's field by its PascalCase name, or the camelCase spelling some store shapes use. */
export function field(row, name) {
  if (!row) return undefined;
  if (row[name] !== undefined) return row[name];
  return row[name[0].toLowerCase() + name.slice(1)];
}

/** The list in an answer: the first of `names` that is an array, the answer itself, or its first array. */
export function rowsOf(answer, ...names) {
  if (!answer) return [];
  if (Array.isArray(answer)) return answer;
  for (const name of names) if (Array.isArray(answer[name])) return answer[name];
  const first = Object.values(answer).find(Array.isArray);
  return first || [];
}

/** A short, readable form of any value (objects as compact JSON). */
export function show(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `<input type="datetime-local">` value -> unix ms (local time), or undefined. */
export function localInputToMs(value) {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Random hex from the browser's CSPRNG (crypto.randomUUID needs a secure context; this does not). */
export function randomHex(bytes) {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An amount as the server answers it (a decimal string such as "-1234.5", never a float) with its
 * currency: "-1,234.50 CNY". The digits are kept exactly; only the whole part is grouped.
 */
export function formatAmount(lang, value, currency) {
  if (value === null || value === undefined || value === '') return '';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  if (!m) return String(value);
  const whole = new Intl.NumberFormat(localeOf(lang)).format(BigInt(m[2]));
  const frac = (m[3] ?? '').padEnd(2, '0');
  return `${m[1]}${whole}.${frac}${currency ? ` ${currency}` : ''}`;
}
