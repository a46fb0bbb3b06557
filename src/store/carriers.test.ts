import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../auth/secrets.ts';
import { testOnBothDatabases } from '../../test/databases.ts';
import { addCarrier, CARRIER_DEFAULTS, loadCarriers, updateCarrier, type NewCarrier } from './carriers.ts';

const box = SecretBox.fromKey(randomBytes(32).toString('base64'));
const carrier = (name: string, extra: Partial<NewCarrier> = {}): NewCarrier => ({
  ...CARRIER_DEFAULTS, name, host: '127.0.0.1', port: 2775, systemId: 'u', password: 'secret1',
  prefixes: ['86'], accounts: [], isDefault: false, moAccount: null, ...extra,
});

testOnBothDatabases('carrier update changes what is given, keeps the rest, and bumps the version only for connection settings', async (db) => {
  await addCarrier(db, box, carrier('a', { isDefault: true }));
  await addCarrier(db, box, carrier('b'));
  const before = (await loadCarriers(db, box)).find((c) => c.name === 'b')!;

  assert.deepEqual(await updateCarrier(db, box, 'b', { prefixes: ['44'], isDefault: true }), { reconnect: false });
  let [a, b] = await loadCarriers(db, box);
  assert.deepEqual(b!.prefixes, ['44']);
  assert.equal(b!.isDefault, true);
  assert.equal(a!.isDefault, true, 'both default carriers keep the default route');
  assert.equal(b!.updatedAt, before.updatedAt, 'routes need no rebind');

  assert.deepEqual(await updateCarrier(db, box, 'b', { window: 50, password: 'secret2', prefixes: undefined }), { reconnect: true });
  [, b] = await loadCarriers(db, box);
  assert.equal(b!.window, 50);
  assert.equal(b!.password, 'secret2');
  assert.deepEqual(b!.prefixes, ['44'], 'an undefined change keeps the value');
  assert.equal(b!.throughput, before.throughput);
  assert.ok(b!.updatedAt > before.updatedAt);

  assert.equal(await updateCarrier(db, box, 'missing', { window: 5 }), undefined);
  await assert.rejects(updateCarrier(db, box, 'b', { window: 0 }), /window/);
  assert.equal((await loadCarriers(db, box))[1]!.window, 50, 'a refused update changes nothing');

  assert.deepEqual(await updateCarrier(db, box, 'b', { prefetch: 0 }), { reconnect: true });
  assert.equal((await loadCarriers(db, box))[1]!.prefetch, 0);
  await assert.rejects(updateCarrier(db, box, 'b', { prefetch: 1001 }), /prefetch must be 0\.\.1000/);
  await assert.rejects(updateCarrier(db, box, 'b', { prefetch: 1.5 }), /prefetch/);
});
