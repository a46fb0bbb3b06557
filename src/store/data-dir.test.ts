import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './db.ts';
import { secureDataDir } from './data-dir.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

test('a new SQLite database: data dir 0700, usms.db and its -wal and -shm 0600, whatever the umask', async () => {
  const root = mkdtempSync(join(tmpdir(), 'usms-dir-'));
  const dir = join(root, 'data');
  const umask = process.umask(0o022);
  try {
    const db = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true });
    try {
      assert.equal(mode(dir), 0o700);
      for (const f of ['usms.db', 'usms.db-wal', 'usms.db-shm']) assert.equal(mode(join(dir, f)), 0o600, f);
    } finally {
      await db.destroy();
    }
  } finally {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  }
});

test('secureDataDir takes the group and others away from the data dir and its private files, and says what it changed', () => {
  const root = mkdtempSync(join(tmpdir(), 'usms-dir-'));
  const dir = join(root, 'data');
  try {
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    for (const f of ['usms.db', 'master.key', 'operator.token', 'notes.txt']) writeFileSync(join(dir, f), 'x');
    chmodSync(join(dir, 'usms.db'), 0o644);
    chmodSync(join(dir, 'master.key'), 0o640);
    chmodSync(join(dir, 'operator.token'), 0o600);
    chmodSync(join(dir, 'notes.txt'), 0o644);
    const changed = secureDataDir(dir);
    assert.deepEqual(changed.map((c) => [c.path, c.was, c.now]), [
      [dir, '0755', '0700'],
      [join(dir, 'usms.db'), '0644', '0600'],
      [join(dir, 'master.key'), '0640', '0600'],
    ]);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'usms.db')), 0o600);
    assert.equal(mode(join(dir, 'master.key')), 0o600);
    assert.equal(mode(join(dir, 'notes.txt')), 0o644, 'files that are not ours are left alone');
    assert.deepEqual(secureDataDir(dir), [], 'nothing left to change');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
