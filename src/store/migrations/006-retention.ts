import type { Kysely } from 'kysely';

/** Retention prunes by age: it needs to find old messages and sessions without scanning the tables. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_created').on('messages').column('created_at').execute();
  await db.schema.createIndex('sessions_created').on('sessions').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_created').execute();
  await db.schema.dropIndex('messages_created').execute();
}
