import type { Compilable, QueryResult } from 'kysely';
import { QueryShape, type Executor } from './query-shape.ts';

/**
 * A multi-row INSERT for the hot write paths without running the query builder each time
 * (store/query-shape.ts): compiled once per dialect and row count, so the text has the dialect's own
 * placeholders and clauses, and later calls only pass new parameters.
 *
 * Rows must carry exactly `columns`, in that order (checked against Kysely's own compilation the
 * first time a shape is built).
 */
export class BulkInsert<R extends Record<string, unknown>> {
  private readonly query: QueryShape<R[]>;

  constructor(columns: readonly (keyof R & string)[], build: (db: Executor, rows: R[]) => Compilable) {
    this.query = new QueryShape<R[]>(
      'BulkInsert',
      build,
      (rows) => {
        const params: unknown[] = [];
        for (const row of rows) for (const c of columns) params.push(row[c]);
        return params;
      },
      (rows) => rows.length,
      `BulkInsert: rows do not carry exactly the columns ${columns.join(', ')} in order`,
    );
  }

  execute(db: Executor, rows: R[]): Promise<QueryResult<Record<string, unknown>>> {
    return this.query.execute(db, rows);
  }
}
