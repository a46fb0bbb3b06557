import assert from 'node:assert/strict';
import { acquireBindSlot, heldBindSlots, releaseBindSlot, renewBindSlot } from './carrier-binds.ts';
import type { Db } from './db.ts';
import { testOnBothDatabases } from '../../test/databases.ts';

async function exercise(db: Db) {
  assert.equal(await acquireBindSlot(db, 'c', 2, 'n1', 10_000), 0);
  assert.equal(await acquireBindSlot(db, 'c', 2, 'n2', 10_000), 1);
  assert.equal(await acquireBindSlot(db, 'c', 2, 'n3', 10_000), undefined, 'the limit holds');
  assert.equal(await acquireBindSlot(db, 'c', 2, 'n1', 10_000), 0, 'a holder gets its own slot back');
  assert.equal(await acquireBindSlot(db, 'other', 1, 'n3', 10_000), 0, 'limits are per carrier');
  // n2 dies: its lease runs out, and n3 takes the slot over; n2 cannot renew it any more
  await db.updateTable('carrier_binds').set({ expires_at: Date.now() - 1 }).where('owner', '=', 'n2').execute();
  assert.equal(await acquireBindSlot(db, 'c', 2, 'n3', 10_000), 1);
  assert.equal(await renewBindSlot(db, 'c', 1, 'n2', 10_000), false);
  assert.equal(await renewBindSlot(db, 'c', 1, 'n3', 10_000), true);
  await releaseBindSlot(db, 'c', 0, 'n1');
  assert.deepEqual((await heldBindSlots(db)).map((s) => `${s.carrier}/${s.slot}/${s.owner}`), ['c/1/n3', 'other/0/n3']);
}

testOnBothDatabases('bind slots: the limit holds, expired leases are taken over', exercise);
