import { type CreateTableBuilder, type Kysely, PostgresAdapter } from 'kysely';

/** True when the database is PostgreSQL (the scale-out backend); false for the embedded SQLite. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key on either dialect (bigserial on PostgreSQL, rowid alias on SQLite). */
export function withAutoId<T extends string>(table: CreateTableBuilder<T, any>, db: Kysely<any>, name = 'id'): CreateTableBuilder<T, any> {
  return isPostgres(db)
    ? table.addColumn(name, 'bigserial', (c) => c.primaryKey())
    : table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
}
