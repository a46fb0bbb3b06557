import assert from 'node:assert/strict';
import { testOnBothDatabases } from '../../test/databases.ts';
import { QueryShape } from './query-shape.ts';

const byIds = new QueryShape<{ ids: number[]; region: string }>(
  'accounts by id',
  (db, a) => db.selectFrom('accounts').select('name').where('id', 'in', a.ids).where('region', '=', a.region).orderBy('id'),
  (a) => [...a.ids, a.region],
  (a) => a.ids.length,
);

const account = (id: number, region = 'CN') => ({ id, project_id: `p${id}`, name: `a${id}`, region, status: 'active', created_at: 0 });

testOnBothDatabases('a query shape runs each call with its own values, one text per shape', async (db) => {
  await db.insertInto('accounts').values([account(1), account(2), account(3, 'GB')]).execute();
  const names = async (ids: number[], region: string) => (await byIds.execute<{ name: string }>(db, { ids, region })).rows.map((r) => r.name);
  assert.deepEqual(await names([1, 2], 'CN'), ['a1', 'a2']);
  assert.deepEqual(await names([2, 3], 'CN'), ['a2'], 'the same text with new values');
  assert.deepEqual(await names([2, 3], 'GB'), ['a3']);
  assert.deepEqual(await names([1, 2, 3], 'CN'), ['a1', 'a2'], 'another length: its own text');
  await db.transaction().execute(async (trx) => {
    assert.deepEqual((await byIds.execute<{ name: string }>(trx, { ids: [3], region: 'GB' })).rows, [{ name: 'a3' }]);
  });
});

testOnBothDatabases('parameters listed in another order than Kysely compiles them are refused', async (db) => {
  const wrong = new QueryShape<{ ids: number[]; region: string }>(
    'wrong order',
    (d, a) => d.selectFrom('accounts').select('name').where('id', 'in', a.ids).where('region', '=', a.region),
    (a) => [a.region, ...a.ids],
    (a) => a.ids.length,
  );
  await assert.rejects(wrong.execute(db, { ids: [1], region: 'CN' }), /wrong order: the parameters are not the ones Kysely compiles/);
});
