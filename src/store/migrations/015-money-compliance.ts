import { sql, type Kysely } from 'kysely';
import { withAutoId } from '../dialect.ts';

/**
 * Money and compliance.
 *
 * Money is an integer count of micro-units (10^-6) of the platform currency: a price such as 0.045 a
 * segment is exact, and sums never meet a float. `accounts.billing_mode` is 'free' until the operator
 * sets the first price (platform_settings 'billing_enabled_at'); then every free account becomes
 * 'postpaid' without a limit (credit_limit NULL) and new accounts start 'prepaid' with a zero balance.
 * `accounts.balance` always equals the sum of the account's ledger rows: both change in one transaction.
 *
 * `messages.charge` is what the message cost when it was stored (price x segments); `refunded` is set
 * once, in the transaction that records a failure before any carrier took the message.
 *
 * Content rules, opt-outs (a blacklist row with `opted_out_at`), per-account send limits and country
 * allow-lists, and the alarms for bursts to one number range (their messages wait as 'held').
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('billing_mode', 'text', (c) => c.notNull().defaultTo('free')).execute();
  await db.schema.alterTable('accounts').addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('accounts').addColumn('credit_limit', 'bigint').execute();
  await db.schema.alterTable('accounts').addColumn('low_balance_threshold', 'bigint').execute();
  await db.schema.alterTable('accounts').addColumn('low_balance_alerted', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Comma-separated ISO 3166 codes; '' lets the account send to every country.
  await db.schema.alterTable('accounts').addColumn('allowed_regions', 'text', (c) => c.notNull().defaultTo('')).execute();
  // JSON of the account's own send limits (compliance/send-limits.ts); '' keeps the defaults.
  await db.schema.alterTable('accounts').addColumn('send_limits', 'text', (c) => c.notNull().defaultTo('')).execute();

  await db.schema.alterTable('messages').addColumn('charge', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('messages').addColumn('refunded', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Held messages are few and looked up by account (release or drop of an alarm).
  await sql`create index messages_held on messages (account_id, e164) where status = 'held'`.execute(db);
  // The overview's spend per day beside its volume (store/overview.ts); days rolled up before this had no charges.
  await db.schema.alterTable('message_day_counts').addColumn('spend', 'bigint', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('platform_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('prices')
    // 0: the platform's list; else the account's own
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    // calling code or a longer prefix of the E.164 digits; '' is the default for every destination
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('price', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('prices_pk', ['account_id', 'prefix'])
    .execute();

  await withAutoId(db.schema.createTable('ledger'), db)
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    // topup | charge | refund | adjustment
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    // what it is for: a session number, message ids, or ''
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_account').on('ledger').columns(['account_id', 'id']).execute();

  await withAutoId(db.schema.createTable('content_rules'), db)
    // 0: platform-wide
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('is_regex', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('content_rules_unique').on('content_rules').columns(['account_id', 'is_regex', 'pattern']).unique().execute();

  await db.schema.alterTable('blacklist').addColumn('opted_out_at', 'bigint').execute();

  await withAutoId(db.schema.createTable('pumping_alarms'), db)
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    // the number range: an E.164 prefix ('+' and all but the last digits)
    .addColumn('range_prefix', 'text', (c) => c.notNull())
    // open | released | dropped
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('closed_by', 'text')
    .execute();
  await db.schema.createIndex('pumping_alarms_open').on('pumping_alarms').columns(['account_id', 'status', 'range_prefix']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pumping_alarms').execute();
  await db.schema.alterTable('blacklist').dropColumn('opted_out_at').execute();
  await db.schema.dropTable('content_rules').execute();
  await db.schema.dropTable('ledger').execute();
  await db.schema.dropTable('prices').execute();
  await db.schema.dropTable('platform_settings').execute();
  await db.schema.alterTable('message_day_counts').dropColumn('spend').execute();
  await db.schema.dropIndex('messages_held').execute();
  for (const c of ['refunded', 'charge']) await db.schema.alterTable('messages').dropColumn(c).execute();
  for (const c of ['send_limits', 'allowed_regions', 'low_balance_alerted', 'low_balance_threshold', 'credit_limit', 'balance', 'billing_mode']) {
    await db.schema.alterTable('accounts').dropColumn(c).execute();
  }
}
