import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './db.ts';
import { statementShape } from './sql-profile.ts';

test('a statement shape folds whitespace, placeholder lists and repeated value rows', () => {
  assert.equal(
    statementShape('insert into "t" ("a", "b")\n   values (?, ?), (?, ?), (?, ?)'),
    'insert into "t" ("a", "b") values (?…)…',
  );
  assert.equal(statementShape('select * from t where id in (?, ?, ?) and x = ?'), 'select * from t where id in (?…) and x = ?');
  assert.equal(statementShape('commit'), 'commit');
  assert.equal(statementShape(`select ${'x, '.repeat(100)}1`).length, 140);
});

test('USMS_SQL_PROFILE: each SQLite connection writes its time per statement shape when it closes, and nothing when unset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usms-sqlprof-'));
  const file = join(dir, 'sql.txt');
  try {
    const plain = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true });
    await plain.selectFrom('accounts').select('id').execute();
    await plain.destroy();
    assert.equal(existsSync(file), false);

    const db = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true, sqlProfileFile: file });
    for (let i = 1; i <= 3; i++) {
      await db.transaction().execute((trx) =>
        trx.insertInto('accounts').values({ id: i, project_id: `p${i}`, name: 'a', region: 'CN', status: 'active', created_at: 0 }).execute());
    }
    await db.destroy();
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^--- pid \d+ thread \d+ usms\.db connection \d+ /m);
    const insert = text.split('\n').find((l) => l.includes('insert into "accounts"'));
    assert.ok(insert, text);
    assert.match(insert!, /\s3x\s.*\s6 params\s/);
    assert.match(text, /\s3x\s.*commit$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
