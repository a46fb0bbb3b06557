import { sql, type Kysely } from 'kysely';
import { withAutoId } from '../dialect.ts';

/**
 * The SMPP server for customers: businesses bind to usms over SMPP 3.4 and submit messages.
 *
 * `smpp_users`: an account's SMPP logins. `system_id` is at most 15 characters (SMPP's 16-octet field
 * holds the NUL); only the scrypt hash of the password is kept. `system_id` is unique among active users
 * (a partial index): revoking a user and creating it again is how its password is replaced.
 * `allowed_sources` is a comma-separated list of source addresses; '' lets the account's approved senders decide.
 *
 * `accounts.smpp_content`: 'template' (the text must match an approved template) or 'free'.
 *
 * `smpp_binds`: a user's binds in the whole cluster, each a lease its node renews while bound, so a
 * user's `max_binds` holds across nodes and a dead node's binds free up when their leases run out.
 *
 * `messages.smpp_user_id` (null for API messages) and `smpp_receipt` (1: the submit asked for a receipt).
 *
 * `smpp_outbox`: deliver_sm items (receipts, inbound replies) for SMPP users, retried until the customer
 * answers them or they expire; a sender leases an item while it waits for the deliver_sm_resp.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await withAutoId(db.schema.createTable('smpp_users'), db)
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('max_binds', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('window_size', 'integer', (c) => c.notNull().defaultTo(100))
    // messages per second per bind; 0 = no cap
    .addColumn('throughput', 'integer', (c) => c.notNull().defaultTo(100))
    .addColumn('allowed_sources', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await sql`create unique index smpp_users_active_system_id on smpp_users (system_id) where revoked_at is null`.execute(db);
  await db.schema.createIndex('smpp_users_account').on('smpp_users').columns(['account_id', 'id']).execute();

  await db.schema.alterTable('accounts').addColumn('smpp_content', 'text', (c) => c.notNull().defaultTo('template')).execute();

  await withAutoId(db.schema.createTable('smpp_binds'), db)
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    // transmitter | receiver | transceiver
    .addColumn('bind_type', 'text', (c) => c.notNull())
    // the customer's address, host:port
    .addColumn('remote', 'text', (c) => c.notNull())
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    // JSON: the session's counters as its node last renewed the lease (`usms smpp status`)
    .addColumn('stats', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('smpp_binds_user').on('smpp_binds').column('user_id').execute();

  await db.schema.alterTable('messages').addColumn('smpp_user_id', 'bigint').execute();
  await db.schema.alterTable('messages').addColumn('smpp_receipt', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await withAutoId(db.schema.createTable('smpp_outbox'), db)
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'bigint')
    // receipt | reply
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON the deliver_sm is rendered from
    .addColumn('payload', 'text', (c) => c.notNull())
    // pending | delivered | expired
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    // 0 when not leased
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  // A user's due items, in order; the expiry and the pruning of old items read by status and expiry.
  // A user's pending items in id order: a claim reads them oldest first and stops at its limit.
  await db.schema.createIndex('smpp_outbox_due').on('smpp_outbox').columns(['user_id', 'status', 'id']).execute();
  await db.schema.createIndex('smpp_outbox_expiry').on('smpp_outbox').columns(['status', 'expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('smpp_outbox').execute();
  for (const c of ['smpp_receipt', 'smpp_user_id']) await db.schema.alterTable('messages').dropColumn(c).execute();
  await db.schema.dropTable('smpp_binds').execute();
  await db.schema.alterTable('accounts').dropColumn('smpp_content').execute();
  await db.schema.dropTable('smpp_users').execute();
}
