import type { Kysely } from 'kysely';

/**
 * Parts of concatenated inbound (MO) messages until the last one arrives. The SMSC gets its
 * deliver_sm_resp for each part, so a part must be stored before that answer: held in memory, an
 * incomplete message was lost on restart, and parts that reached two nodes were never joined.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_parts')
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('ref', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('source_ton', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_parts_pk', ['carrier', 'source', 'destination', 'ref', 'total', 'seq'])
    .execute();
  await db.schema.createIndex('inbound_parts_received').on('inbound_parts').columns(['carrier', 'received_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_parts').execute();
}
