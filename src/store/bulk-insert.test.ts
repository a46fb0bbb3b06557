import assert from 'node:assert/strict';
import { BulkInsert } from './bulk-insert.ts';
import { testOnBothDatabases } from '../../test/databases.ts';

interface Row extends Record<string, unknown> {
  public_key: string; idem_key: string; account_id: number; request_hash: string; answer: string; created_at: number;
}
const row = (k: string, answer = 'a'): Row => ({ public_key: 'AK1', idem_key: k, account_id: 1, request_hash: 'h', answer, created_at: 5 });
const insert = new BulkInsert<Row>(
  ['public_key', 'idem_key', 'account_id', 'request_hash', 'answer', 'created_at'],
  (db, rows) => db.insertInto('idempotency_keys').values(rows)
    .onConflict((oc) => oc.columns(['public_key', 'idem_key']).doNothing())
    .returning(['idem_key']),
);

testOnBothDatabases('a reused statement shape inserts each call its own rows, with the dialect clauses', async (db) => {
  const first = await insert.execute(db, [row('k1'), row('k2')]);
  assert.deepEqual(first.rows.map((r) => r.idem_key), ['k1', 'k2']);
  // Same row count: the cached text; k2 conflicts and is left out by ON CONFLICT DO NOTHING.
  const second = await insert.execute(db, [row('k2', 'other'), row('k3')]);
  assert.deepEqual(second.rows.map((r) => r.idem_key), ['k3']);
  const stored = await db.selectFrom('idempotency_keys').select(['idem_key', 'answer']).orderBy('idem_key').execute();
  assert.deepEqual(stored, [{ idem_key: 'k1', answer: 'a' }, { idem_key: 'k2', answer: 'a' }, { idem_key: 'k3', answer: 'a' }]);
  await db.transaction().execute(async (trx) => {
    assert.equal((await insert.execute(trx, [row('k4')])).rows.length, 1);
  });
});

testOnBothDatabases('rows whose keys are not the declared columns in order are refused', async (db) => {
  const { account_id, ...rest } = row('k9');
  const reordered = { ...rest, account_id } as Row;
  await assert.rejects(insert.execute(db, [reordered, row('k8'), row('k7')]), /do not carry exactly the columns/);
  assert.equal((await db.selectFrom('idempotency_keys').select('idem_key').execute()).length, 0);
});
