/**
 * The small language of HTTP carrier settings: `{name}` placeholders in the request URL and body,
 * dotted paths into a JSON answer, form bodies. Pure.
 */

/**
 * to: E.164 with '+'; to_digits: without it; from: the carrier's sender or the message's; text; id: our
 * message id; receipt_url: the receipt webhook ('' when there is no public URL); username; baseUrl;
 * secret (for providers that want it in the body); type: 'unicode' for text that is not GSM-7, else 'text'.
 */
export const PLACEHOLDERS = ['to', 'to_digits', 'from', 'text', 'id', 'receipt_url', 'username', 'baseUrl', 'secret', 'type'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** The placeholder names a template uses, in order, repeats included. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Replaces every known placeholder in one pass (a value holding "{text}" is not rendered again);
 * unknown ones stay as written (settings validation refuses them).
 */
export function render(template: string, values: TemplateValues, encode: (value: string, name: Placeholder) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? encode(values[name as Placeholder], name as Placeholder) : whole));
}

/** A URL template: {baseUrl} goes in as it is, every other value URL-encoded. */
export function renderUrl(template: string, values: TemplateValues): string {
  return render(template, values, (v, name) => (name === 'baseUrl' ? v : encodeURIComponent(v)));
}

/** Renders each field's template; fields that render to '' are left out (an optional field without a value). */
export function renderFields(fields: Record<string, string>, values: TemplateValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(fields)) {
    const value = render(template, values);
    if (value !== '') setOwn(out, key, value);
  }
  return out;
}

/**
 * The value at a dotted path (`messages.0.message-id`, `sid`); `a|b` gives the first alternative that is
 * present and not null. Own properties only, so `constructor` or `__proto__` read nothing.
 */
export function readPath(value: unknown, path: string): unknown {
  for (const alternative of path.split('|')) {
    let at: unknown = value;
    for (const seg of alternative.split('.')) {
      if (Array.isArray(at) && /^\d+$/.test(seg)) at = at[Number(seg)];
      else if (typeof at === 'object' && at !== null && !Array.isArray(at) && Object.hasOwn(at, seg)) at = (at as Record<string, unknown>)[seg];
      else at = undefined;
      if (at === undefined || at === null) break;
    }
    if (at !== undefined && at !== null) return at;
  }
  return undefined;
}

/** readPath as text: strings as they are, numbers and booleans spelled out, anything else (or no path) undefined. */
export function readText(value: unknown, path: string | undefined): string | undefined {
  if (!path) return undefined;
  const v = readPath(value, path);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** application/x-www-form-urlencoded. */
export function encodeForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** A form body (or query string) as name-value pairs in their order, repeats kept. */
export function formEntries(body: string): Array<[string, string]> {
  return [...new URLSearchParams(body).entries()];
}

/** A form body (or query string) as an object; of a repeated name the first value counts. */
export function decodeForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formEntries(body)) if (!Object.hasOwn(out, k)) setOwn(out, k, v);
  return out;
}

/** Sets a property even when it is named `__proto__` (plain assignment would set the prototype). */
function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
