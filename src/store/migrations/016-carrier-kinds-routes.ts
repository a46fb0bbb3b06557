import { sql, type Kysely } from 'kysely';
import { withAutoId } from '../dialect.ts';

/**
 * Carriers of several kinds, routes with failover, and each message's attempts.
 *
 * `carriers.kind` is 'smpp' (the SMPP columns hold its settings) or 'http' (its settings are the JSON in
 * `settings`; its secret is sealed in `password_sealed`). The SMPP columns of an HTTP carrier are unused.
 *
 * `routes` replaces the route columns of `carriers` (kept, no longer read): a route is the set of rows
 * with one (prefix, account_id); its carriers are tried by `priority` (lower first), then `cost`
 * (cheaper first, NULL last), with `weight` sharing traffic between equals. prefix '' with no account
 * is the default route. Existing carriers' routes are copied: one row per prefix and account.
 *
 * `messages.avoid_carrier`: the carrier that last refused the message with a retryable error; the
 * next claim prefers another carrier of its route. `message_attempts` keeps the attempts that did not
 * end the message's journey with the carrier that sent it (refusals, failovers, unknowns): a message
 * sent on its first try has none, its carrier and time are on `messages`.
 *
 * `carrier_status.ready` and `circuit` tell every node whether a carrier takes messages now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('carriers').addColumn('kind', 'text', (c) => c.notNull().defaultTo('smpp')).execute();
  await db.schema.alterTable('carriers').addColumn('settings', 'text', (c) => c.notNull().defaultTo('')).execute();

  await withAutoId(db.schema.createTable('routes'), db)
    // calling code or longer prefix of the E.164 digits; '' matches every destination
    .addColumn('prefix', 'text', (c) => c.notNull())
    // NULL: every account
    .addColumn('account_id', 'bigint')
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
    // micro-units a segment to this carrier for this route (least-cost choice); NULL: not known
    .addColumn('cost', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`create unique index routes_entry on routes (prefix, coalesce(account_id, 0), carrier)`.execute(db);

  const carriers = await sql<{ name: string; route_prefixes: string; route_accounts: string; is_default: number }>`
    select name, route_prefixes, route_accounts, is_default from carriers`.execute(db);
  const now = Date.now();
  for (const c of carriers.rows) {
    const prefixes = c.route_prefixes.split(',').map((p) => p.trim()).filter(Boolean);
    const accounts = c.route_accounts.split(',').map((a) => Number(a.trim())).filter((a) => Number.isInteger(a) && a > 0);
    const rows: Array<{ prefix: string; account_id: number | null }> = [];
    if (prefixes.length || accounts.length) {
      for (const prefix of prefixes.length ? prefixes : ['']) {
        for (const account of accounts.length ? accounts : [null]) rows.push({ prefix, account_id: account });
      }
    }
    if (c.is_default) rows.push({ prefix: '', account_id: null });
    for (const r of rows) {
      await db
        .insertInto('routes')
        .values({ prefix: r.prefix, account_id: r.account_id, carrier: c.name, priority: 0, weight: 1, cost: null, created_at: now })
        .execute();
    }
  }

  await db.schema.alterTable('messages').addColumn('avoid_carrier', 'text').execute();

  await withAutoId(db.schema.createTable('message_attempts'), db)
    .addColumn('message_id', 'bigint', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    // retry | failed | unknown
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_attempts_message').on('message_attempts').column('message_id').execute();

  await db.schema.alterTable('carrier_status').addColumn('ready', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // closed | open | half-open
  await db.schema.alterTable('carrier_status').addColumn('circuit', 'text', (c) => c.notNull().defaultTo('closed')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('carrier_status').dropColumn('circuit').execute();
  await db.schema.alterTable('carrier_status').dropColumn('ready').execute();
  await db.schema.dropTable('message_attempts').execute();
  await db.schema.alterTable('messages').dropColumn('avoid_carrier').execute();
  await db.schema.dropTable('routes').execute();
  await db.schema.alterTable('carriers').dropColumn('settings').execute();
  await db.schema.alterTable('carriers').dropColumn('kind').execute();
}
