import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..');

function walk(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, keep, out);
    else if (keep(path)) out.push(path);
  }
  return out;
}

test('src has no import cycles (type-only imports included)', () => {
  const files = walk(join(ROOT, 'src'), (p) => p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts'));
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => resolve(dirname(file), m[1]!));
    edges.set(file, deps.filter((d) => known.has(d)));
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, stack: string[]) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of edges.get(file) ?? []) {
      if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep].map((p) => relative(ROOT, p)).join(' -> '));
      else if (!state.has(dep)) visit(dep, stack);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('package.json points only at files that exist', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>>; bin: Record<string, string> };
  const targets = [...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => Object.values(e))];
  for (const target of targets) {
    // dist/ is built at install (the prepare script); its source must exist either way.
    const source = target.replace(/^\.\/dist\/(.*)\.js$/, './src/$1.ts');
    assert.ok(existsSync(join(ROOT, source)), `${target}: ${source} does not exist`);
  }
});

test('the product speaks of the product: no work-history notes or machine paths in docs and code', () => {
  const files = [
    join(ROOT, 'README.md'),
    ...walk(join(ROOT, 'src'), (p) => !p.endsWith('.test.ts')),
    ...walk(join(ROOT, 'bench'), (p) => /\.(md|ts|mjs|sh|lua)$/.test(p)),
    ...walk(join(ROOT, 'docs'), () => true),
  ];
  const offending: string[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/\b[Ss]ession \d+\b|\b[Ii]ssues? \d+\b|\/work\/|\.scratch/.test(line)) offending.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim().slice(0, 100)}`);
    });
  }
  assert.deepEqual(offending, []);
});

/** Imports of the non-test sources under `src/<dirs>` whose path matches `target`, as `file: path`; and how many files were read. */
function importsOf(dirs: string[], target: RegExp): { files: number; offending: string[] } {
  const files = dirs.flatMap((dir) => walk(join(ROOT, 'src', dir), (p) => p.endsWith('.ts') && !p.endsWith('.test.ts')));
  const offending: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'([^']*)'/g)) if (target.test(m[1]!)) offending.push(`${relative(ROOT, file)}: ${m[1]}`);
  }
  return { files: files.length, offending };
}

test('the CLI and the console are shells over the operator layer: neither imports the store', () => {
  const { files, offending } = importsOf(['cli', 'console'], /^(?:\.\.\/)+store\//);
  assert.ok(files > 20);
  assert.deepEqual(offending, []);
});

test('the pure domain folders (sms, compliance, billing) import nothing of ours outside themselves', () => {
  const { files, offending } = importsOf(['sms', 'compliance', 'billing'], /^\.\.\//);
  assert.ok(files > 10);
  assert.deepEqual(offending, []);
});

test('the store imports no notify, carrier, action, delivery or SMPP server code (push payload shapes live in notify)', () => {
  const { files, offending } = importsOf(['store'], /^(?:\.\.\/)+(?:notify|carriers|actions|delivery|smpp-server)\//);
  assert.ok(files > 30);
  assert.deepEqual(offending, []);
});

test('carriers only translate: they import no store, delivery, notify, action or HTTP code', () => {
  const { files, offending } = importsOf(['carriers'], /^(?:\.\.\/)+(?:store|delivery|notify|actions|http|operator)\//);
  assert.ok(files > 10);
  assert.deepEqual(offending, []);
});

test('the SMPP server translates like a dialect: it imports no delivery, carrier, notify or HTTP code', () => {
  const { files, offending } = importsOf(['smpp-server'], /^(?:\.\.\/)+(?:delivery|carriers|notify|http)\//);
  assert.ok(files > 5);
  assert.deepEqual(offending, []);
});
