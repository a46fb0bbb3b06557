import type { Kysely } from 'kysely';

/**
 * A carrier's bind limit holds across nodes: each bind is a slot leased here by the node that holds it
 * (renewed while bound, taken over when it expires).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('carriers').addColumn('max_binds', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema
    .createTable('carrier_binds')
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('carrier_binds_pk', ['carrier', 'slot'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('carrier_binds').execute();
  await db.schema.alterTable('carriers').dropColumn('max_binds').execute();
}
