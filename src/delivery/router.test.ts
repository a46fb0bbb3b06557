import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DummyDriver, Kysely, sql, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type RawBuilder } from 'kysely';
import { testOnBothDatabases } from '../../test/databases.ts';
import type { Db } from '../store/db.ts';
import { claimDue } from '../store/messages.ts';
import { writeSessions } from '../store/sessions.ts';
import { Router, SANDBOX, type RouteEntry } from './router.ts';

const entry = (carrier: string, o: Partial<RouteEntry> = {}): RouteEntry => ({ prefix: '', accountId: null, carrier, priority: 0, weight: 1, cost: null, ...o });
const msg = (o: { id?: number; accountId?: number; e164?: string; avoidCarrier?: string | null } = {}) => ({
  id: 1, accountId: 1, e164: '+8613800000000', avoidCarrier: null, ...o,
});
const up = (...names: string[]) => new Set(names);

test('carriers of a route are taken by priority; the next takes over when the first is unavailable', () => {
  const r = new Router([entry('backup', { prefix: '86', priority: 5 }), entry('main', { prefix: '86', priority: 1 })]);
  assert.equal(r.resolve(msg(), up('main', 'backup')), 'main');
  assert.equal(r.resolve(msg(), up('backup')), 'backup');
  assert.equal(r.resolve(msg(), up()), undefined, 'no carrier of its route available: it waits');
  assert.deepEqual(r.candidates(1, '+8613800000000'), ['main', 'backup']);
});

test('avoid_carrier moves a message to the next carrier, unless it is the only one available', () => {
  const r = new Router([entry('main', { prefix: '86' }), entry('backup', { prefix: '86', priority: 1 })]);
  assert.equal(r.resolve(msg({ avoidCarrier: 'main' }), up('main', 'backup')), 'backup');
  assert.equal(r.resolve(msg({ avoidCarrier: 'main' }), up('main')), 'main');
  assert.equal(r.resolve(msg({ avoidCarrier: 'backup' }), up('main', 'backup')), 'main');
  assert.equal(r.resolve(msg({ avoidCarrier: 'elsewhere' }), up('main', 'backup')), 'main');
});

test('least cost first among equal priorities; an unknown cost after every known one', () => {
  const r = new Router([
    entry('unknown', { prefix: '44' }),
    entry('dear', { prefix: '44', cost: 30_000 }),
    entry('cheap', { prefix: '44', cost: 12_000 }),
    entry('slow', { prefix: '44', priority: 1, cost: 1 }),
  ]);
  const uk = msg({ e164: '+447700900123' });
  assert.deepEqual(r.candidates(1, uk.e164), ['cheap', 'dear', 'unknown', 'slow']);
  assert.equal(r.resolve(uk, up('cheap', 'dear', 'unknown', 'slow')), 'cheap');
  assert.equal(r.resolve(uk, up('dear', 'unknown', 'slow')), 'dear');
  assert.equal(r.resolve(uk, up('unknown', 'slow')), 'unknown');
  assert.equal(r.resolve(uk, up('slow')), 'slow');
});

test('carriers equal in priority and cost share by weight, exactly over consecutive ids', () => {
  const r = new Router([entry('a', { weight: 1 }), entry('b', { weight: 3 }), entry('c', { priority: 1, weight: 100 })]);
  const count = new Map<string, number>();
  for (let id = 1; id <= 400; id++) {
    const c = r.resolve(msg({ id }), up('a', 'b', 'c'))!;
    count.set(c, (count.get(c) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(count), { a: 100, b: 300 });
  assert.equal(r.resolve(msg({ id: 4 }), up('a', 'b', 'c')), r.resolve(msg({ id: 4 }), up('a', 'b', 'c')), 'the same id, the same carrier');
  const bOnly = new Set(Array.from({ length: 40 }, (_, i) => r.resolve(msg({ id: i, avoidCarrier: 'a' }), up('a', 'b', 'c'))));
  assert.deepEqual([...bOnly], ['b'], 'avoiding one of the group leaves the rest of the group');
});

test('the most specific route: account routes before prefix routes, then the longest prefix, then the default route', () => {
  const r = new Router([
    entry('default'),
    entry('cn', { prefix: '86' }),
    entry('cn-mobile', { prefix: '8613' }),
    entry('vip', { accountId: 7 }),
    entry('vip-uk', { prefix: '44', accountId: 7 }),
    entry('uk', { prefix: '44' }),
  ]);
  const all = up('default', 'cn', 'cn-mobile', 'vip', 'vip-uk', 'uk');
  assert.equal(r.resolve(msg({ e164: '+8613800000000' }), all), 'cn-mobile');
  assert.equal(r.resolve(msg({ e164: '+8615000000000' }), all), 'cn');
  assert.equal(r.resolve(msg({ e164: '+447700900123' }), all), 'uk');
  assert.equal(r.resolve(msg({ e164: '+447700900123', accountId: 7 }), all), 'vip-uk');
  assert.equal(r.resolve(msg({ e164: '+8613800000000', accountId: 7 }), all), 'vip', 'an account route beats a longer open prefix');
  assert.equal(r.resolve(msg({ e164: '+33612345678' }), all), 'default');
  assert.equal(r.resolve(msg({ e164: '+8613800000000' }), up('cn', 'default')), undefined, 'no falling through to a less specific route');
  assert.deepEqual(r.describe().map((d) => [d.Prefix, d.Account]), [['+44', 7], ['*', 7], ['+8613', null], ['+86', null], ['+44', null], ['*', null]]);
});

test('no route matching: the sandbox; a carrier in no route takes nothing', () => {
  const r = new Router([entry('cn', { prefix: '86' })]);
  assert.equal(r.resolve(msg({ e164: '+33612345678' }), up('cn')), SANDBOX);
  assert.equal(r.resolve(msg({ e164: '+33612345678' }), up()), SANDBOX, 'the sandbox is always available');
  assert.deepEqual(r.candidates(1, '+33612345678'), [SANDBOX]);
  assert.deepEqual(r.claimFilter('idle', up('cn', 'idle')), { kind: 'none' });
  assert.deepEqual(r.carriers(), ['cn']);

  const empty = new Router([]);
  assert.equal(empty.resolve(msg(), up()), SANDBOX);
  assert.deepEqual(empty.claimFilter(SANDBOX, up()), { kind: 'all' });
  assert.deepEqual(empty.claimFilter('cn', up('cn')), { kind: 'none' });
  assert.deepEqual(new Router([entry('cn', { prefix: '86' })]).claimFilter('cn', up()), { kind: 'none' }, 'an unavailable carrier takes nothing');
});

// ---- claimFilter agrees with resolve, on a real database ------------------------------------------

const PHONES = ['+8613800000000', '+8615000000000', '+8613912345678', '+447700900123', '+12125550100', '+33612345678', '+8613812345678'];
const ACCOUNTS = [1, 7, 9];
const AVOIDS = [null, null, null, 'cn-cheap', 'cn-half', 'uk1', 'a', 'b', 'vip2', SANDBOX, 'gone', 'cn-mobile'];

const FULL: RouteEntry[] = [
  entry('a'), entry('b', { weight: 2 }), entry('c', { priority: 1 }),
  entry('cn-dear', { prefix: '86', cost: 10 }), entry('cn-cheap', { prefix: '86', cost: 5 }), entry('cn-half', { prefix: '86', cost: 5, weight: 2 }),
  entry('cn-unknown', { prefix: '86', weight: 3 }),
  entry('cn-mobile', { prefix: '8613' }), entry('cn-cheap', { prefix: '8613', priority: 2 }),
  entry('uk1', { prefix: '44' }), entry('uk2', { prefix: '44' }), entry('uk3', { prefix: '44', priority: 2 }),
  entry('vip1', { accountId: 7 }),
  entry('vip2', { prefix: '44', accountId: 7 }), entry('uk1', { prefix: '44', accountId: 7, priority: 1 }),
  entry('cn-unknown', { prefix: '86', accountId: 9 }),
  entry(SANDBOX, { prefix: '1' }), entry('us1', { prefix: '1', priority: 1 }),
];
// Without a default route: what no route matches goes to the sandbox.
const NO_DEFAULT = FULL.filter((e) => e.prefix !== '' || e.accountId !== null);

function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

async function seedMessages(db: Db, n: number) {
  const rnd = lcg(42);
  const sessions = ACCOUNTS.map((accountId) => ({ sessionNo: `S${accountId}`, accountId, action: 'SendBatchUSMSMessage', reqUuid: `r${accountId}`, messages: [] as never[] }));
  for (let i = 0; i < n; i++) {
    const e164 = PHONES[Math.floor(rnd() * PHONES.length)]!;
    const s = sessions[Math.floor(rnd() * sessions.length)]!;
    (s.messages as unknown[]).push({
      phone: e164, e164, region: 'CN', templateId: 'UTA1', sender: 's', content: `m${i}`, encoding: 'GSM7', segments: 1, userId: '', extendCode: '',
    });
  }
  await writeSessions(db, sessions);
  const ids = (await db.selectFrom('messages').select('id').execute()).map((r) => Number(r.id));
  for (const id of ids) {
    const avoid = AVOIDS[Math.floor(rnd() * AVOIDS.length)]!;
    if (avoid !== null) await db.updateTable('messages').set({ avoid_carrier: avoid }).where('id', '=', id).execute();
  }
  const rows = await db.selectFrom('messages').select(['id', 'account_id', 'e164', 'avoid_carrier']).execute();
  return rows.map((r) => ({ id: Number(r.id), accountId: Number(r.account_id), e164: r.e164, avoidCarrier: r.avoid_carrier }));
}

async function selected(db: Db, router: Router, carrier: string, available: ReadonlySet<string>, all: number[]): Promise<number[]> {
  const f = router.claimFilter(carrier, available);
  if (f.kind === 'all') return all;
  if (f.kind === 'none') return [];
  const res = await sql<{ id: number }>`select id from messages where ${f.where}`.execute(db);
  return res.rows.map((r) => Number(r.id));
}

testOnBothDatabases('claimFilter selects exactly the messages resolve gives each carrier, for any availability', async (db) => {
  const messages = await seedMessages(db, 360);
  const ids = messages.map((m) => m.id);
  const names = [...new Set(FULL.map((e) => e.carrier))];
  const rnd = lcg(7);
  const sets: Array<ReadonlySet<string>> = [
    new Set(names), new Set(), up('cn-unknown'), up('cn-half', 'uk2', 'b', 'c'), up('cn-cheap', 'cn-half', 'cn-dear', 'uk1', 'uk2', 'a', 'b', 'vip2'),
    up('a', 'cn-mobile', 'us1', 'vip1'),
    ...Array.from({ length: 6 }, () => new Set(names.filter(() => rnd() < 0.5))),
  ];
  for (const [label, router] of [['with a default route', new Router(FULL)], ['without', new Router(NO_DEFAULT)]] as const) {
    const carriers = [...new Set([...router.carriers(), SANDBOX, 'idle'])];
    for (const available of sets) {
      const takers = new Map<number, string[]>();
      for (const carrier of carriers) {
        for (const id of await selected(db, router, carrier, available, ids)) takers.set(id, [...(takers.get(id) ?? []), carrier]);
      }
      for (const m of messages) {
        const want = router.resolve(m, available);
        assert.deepEqual(takers.get(m.id) ?? [], want === undefined ? [] : [want], `${label}, available ${[...available].join(',') || '(none)'}: message ${JSON.stringify(m)}`);
      }
    }
  }

  // The filter inside the real claim: every carrier claims its own messages and no others.
  const router = new Router(FULL);
  const available = up('cn-cheap', 'cn-half', 'uk1', 'uk3', 'a', 'b', 'vip2', 'us1');
  for (const carrier of [...router.carriers(), SANDBOX]) {
    const f = router.claimFilter(carrier, available);
    if (f.kind === 'none') continue;
    const claimed = await claimDue(db, carrier, 1000, 30_000, carrier, f.kind === 'where' ? f.where : undefined);
    for (const c of claimed) assert.equal(router.resolve(messages.find((m) => m.id === Number(c.id))!, available), carrier);
  }
  const waiting = messages.filter((m) => router.resolve(m, available) === undefined).length;
  const left = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').executeTakeFirstOrThrow();
  assert.equal(Number(left.n), waiting, 'what nobody claimed is what waits');
});

test('the claim condition stays small: a branch per route that matters, and a few parameters each', () => {
  const compiler = new Kysely<unknown>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const entries: RouteEntry[] = [entry('default')];
  for (let p = 200; p < 700; p++) entries.push(entry(`c${p % 7}`, { prefix: String(p) }), entry(`c${(p + 1) % 7}`, { prefix: String(p), priority: 1 }));
  const router = new Router(entries);
  const available = new Set(router.carriers());
  const size = (carrier: string) => {
    const f = router.claimFilter(carrier, available);
    assert.equal(f.kind, 'where');
    const q = (f as { where: RawBuilder<unknown> }).where.compile(compiler);
    return { branches: q.sql.split(' when ').length - 1, parameters: q.parameters.length, chars: q.sql.length };
  };
  // c3 is on the routes of 142 prefixes (first or second); the other routes cannot hold its messages, so they
  // are left out. Each of its routes is one branch (its prefix) holding one on avoid_carrier (its name).
  const own = entries.filter((e) => e.carrier === 'c3').length;
  assert.equal(own, 142);
  const c3 = size('c3');
  assert.equal(c3.branches, 2 * own);
  assert.equal(c3.parameters, 2 * own);
  const fallback = size('default');
  assert.equal(fallback.branches, 501, 'the default route comes after every prefix route');
  assert.ok(fallback.chars < 40_000, `${fallback.chars} characters`);
  assert.deepEqual(router.claimFilter(SANDBOX, available), { kind: 'none' }, 'with a default route, nothing is left for the sandbox');
});
