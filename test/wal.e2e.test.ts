// The server's SQLite WAL stays bounded under steady writes (store/checkpoint-thread.ts): its
// connections leave checkpoints to one thread, which must also let the WAL start over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { e2eOnPostgres } from './databases.ts';
import { ServerProcess, Workspace, uspeedoPost } from './harness.ts';

const BATCHES = 80;
const PER_BATCH = 1000;
/** About 1 KB of WAL a message: 80k messages would leave a WAL far larger than this if it never started over. */
const MAX_WAL_BYTES = 40 * 1024 * 1024;

test('under steady writes the SQLite WAL starts over instead of growing', { skip: e2eOnPostgres && 'SQLite only', timeout: 180_000 }, async () => {
  const server = await ServerProcess.start({ USMS_RATE_LIMIT: '0' }, await Workspace.create({ postgres: false }));
  const wal = join(server.dataDir, 'usms.db-wal');
  let largest = 0;
  const sampler = setInterval(() => {
    try {
      largest = Math.max(largest, statSync(wal).size);
    } catch {
      // no WAL at this instant
    }
  }, 20);
  try {
    const { creds, templateIds } = await server.setupAccount({ templates: ['Code {1}'] });
    let next = 0;
    let accepted = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let b = next++; b < BATCHES; b = next++) {
        const body = {
          Action: 'SendBatchUSMSMessage', AccountId: creds.AccountId,
          TaskContent: [{ TemplateId: templateIds[0], SenderId: 'usms', Target: Array.from({ length: PER_BATCH }, (_, i) => ({ Phone: `139${String(10_000_000 + b * PER_BATCH + i)}`, TemplateParams: [String(i)] })) }],
        };
        const res = await uspeedoPost(server.url, creds, body);
        assert.equal(res.body.RetCode, 0, res.body.Message);
        accepted += res.body.SuccessCount;
      }
    }));
    assert.equal(accepted, BATCHES * PER_BATCH);
    console.log(`# largest WAL: ${(largest / 1024 / 1024).toFixed(1)} MB`);
    assert.ok(largest > 0, 'the WAL was sampled');
    assert.ok(largest < MAX_WAL_BYTES, `the WAL grew to ${(largest / 1024 / 1024).toFixed(1)} MB`);
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
});
