import assert from 'node:assert/strict';
import { sqlitePlan, testOnBothDatabases } from '../../test/databases.ts';
import { isPostgres, recheck } from './dialect.ts';

testOnBothDatabases('recheck: a status re-check keeps SQLite on the ids given, and runs on both databases', async (db) => {
  const update = (status: ReturnType<typeof recheck> | 'status') =>
    db.updateTable('messages').set({ status: 'delivered', updated_at: 1 }).where('id', 'in', Array.from({ length: 64 }, (_, i) => i + 1)).where(status, 'in', ['sent', 'unknown']);
  await update(recheck(db, 'status')).execute();
  if (isPostgres(db)) return;
  assert.match(await sqlitePlan(db, update(recheck(db, 'status'))), /USING INTEGER PRIMARY KEY/);
  // What it prevents: with the plain column SQLite reads every row in those statuses through the index.
  assert.match(await sqlitePlan(db, update('status')), /USING (COVERING )?INDEX messages_due/);
});
