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
