import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { routeLines } from '../cli/routes.ts';
import { auditPage } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { createAccount } from './accounts.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { parseCarrierChanges } from './carrier-input.ts';
import { addCarrier, listCarriers, updateCarrier } from './carriers.ts';
import { addRoute, listRoutes, removeRoute } from './routes.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const refused = (kind: OperatorError['kind'], message?: RegExp) => (e: unknown) =>
  e instanceof OperatorError && e.kind === kind && (!message || message.test(e.message));
const smsc = (Name: string, extra: Record<string, unknown> = {}) => ({ Name, Host: '127.0.0.1', Port: 2775, SystemId: 'usms', Password: 'secret1', ...extra });

testOnBothDatabases('routes: added with priority, weight and cost, listed most specific first, removed by id or by key', async (db) => {
  const op = as(db, CLI_ACTOR);
  await assert.rejects(listRoutes(as(db, { userId: 1, email: 'a@example.com', role: 'admin', accountId: 60000001 })), refused('forbidden'));
  const acme = await createAccount(op, { Name: 'acme' });
  await addCarrier(op, smsc('cn-a'));
  await addCarrier(op, smsc('cn-b'));

  const first = await addRoute(op, { Carrier: 'cn-a', Prefixes: '86,+852', Cost: '0.012' });
  assert.deepEqual([first.Added, first.Updated], [2, 0]);
  await addRoute(op, { Carrier: 'cn-b', Prefixes: ['86'], Priority: '1', Weight: 3 });
  await addRoute(op, { Carrier: 'cn-b', Default: true, AccountIds: String(acme.AccountId) });
  await addRoute(op, { Carrier: 'sandbox', Default: true });
  const again = await addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Weight: '2' });
  assert.deepEqual([again.Added, again.Updated], [0, 1]);

  const { Routes } = await listRoutes(op);
  assert.deepEqual(
    Routes.map(({ Id: _id, ...r }) => r),
    [
      { Prefix: '*', AccountId: acme.AccountId, Carrier: 'cn-b', Priority: 0, Weight: 1, Cost: null },
      { Prefix: '+852', AccountId: null, Carrier: 'cn-a', Priority: 0, Weight: 1, Cost: '0.012' },
      { Prefix: '+86', AccountId: null, Carrier: 'cn-a', Priority: 0, Weight: 2, Cost: '0.012' },
      { Prefix: '+86', AccountId: null, Carrier: 'cn-b', Priority: 1, Weight: 3, Cost: null },
      { Prefix: '*', AccountId: null, Carrier: 'sandbox', Priority: 0, Weight: 1, Cost: null },
    ],
    'an update keeps the terms not given (the cost of cn-a on +86)',
  );
  const ids = Routes.map((r) => r.Id);
  assert.deepEqual(routeLines(Routes), [
    `*, account ${acme.AccountId}: #${ids[0]} cn-b (priority 0, weight 1)`,
    `+852, every account: #${ids[1]} cn-a (priority 0, weight 1, cost 0.012)`,
    `+86, every account: #${ids[2]} cn-a (priority 0, weight 2, cost 0.012) > #${ids[3]} cn-b (priority 1, weight 3)`,
    `* (default), every account: #${ids[4]} sandbox (priority 0, weight 1)`,
  ]);
  assert.deepEqual((await listCarriers(op)).Routes, Routes, 'carrier list shows the same table');

  // Refusals name what is wrong.
  await assert.rejects(addRoute(op, { Carrier: 'nobody', Prefixes: '86' }), refused('bad-input', /unknown carrier "nobody"/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '8x6' }), refused('bad-input', /route prefix "8x6" must be 1 to 15 digits/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a' }), refused('bad-input', /give Prefixes .* or Default/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Default: true }), refused('bad-input', /not both/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Priority: '1001' }), refused('bad-input', /^Priority must be at most 1000$/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Priority: '1.5' }), refused('bad-input', /^Priority must be a whole number$/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Weight: '0' }), refused('bad-input', /^Weight must be at least 1$/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Cost: '0.0000001' }), refused('bad-input', /^Cost must be a decimal amount/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', Cost: '-1' }), refused('bad-input', /^Cost must not be negative/));
  await assert.rejects(addRoute(op, { Carrier: 'cn-a', Prefixes: '86', AccountIds: '99999999' }), refused('bad-input', /no account 99999999/));

  // Cost 'none' clears it.
  await addRoute(op, { Carrier: 'cn-a', Prefixes: '852', Cost: 'none' });
  assert.equal((await listRoutes(op)).Routes.find((r) => r.Prefix === '+852')!.Cost, null);

  assert.equal((await removeRoute(op, { Id: String(ids[3]) })).Removed, 1);
  await assert.rejects(removeRoute(op, { Id: ids[3] }), refused('not-found'));
  await assert.rejects(removeRoute(op, { Id: ids[0], Carrier: 'cn-b' }), refused('bad-input'));
  assert.equal((await removeRoute(op, { Carrier: 'cn-a', Prefixes: '86,852' })).Removed, 2);
  await assert.rejects(removeRoute(op, { Carrier: 'cn-b', Default: true }), refused('not-found'), 'cn-b is on the default route of one account only');
  const last = await removeRoute(op, { Carrier: 'cn-b', Default: true, AccountIds: acme.AccountId });
  assert.deepEqual(last.Routes.map((r) => r.Carrier), ['sandbox']);

  const actions = (await auditPage(db, { limit: 50 })).map((e) => e.Action).filter((a) => a.startsWith('route.'));
  assert.deepEqual(actions, ['route.remove', 'route.remove', 'route.remove', 'route.add', 'route.add', 'route.add', 'route.add', 'route.add', 'route.add']);
});

testOnBothDatabases('carriers: --priority, --weight and --cost go on their routes; two --default carriers share the default route', async (db) => {
  const op = as(db, CLI_ACTOR);
  await addCarrier(op, smsc('main', { Default: true, Priority: '1', Cost: '0.01' }));
  await addCarrier(op, smsc('backup', { Default: 'true', Priority: 2, Weight: '4' }));
  const table = (await listCarriers(op)).Routes.map((r) => `${r.Prefix} ${r.Carrier} ${r.Priority} ${r.Weight} ${r.Cost}`);
  assert.deepEqual(table, ['* main 1 1 0.01', '* backup 2 4 null']);
  assert.deepEqual((await listCarriers(op)).Carriers.map((c) => c.Default), [true, true]);

  const changed = await updateCarrier(op, 'backup', { Priority: '0', Cost: 'none' });
  assert.equal(changed.Rebind, false, 'route terms need no rebind');
  assert.deepEqual(changed.Routes.map((r) => `${r.Carrier} ${r.Priority}`), ['backup 0', 'main 1']);
  await assert.rejects(addCarrier(op, smsc('x', { Weight: '1001' })), refused('bad-input', /^Weight must be at most 1000$/));
  assert.deepEqual(parseCarrierChanges({ Priority: '3', Weight: '2', Cost: '0.045' }), { priority: 3, weight: 2, cost: 45_000 });
  assert.deepEqual(parseCarrierChanges({ Cost: null }), { cost: null });
});
