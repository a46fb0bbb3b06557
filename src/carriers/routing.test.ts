import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { parseAccounts, parsePrefixes, Router, type RouteSpec } from './routing.ts';

const spec = (name: string, o: Partial<RouteSpec> = {}): RouteSpec => ({ name, prefixes: [], accounts: [], isDefault: false, ...o });

test('no carriers: the sandbox takes everything', () => {
  const r = new Router([]);
  assert.equal(r.resolve(1, '+8613800000000'), 'sandbox');
  assert.deepEqual(r.claimFilter('sandbox'), { kind: 'all' });
  assert.deepEqual(r.claimFilter('other'), { kind: 'none' });
});

test('most specific route wins: account-restricted, then longest prefix, then the default', () => {
  const r = new Router([
    spec('cn', { prefixes: ['86'] }),
    spec('uk', { prefixes: ['44'] }),
    spec('uk-vip', { prefixes: ['44'], accounts: [7] }),
    spec('acct9', { accounts: [9] }),
    spec('us-nyc', { prefixes: ['1212'] }),
    spec('us', { prefixes: ['1'], isDefault: true }),
    spec('idle'),
  ]);
  assert.equal(r.defaultCarrier, 'us');
  assert.equal(r.resolve(1, '+8613800000000'), 'cn');
  assert.equal(r.resolve(1, '+447700900123'), 'uk');
  assert.equal(r.resolve(7, '+447700900123'), 'uk-vip');
  assert.equal(r.resolve(9, '+447700900123'), 'acct9');
  assert.equal(r.resolve(9, '+8613800000000'), 'acct9');
  assert.equal(r.resolve(1, '+12125550123'), 'us-nyc');
  assert.equal(r.resolve(1, '+14155550123'), 'us');
  assert.equal(r.resolve(1, '+33612345678'), 'us', 'default');
  assert.deepEqual(r.claimFilter('idle'), { kind: 'none' });
  assert.deepEqual(r.claimFilter('sandbox'), { kind: 'none' }, 'a default carrier replaces the sandbox');
});

test('the SQL claim filter selects exactly the rows resolve() gives each carrier', async () => {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  try {
    await db.schema.createTable('messages').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('account_id', 'integer').addColumn('e164', 'text').execute();
    const numbers = ['+8613800000000', '+447700900123', '+12125550123', '+14155550123', '+33612345678', '+8525551234'];
    const rows = numbers.flatMap((e164, i) => [1, 7, 9].map((account_id, j) => ({ id: i * 10 + j, account_id, e164 })));
    await db.insertInto('messages').values(rows).execute();
    const configs = [
      [spec('cn', { prefixes: ['86'] }), spec('uk', { prefixes: ['44'] }), spec('uk-vip', { prefixes: ['44'], accounts: [7] }), spec('acct9', { accounts: [9] }), spec('us', { prefixes: ['1'], isDefault: true })],
      [spec('cn', { prefixes: ['86', '852'] }), spec('vip', { accounts: [7, 9] })],
      [spec('only', { isDefault: true })],
    ];
    for (const specs of configs) {
      const router = new Router(specs);
      const names = [...specs.map((s) => s.name), 'sandbox'];
      const seen = new Set<number>();
      for (const name of names) {
        const f = router.claimFilter(name);
        const where = f.kind === 'all' ? sql`1 = 1` : f.kind === 'none' ? sql`1 = 0` : f.where;
        const got = (await sql<{ id: number }>`select id from messages where ${where} order by id`.execute(db)).rows.map((r) => r.id);
        const want = rows.filter((r) => router.resolve(r.account_id, r.e164) === name).map((r) => r.id);
        assert.deepEqual(got, want, `${name} in ${specs.map((s) => s.name).join(',')}`);
        for (const id of got) {
          assert.ok(!seen.has(id), 'no row goes to two carriers');
          seen.add(id);
        }
      }
      assert.equal(seen.size, rows.length, 'every row goes to some carrier');
    }
  } finally {
    await db.destroy();
  }
});

test('route option parsing', () => {
  assert.deepEqual(parsePrefixes(' +86, 44,1415 '), ['86', '44', '1415']);
  assert.throws(() => parsePrefixes('86%'), /digits/);
  assert.deepEqual(parseAccounts('60000001,60000002'), [60000001, 60000002]);
  assert.throws(() => parseAccounts('abc'), /AccountId/);
});
