#!/usr/bin/env node
// Runs the compiled CLI (dist/, written by `npm run build`, which `npm ci` runs) when it is up to date,
// else the TypeScript sources through tsx. The build is smaller and faster: tsx compiles the sources
// again in every thread of the server.
import { readdirSync, statSync } from 'node:fs';

const src = new URL('../src/', import.meta.url);
const stamp = new URL('../dist/.build-stamp', import.meta.url);

/** Newest modification time of the compiled sources (tests are not compiled). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(new URL(`${entry.name}/`, dir)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(new URL(entry.name, dir)).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  try {
    return statSync(stamp).mtimeMs >= newestSource(src);
  } catch {
    return false; // no build, or no sources beside it
  }
}

if (buildIsCurrent()) {
  await import('../dist/cli/index.js');
} else {
  process.stderr.write('usms: dist/ is missing or older than src/; running the sources through tsx (slower, more memory). Run `npm run build`.\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
