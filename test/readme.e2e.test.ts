import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ServerProcess, waitFor } from './harness.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');

/** The README's "own account" walk-through: its shell blocks, in order, as a user pastes them. */
function readmeExamples(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Your own account');
  const end = readme.indexOf('\n## ', start);
  assert.ok(start >= 0 && end > start, 'README has the "Your own account" section');
  const blocks = [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 4, 'one set-up block and one example per dialect');
  return blocks.join('\n');
}

let server: ServerProcess;
before(async () => {
  server = await ServerProcess.start();
});
after(async () => {
  await server.stop();
});

test("the README's examples run as pasted: an account, a template, a sender, then one send in each dialect", async () => {
  const script = readmeExamples();
  assert.match(script, /^URL=http:\/\/127\.0\.0\.1:8080$/m);
  // The only change: the server this test started listens on a port of the OS's choosing.
  const pasted = script.replace(/^URL=http:\/\/127\.0\.0\.1:8080$/m, `URL=${server.url}`);
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', pasted], { cwd: ROOT, env: { ...server.env }, timeout: 120_000 });
  const answers = [...stdout.matchAll(/\{"RetCode":(\d+)[^\n]*?"SessionNo":("[^"]+"|\["[^"]+"\])/g)];
  assert.deepEqual(answers.map((m) => Number(m[1])), [0, 0, 0], stdout);
  const inbox = await waitFor('three texts in the sandbox inbox', async () => {
    const { Messages } = await server.cli<{ Messages: Array<{ Phone: string; Text: string }> }>('sandbox', 'inbox', '--limit', '10');
    return Messages.length >= 3 ? Messages : undefined;
  });
  const phones = inbox.map((m) => m.Phone).sort();
  assert.deepEqual(phones, ['+8613800138000', '+8613800138001', '+8613800138002']);
  assert.ok(inbox.every((m) => m.Text === '【Acme】Your code is 123456'));
});
