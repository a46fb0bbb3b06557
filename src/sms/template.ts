const PLACEHOLDER = /\{(\d{1,2})\}/g;

/**
 * The number of parameters a template takes: its placeholders must be {1}..{n} without gaps,
 * each may appear several times. Throws for a gap ({1} and {3} without {2}) or {0}.
 */
export function placeholderCount(template: string): number {
  const seen = new Set<number>();
  for (const m of template.matchAll(PLACEHOLDER)) seen.add(Number(m[1]));
  if (seen.size === 0) return 0;
  const max = Math.max(...seen);
  if (seen.has(0) || seen.size !== max) {
    throw new Error(`template placeholders must be {1}..{n} without gaps, found ${[...seen].sort((a, b) => a - b).map((n) => `{${n}}`).join(', ')}`);
  }
  return max;
}

/** Fills `{i}` with `params[i-1]`; the caller has checked the count. */
export function renderTemplate(template: string, params: readonly string[]): string {
  if (params.length === 0) return template;
  return template.replace(PLACEHOLDER, (whole, n: string) => {
    const value = params[Number(n) - 1];
    return value === undefined ? whole : value;
  });
}

/** TemplateParams as sent: strings, or numbers (seed 003 sends `[123456,10]`). Anything else is refused. */
export function normalizeParams(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const p of raw) {
    if (typeof p === 'string') out.push(p);
    else if (typeof p === 'number' && Number.isFinite(p)) out.push(String(p));
    else return undefined;
  }
  return out;
}
