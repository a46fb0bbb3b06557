import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './db.ts';

test('SQLite read-then-write transactions wait for another process writing, instead of failing with SQLITE_BUSY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usms-db-'));
  const db = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true });
  // Another process commits small writes back to back, like the CLI or a second node would.
  const writer = spawn(
    process.execPath,
    ['-e', `
      const D = require('better-sqlite3');
      const d = new D(process.argv[1]); d.pragma('busy_timeout = 10000');
      const ins = d.prepare("insert into blacklist (account_id, phone, created_at) values (1, ?, 0)");
      const end = Date.now() + 1500; let i = 0;
      while (Date.now() < end) ins.run('+86138' + String(i++).padStart(8, '0'));
    `, join(dir, 'usms.db')],
    { cwd: process.cwd(), stdio: 'inherit' },
  );
  try {
    await db.insertInto('accounts').values({ id: 1, project_id: 'p', name: 'a', region: 'CN', status: 'active', created_at: 0 }).execute();
    const done = new Promise((r) => writer.once('exit', r));
    let transactions = 0;
    while (writer.exitCode === null) {
      await db.transaction().execute(async (trx) => {
        const n = await trx.selectFrom('blacklist').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
        await trx.insertInto('blacklist').values({ account_id: 1, phone: `tx-${transactions}-${n?.n}`, created_at: 0 }).execute();
      });
      transactions++;
      await new Promise((r) => setImmediate(r)); // let the child's exit event in
    }
    await done;
    assert.ok(transactions > 5, `only ${transactions} transactions ran`);
    const mine = await db.selectFrom('blacklist').select('phone').where('phone', 'like', 'tx-%').execute();
    assert.equal(mine.length, transactions);
  } finally {
    writer.kill();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const kind of ['transaction', 'single statement'] as const) {
test(`a SQLite ${kind} waiting for the write lock leaves the event loop free, then runs`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usms-db-'));
  const config = { dataDir: dir, sqliteSynchronous: 'normal' as const, dbPoolSize: 1, migrateOnStart: true };
  const holder = await openDatabase(config);
  const waiter = await openDatabase({ ...config, migrateOnStart: false });
  try {
    await holder.insertInto('accounts').values({ id: 1, project_id: 'p', name: 'a', region: 'CN', status: 'active', created_at: 0 }).execute();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = holder.transaction().execute(async (trx) => {
      await trx.insertInto('blacklist').values({ account_id: 1, phone: 'first', created_at: 0 }).execute();
      locked();
      await held;
    });
    await isLocked;
    const started = Date.now();
    const second = { account_id: 1, phone: 'second', created_at: 0 };
    const waiting =
      kind === 'transaction'
        ? waiter.transaction().execute(async (trx) => {
            await trx.insertInto('blacklist').values(second).execute();
          })
        : waiter.insertInto('blacklist').values(second).execute();
    // While the waiter waits for the lock, timers still fire: its wait is not a sleep inside SQLite.
    let ticks = 0;
    while (Date.now() - started < 200) {
      await new Promise((r) => setTimeout(r, 10));
      ticks++;
    }
    assert.ok(ticks >= 10, `the event loop ran only ${ticks} timers in 200 ms`);
    release();
    await Promise.all([holding, waiting]);
    const phones = (await waiter.selectFrom('blacklist').select('phone').execute()).map((r) => r.phone).sort();
    assert.deepEqual(phones, ['first', 'second']);
  } finally {
    await holder.destroy();
    await waiter.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
}
