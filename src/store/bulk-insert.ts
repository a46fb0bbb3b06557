import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import type { Db } from './db.ts';

type Executor = Pick<Db, 'executeQuery' | 'getExecutor'>;

/**
 * A multi-row INSERT for the hot write paths without running the query builder each time. Kysely
 * builds and compiles an insert anew on every call, visiting every row's object, which cost more than
 * SQLite running it. Here Kysely compiles the statement once per dialect and row count (so the text
 * has the dialect's own placeholders and clauses), and later calls only pass new parameters.
 *
 * Rows must carry exactly `columns`, in that order (checked against Kysely's own compilation the
 * first time a shape is built).
 */
export class BulkInsert<R extends Record<string, unknown>> {
  private readonly shapes = new Map<unknown, Map<number, string>>();

  constructor(
    private readonly columns: readonly (keyof R & string)[],
    private readonly build: (db: Executor, rows: R[]) => Compilable,
  ) {}

  async execute(db: Executor, rows: R[]): Promise<QueryResult<Record<string, unknown>>> {
    const params: unknown[] = [];
    for (const row of rows) for (const c of this.columns) params.push(row[c]);
    const dialect = db.getExecutor().adapter.constructor;
    let byCount = this.shapes.get(dialect);
    if (!byCount) this.shapes.set(dialect, (byCount = new Map()));
    let sql = byCount.get(rows.length);
    if (sql === undefined) {
      const compiled = this.build(db, rows).compile();
      const same = compiled.parameters.length === params.length && compiled.parameters.every((p, i) => p === params[i]);
      if (!same) throw new Error(`BulkInsert: rows do not carry exactly the columns ${this.columns.join(', ')} in order`);
      sql = compiled.sql;
      byCount.set(rows.length, sql);
    }
    return db.executeQuery(CompiledQuery.raw(sql, params));
  }
}
