import { sql, type Kysely } from 'kysely';

/**
 * An SMPP carrier's prefetch: messages claimed ahead of its window, so a slot that frees refills at
 * once instead of after the next commit. Existing carriers get their window, the new default.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('carriers').addColumn('prefetch', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update carriers set prefetch = window_size`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('carriers').dropColumn('prefetch').execute();
}
