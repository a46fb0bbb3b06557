import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testOnBothDatabases } from '../../test/databases.ts';
import { SecretBox } from '../auth/secrets.ts';
import { auditPage } from '../store/audit.ts';
import { loadCarriers } from '../store/carriers.ts';
import type { Db } from '../store/db.ts';
import { CLI_ACTOR, OperatorError, type Actor } from './actor.ts';
import { addCarrier, carrierStatus, listCarriers, removeCarrier, updateCarrier } from './carriers.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const as = (db: Db, actor: Actor) => ({ db, box, actor });
const refused = (kind: OperatorError['kind']) => (e: unknown) => e instanceof OperatorError && e.kind === kind;
const SMSC = { Name: 'smsc1', Host: '127.0.0.1', Port: 2775, SystemId: 'usms', Password: 'secret1' };

testOnBothDatabases('carriers: added, listed with live status, changed and removed by operators; the password is never shown', async (db) => {
  const op = as(db, CLI_ACTOR);
  const customer = as(db, { userId: 1, email: 'a@example.com', role: 'admin', accountId: 60000001 });
  await assert.rejects(addCarrier(customer, SMSC), refused('forbidden'));
  await assert.rejects(listCarriers(customer), refused('forbidden'));

  const unrouted = await addCarrier(op, SMSC);
  assert.equal(unrouted.Routed, false);
  assert.match(unrouted.Warning!, /takes no messages/);
  await assert.rejects(addCarrier(op, SMSC), refused('conflict'));
  await assert.rejects(addCarrier(op, { ...SMSC, Name: 'smsc2', Port: 70000 }), refused('bad-input'));
  await assert.rejects(addCarrier(op, { ...SMSC, Name: 'smsc2', Password: undefined }), (e: unknown) => refused('bad-input')(e) && /^Password is required/.test((e as Error).message));
  await assert.rejects(addCarrier(op, { ...SMSC, Name: 'smsc2', RoutePrefixes: 'x1' }), refused('bad-input'));

  const routed = await addCarrier(op, { ...SMSC, Name: 'smsc2', RoutePrefixes: ['86', '+44'], Window: '10', IdFormat: 'hex,decimal' });
  assert.equal(routed.Routed, true);
  assert.deepEqual(routed.Routes.filter((r) => r.Carrier === 'smsc2').map((r) => r.Prefix), ['+86', '+44']);

  const listed = await listCarriers(op);
  const two = listed.Carriers.find((c) => c.Name === 'smsc2')!;
  assert.deepEqual([two.Window, two.Prefetch, two.IdFormat, two.RoutePrefixes], [10, 10, 'hex,decimal', ['86', '44']]);
  assert.match(String(two.Status?.State), /not running/);
  assert.ok(!JSON.stringify(listed).includes('secret1'), 'no password in the list');

  const updated = await updateCarrier(op, 'smsc2', { Password: 'secret2', Default: true });
  assert.equal(updated.Rebind, true, 'a new password rebinds');
  assert.equal((await loadCarriers(db, box)).find((c) => c.name === 'smsc2')!.password, 'secret2');
  assert.equal((await updateCarrier(op, 'smsc2', { RouteAccounts: '' })).Rebind, false, 'routes need no rebind');
  await assert.rejects(updateCarrier(op, 'smsc2', { Window: 0 }), refused('bad-input'));
  await assert.rejects(updateCarrier(op, 'nope', { Window: 5 }), refused('not-found'));
  assert.equal((await updateCarrier(op, 'smsc2', {})).Rebind, false, 'nothing given: nothing changes');

  assert.deepEqual((await carrierStatus(op, { Name: 'smsc1' })).Carriers.map((c) => c.Name), ['smsc1']);
  assert.deepEqual((await removeCarrier(op, 'smsc1')).Removed, 'smsc1');
  await assert.rejects(removeCarrier(op, 'smsc1'), refused('not-found'));

  const entries = await auditPage(db, { limit: 20 });
  assert.deepEqual(entries.map((e) => e.Action), ['carrier.remove', 'carrier.update', 'carrier.update', 'carrier.add', 'carrier.add']);
  assert.deepEqual(entries[2]!.Detail, { Changed: ['Password', 'Default'], Rebind: true });
  assert.ok(!JSON.stringify(entries).includes('secret'), 'no password in the audit log');
});
