import { type CreateTableBuilder, type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';

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

/**
 * `column` for a WHERE term that only re-checks rows found another way (by id). Without statistics,
 * SQLite prefers an index on `status` to a list of ids, and then reads every row in that status
 * (every message waiting for its receipt, every pending push) for each statement. A unary `+` is
 * SQLite's way to keep a term out of index selection; PostgreSQL plans from its statistics.
 */
export function recheck(db: Kysely<any>, column: string): RawBuilder<unknown> {
  return isPostgres(db) ? sql.ref(column) : sql`+${sql.ref(column)}`;
}
