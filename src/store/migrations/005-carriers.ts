import type { Kysely } from 'kysely';
import { withAutoId } from '../dialect.ts';

/**
 * SMPP carriers (connector settings and routes), their live status written by the delivery thread,
 * the parts of each message a carrier accepted (one carrier id and one receipt per part), and
 * inbound (MO) messages.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('carriers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('tls', 'integer', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('password_sealed', 'text', (c) => c.notNull())
    .addColumn('system_type', 'text', (c) => c.notNull())
    .addColumn('bind_type', 'text', (c) => c.notNull())
    .addColumn('window_size', 'integer', (c) => c.notNull())
    .addColumn('throughput', 'integer', (c) => c.notNull())
    .addColumn('gsm_packing', 'integer', (c) => c.notNull())
    .addColumn('latin1', 'integer', (c) => c.notNull())
    .addColumn('split_method', 'text', (c) => c.notNull())
    .addColumn('id_format', 'text', (c) => c.notNull())
    .addColumn('delivery_policy', 'text', (c) => c.notNull())
    .addColumn('route_prefixes', 'text', (c) => c.notNull())
    .addColumn('route_accounts', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('source_addr', 'text', (c) => c.notNull())
    .addColumn('service_type', 'text', (c) => c.notNull())
    .addColumn('response_timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('enquire_link_ms', 'integer', (c) => c.notNull())
    .addColumn('mo_account', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('carrier_status')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('binds', 'text', (c) => c.notNull())
    .addColumn('window_used', 'integer', (c) => c.notNull())
    .addColumn('window_size', 'integer', (c) => c.notNull())
    .addColumn('queued', 'integer', (c) => c.notNull())
    .addColumn('rate_limit', 'integer', (c) => c.notNull())
    .addColumn('sent_per_second', 'integer', (c) => c.notNull())
    .addColumn('submitted', 'bigint', (c) => c.notNull())
    .addColumn('accepted', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'bigint', (c) => c.notNull())
    .addColumn('unknown', 'bigint', (c) => c.notNull())
    .addColumn('throttled', 'bigint', (c) => c.notNull())
    .addColumn('receipts', 'bigint', (c) => c.notNull())
    .addColumn('inbound', 'bigint', (c) => c.notNull())
    .addColumn('reconnects', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('message_parts')
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('part_no', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('carrier_msg_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'integer', (c) => c.notNull())
    .addColumn('e164', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('receipt_code', 'text')
    .addColumn('receipt_desc', 'text')
    .addColumn('receipt_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_parts_pk', ['message_id', 'part_no'])
    .execute();
  // Receipts are matched on the carrier's id; replies (MO) find the last message to a number.
  await db.schema.createIndex('message_parts_carrier_id').on('message_parts').columns(['carrier', 'carrier_msg_id']).execute();
  await db.schema.createIndex('message_parts_e164').on('message_parts').columns(['e164', 'message_id']).execute();

  await withAutoId(db.schema.createTable('inbound_messages'), db)
    .addColumn('account_id', 'integer')
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('to_addr', 'text', (c) => c.notNull())
    .addColumn('extend_code', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('message_id', 'bigint')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_messages_account').on('inbound_messages').columns(['account_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['inbound_messages', 'message_parts', 'carrier_status', 'carriers']) await db.schema.dropTable(t).execute();
}
