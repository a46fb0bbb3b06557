import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
// The `usms` command as npx runs it (bin/usms.js), started from another directory.
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'usms.js');
const usms = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: '/' });

// The reference sheet's test vectors (reference/usms-api.md, section 2).
test('usms sign --body signs a JSON body by the USMS rule, from any directory', async () => {
  const body = '{"Action":"CreateUSMSTemplate","Purpose":1,"Template":"your code is {1}","AccountId":60000011,"TemplateName":"demo"}';
  const { stdout } = await usms('sign', '--secret', 'NTk1Mzk0MAItOWI0My10MGM4LTg0NmMMNDM0ZGM5Y2ZkMmNk', '--body', body);
  assert.equal(stdout.trim(), '11a0430ae6f1a4dc0c656e64dfc1886b0ac4b63a');
});

test('usms sign --query signs URL-decoded query params; the secret may come from USMS_API_SECRET', async () => {
  const query = 'Action=DescribeUHostInstance&Limit=10&PublicKey=someone%40example.com1296235120854146120&Region=cn-bj2';
  const { stdout } = await run(process.execPath, [BIN, 'sign', '--query', query, '--json'], {
    cwd: '/',
    env: { ...process.env, USMS_API_SECRET: '46f09bb9fab4f12dfc160dae12273d5332b5debe' },
  });
  assert.deepEqual(JSON.parse(stdout), { Signature: '4201919d267504385deb93af19e0197870fed36b' });
});

test('usms sign refuses a body that is not a JSON object', async () => {
  await assert.rejects(usms('sign', '--secret', 's', '--body', '[1]'), /JSON object/);
});
