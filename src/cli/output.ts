/** `--json` prints exactly one JSON object; otherwise a readable rendering of the same object. */
export function printResult(result: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  process.stdout.write(render(result, '') + '\n');
}

function render(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}(none)`;
    return value.map((v) => (typeof v === 'object' && v !== null ? render(v, indent + '  ').replace(/^\s+/, `${indent}- `) : `${indent}- ${String(v)}`)).join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => (typeof v === 'object' && v !== null ? `${indent}${k}:\n${render(v, indent + '  ')}` : `${indent}${k}: ${String(v)}`))
      .join('\n');
  }
  return indent + String(value);
}

/**
 * `--env`: the result's top-level scalar fields as shell `export` lines (AccountId -> USMS_ACCOUNT_ID), so that
 * `eval "$(npx usms account create --name acme --env)"` sets what the README's examples use.
 */
export function envLines(result: unknown): string {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw new Error('--env: this command prints no fields');
  const lines: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    const name = 'USMS_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    lines.push(`export ${name}='${String(value).replace(/'/g, `'\\''`)}'`);
  }
  return lines.join('\n');
}
