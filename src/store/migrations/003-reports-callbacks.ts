import type { Kysely } from 'kysely';
import { withAutoId } from '../dialect.ts';

/**
 * Delivery reports for PullUSMSReport, per-account callback URLs, and the outbox of pushes to them
 * (receipts MsgType 2, inbound replies MsgType 0); an index for the send statistics.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db.schema.createTable('reports'), db)
    .addColumn('account_id', 'integer', (c) => c.notNull())
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('session_no', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('receipt_code', 'text', (c) => c.notNull())
    .addColumn('receipt_desc', 'text', (c) => c.notNull())
    .addColumn('receipt_at', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // Pull takes the oldest of one account; the pruner deletes by age.
  await db.schema.createIndex('reports_account').on('reports').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('reports_created').on('reports').column('created_at').execute();

  await db.schema
    .createTable('account_callbacks')
    .addColumn('account_id', 'integer', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withAutoId(db.schema.createTable('callback_items'), db)
    .addColumn('account_id', 'integer', (c) => c.notNull())
    .addColumn('msg_type', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('last_error', 'text')
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('callback_items_due').on('callback_items').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('callback_items_account').on('callback_items').columns(['account_id', 'status', 'id']).execute();

  // Statistics read one account's messages by creation time.
  await db.schema.createIndex('messages_account_created').on('messages').columns(['account_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_account_created').execute();
  for (const t of ['callback_items', 'account_callbacks', 'reports']) await db.schema.dropTable(t).execute();
}
