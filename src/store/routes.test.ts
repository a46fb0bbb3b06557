import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { Router } from '../delivery/router.ts';
import { addCarrier, CARRIER_DEFAULTS, loadCarriers, removeCarrier, updateCarrier, type NewCarrier } from './carriers.ts';
import type { Db } from './db.ts';
import { addRoute, listRoutes, removeRoute, removeRoutesOf, replaceCarrierRoutes } from './routes.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const carrier = (name: string, extra: Partial<NewCarrier> = {}): NewCarrier => ({
  ...CARRIER_DEFAULTS, name, host: '127.0.0.1', port: 2775, systemId: 'u', password: 'secret1',
  prefixes: [], accounts: [], isDefault: false, moAccount: null, ...extra,
});
/** Each row as "prefix/account carrier priority weight cost", in table order. */
const rows = async (db: Db) =>
  (await listRoutes(db)).map((r) => `${r.prefix || '*'}/${r.accountId ?? '*'} ${r.carrier} p${r.priority} w${r.weight} c${r.cost ?? '-'}`);

testOnBothDatabases('route rows: added, changed in place, removed by id or by key', async (db) => {
  await addCarrier(db, box, carrier('a'));
  await addCarrier(db, box, carrier('b'));
  const first = await addRoute(db, { prefix: '86', accountId: null, carrier: 'a', priority: 0, weight: 1, cost: 12_000 });
  assert.equal(first.added, true);
  await addRoute(db, { prefix: '86', accountId: 7, carrier: 'a', priority: 0, weight: 1, cost: null });
  await addRoute(db, { prefix: '86', accountId: null, carrier: 'b', priority: 1, weight: 1, cost: null });
  const again = await addRoute(db, { prefix: '86', accountId: null, carrier: 'a', priority: 2, weight: 5, cost: 10_000 });
  assert.deepEqual(again, { id: first.id, added: false }, 'the same carrier on the same route: changed, not added');
  await addRoute(db, { prefix: '', accountId: null, carrier: 'sandbox', priority: 0, weight: 1, cost: null });
  assert.deepEqual(await rows(db), ['86/* a p2 w5 c10000', '86/7 a p0 w1 c-', '86/* b p1 w1 c-', '*/* sandbox p0 w1 c-']);

  await assert.rejects(addRoute(db, { prefix: '86', accountId: null, carrier: 'nobody', priority: 0, weight: 1, cost: null }), /unknown carrier nobody/);
  await assert.rejects(addRoute(db, { prefix: '8a', accountId: null, carrier: 'a', priority: 0, weight: 1, cost: null }), /prefix/);
  await assert.rejects(addRoute(db, { prefix: '86', accountId: null, carrier: 'a', priority: 1001, weight: 1, cost: null }), /priority/);
  await assert.rejects(addRoute(db, { prefix: '86', accountId: null, carrier: 'a', priority: 0, weight: 0, cost: null }), /weight/);
  await assert.rejects(addRoute(db, { prefix: '86', accountId: null, carrier: 'a', priority: 0, weight: 1, cost: -1 }), /cost/);

  assert.equal(await removeRoute(db, { prefix: '86', accountId: null, carrier: 'b' }), 1);
  assert.equal(await removeRoute(db, { prefix: '86', accountId: 8, carrier: 'a' }), 0, 'another account: no such row');
  assert.equal(await removeRoute(db, { id: first.id }), 1);
  assert.equal(await removeRoute(db, { id: first.id }), 0);
  assert.deepEqual(await rows(db), ['86/7 a p0 w1 c-', '*/* sandbox p0 w1 c-'], 'NULL and 7 are different accounts');

  await replaceCarrierRoutes(db, 'a', [
    { prefix: '44', accountId: null, priority: 3, weight: 2, cost: null },
    { prefix: '44', accountId: null, priority: 3, weight: 2, cost: null },
  ]);
  assert.deepEqual(await rows(db), ['*/* sandbox p0 w1 c-', '44/* a p3 w2 c-'], 'replaced; a repeated pair written once');
  assert.equal(await removeRoutesOf(db, 'a'), 1);
  assert.deepEqual(await rows(db), ['*/* sandbox p0 w1 c-']);
});

testOnBothDatabases('carriers write their routes: both --default share the default route, the lower priority first', async (db) => {
  await addCarrier(db, box, carrier('main', { isDefault: true, priority: 1 }));
  await addCarrier(db, box, carrier('backup', { isDefault: true, priority: 5, cost: 8_000 }));
  await addCarrier(db, box, carrier('cn', { prefixes: ['86', '852'], accounts: [7, 9], weight: 3 }));
  await addCarrier(db, box, carrier('vip', { accounts: [7] }));
  assert.deepEqual(await rows(db), [
    '*/* main p1 w1 c-', '*/* backup p5 w1 c8000',
    '86/7 cn p0 w3 c-', '86/9 cn p0 w3 c-', '852/7 cn p0 w3 c-', '852/9 cn p0 w3 c-',
    '*/7 vip p0 w1 c-',
  ]);
  assert.deepEqual((await loadCarriers(db, box)).filter((c) => c.isDefault).map((c) => c.name).sort(), ['backup', 'main'], 'nobody lost the default');

  const message = { id: 1, accountId: 1, e164: '+33612345678', avoidCarrier: null };
  const router = new Router(await listRoutes(db));
  assert.equal(router.resolve(message, new Set(['main', 'backup'])), 'main');
  assert.equal(router.resolve(message, new Set(['backup'])), 'backup', 'the other takes over when the first is down');

  // Only the terms: changed in place on every route of the carrier, no rebind.
  assert.deepEqual(await updateCarrier(db, box, 'backup', { priority: 0, cost: null }), { reconnect: false });
  assert.deepEqual((await rows(db)).filter((r) => r.includes('backup')), ['*/* backup p0 w1 c-']);

  // A route the operator added by hand stays while the carrier's own routes are unchanged...
  await addRoute(db, { prefix: '44', accountId: null, carrier: 'cn', priority: 2, weight: 1, cost: null });
  await updateCarrier(db, box, 'cn', { prefixes: ['86', '852'], window: 10 });
  assert.ok((await rows(db)).includes('44/* cn p2 w1 c-'));
  // ...and its routes are written again from its settings when they change, keeping its terms.
  assert.deepEqual(await updateCarrier(db, box, 'cn', { prefixes: ['86'], accounts: [] }), { reconnect: false });
  assert.deepEqual((await rows(db)).filter((r) => r.includes(' cn ')), ['86/* cn p0 w3 c-']);
  await updateCarrier(db, box, 'main', { isDefault: false, prefixes: ['44'] });
  assert.deepEqual((await rows(db)).filter((r) => r.includes('main')), ['44/* main p1 w1 c-']);
  await assert.rejects(updateCarrier(db, box, 'main', { weight: 0 }), /weight/);

  assert.equal(await removeCarrier(db, 'cn'), true);
  assert.deepEqual((await rows(db)).filter((r) => r.includes(' cn ')), [], 'a removed carrier leaves no route');
});
