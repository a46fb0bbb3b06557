import type { Db } from './db.ts';

/**
 * Bind slots: a carrier with `maxBinds` allows that many binds in the whole cluster. A node binds only
 * while it holds a slot lease; it renews the lease while bound and stops the bind if renewal fails.
 * A dead node's slot is free again when its lease expires.
 */
export async function acquireBindSlot(db: Db, carrier: string, maxBinds: number, owner: string, ttlMs: number): Promise<number | undefined> {
  const now = Date.now();
  for (let slot = 0; slot < maxBinds; slot++) {
    const row = await db
      .insertInto('carrier_binds')
      .values({ carrier, slot, owner, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc.columns(['carrier', 'slot']).doUpdateSet({ owner, expires_at: now + ttlMs }).where((eb) =>
          eb.or([eb('carrier_binds.expires_at', '<', now), eb('carrier_binds.owner', '=', owner)]),
        ),
      )
      .returning('slot')
      .executeTakeFirst();
    if (row) return slot;
  }
  return undefined;
}

/** Extends our lease on a slot; false when it expired and another node took it. */
export async function renewBindSlot(db: Db, carrier: string, slot: number, owner: string, ttlMs: number): Promise<boolean> {
  const res = await db
    .updateTable('carrier_binds')
    .set({ expires_at: Date.now() + ttlMs })
    .where('carrier', '=', carrier)
    .where('slot', '=', slot)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function releaseBindSlot(db: Db, carrier: string, slot: number, owner: string): Promise<void> {
  await db.deleteFrom('carrier_binds').where('carrier', '=', carrier).where('slot', '=', slot).where('owner', '=', owner).execute();
}

/** Slots with a live lease, per carrier. */
export async function heldBindSlots(db: Db): Promise<Array<{ carrier: string; slot: number; owner: string; expiresAt: number }>> {
  const rows = await db.selectFrom('carrier_binds').selectAll().where('expires_at', '>=', Date.now()).orderBy('carrier').orderBy('slot').execute();
  return rows.map((r) => ({ carrier: r.carrier, slot: Number(r.slot), owner: r.owner, expiresAt: Number(r.expires_at) }));
}
