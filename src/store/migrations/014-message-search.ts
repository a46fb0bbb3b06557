import type { Kysely } from 'kysely';

/**
 * The console's message log and overview.
 *
 * The log (store/message-search.ts) reads every filter as an index range in the log's order (created_at,
 * id descending), so a page costs about its own size. Sessions, accounts and time ranges already have
 * theirs (messages_session, messages_account_created, messages_created); a phone had none that covers
 * every message (messages_e164 holds only those a real carrier accepted), and without one a phone's page
 * reads the account's messages until it is full. `messages_e164_created` is the one index added to
 * messages: each new message writes one more entry, and no later update moves it (neither e164 nor
 * created_at ever changes). Phones are random, so on SQLite each entry dirties a page of its own in the
 * insert's commit: the send path's price for the phone search (bench/RESULTS.md, Console queries).
 * UserId, TemplateId and status get none: they narrow a session's, a phone's, an account's or a time
 * range's messages, and an index on status would move with every status change of the send and receipt
 * paths.
 *
 * The overview (store/overview.ts) counted 30 days of messages on every call: 0.3-1.5 s at 1M messages.
 * Days that can no longer change are rolled up once, on first read, into `message_day_counts` (per day,
 * account and region), and `message_days_settled` marks the days done (a day without messages too). Neither
 * is written by the send or receipt paths.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_e164_created').on('messages').columns(['e164', 'created_at']).execute();

  await db.schema
    .createTable('message_day_counts')
    // UTC days since the epoch
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('account_id', 'integer', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('sent', 'bigint', (c) => c.notNull())
    .addColumn('delivered', 'bigint', (c) => c.notNull())
    .addColumn('failed', 'bigint', (c) => c.notNull())
    .addColumn('unknown', 'bigint', (c) => c.notNull())
    .addColumn('pending', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_day_counts_pk', ['day', 'account_id', 'region'])
    .execute();
  await db.schema
    .createTable('message_days_settled')
    .addColumn('day', 'integer', (c) => c.primaryKey())
    .addColumn('settled_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('message_days_settled').execute();
  await db.schema.dropTable('message_day_counts').execute();
  await db.schema.dropIndex('messages_e164_created').execute();
}
