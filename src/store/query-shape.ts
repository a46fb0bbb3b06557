import { CompiledQuery, type Compilable, type QueryResult, type RawBuilder } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The database or a transaction on it. */
export type Executor = Kysely<Database>;

/**
 * A hot statement built with Kysely once per dialect and shape, then run with new parameters only.
 * Kysely builds and compiles a query anew on every call, visiting every node; for the delivery and push
 * paths' statements that cost about half as much as SQLite running them.
 *
 * `shape` names what changes the SQL text (a list's length, say); `params` lists the parameters in the
 * order Kysely compiles them, which is checked against Kysely's own compilation the first time a shape is
 * built. Everything else that `build` reads from the arguments must be a parameter value, never a choice
 * between two texts.
 */
export class QueryShape<A> {
  private readonly texts = new Map<unknown, Map<number | string, string>>();

  constructor(
    name: string,
    private readonly build: (db: Executor, args: A) => Compilable | RawBuilder<unknown>,
    private readonly params: (args: A) => unknown[],
    private readonly shape: (args: A) => number | string,
    private readonly mismatch = `${name}: the parameters are not the ones Kysely compiles, in its order`,
  ) {}

  async execute<R = Record<string, unknown>>(db: Executor, args: A): Promise<QueryResult<R>> {
    const params = this.params(args);
    const dialect = db.getExecutor().adapter.constructor;
    let byShape = this.texts.get(dialect);
    if (!byShape) this.texts.set(dialect, (byShape = new Map()));
    const key = this.shape(args);
    let sql = byShape.get(key);
    if (sql === undefined) {
      const query = this.build(db, args);
      const compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile();
      const same = compiled.parameters.length === params.length && compiled.parameters.every((p, i) => p === params[i]);
      if (!same) throw new Error(this.mismatch);
      sql = compiled.sql;
      byShape.set(key, sql);
    }
    return db.executeQuery(CompiledQuery.raw(sql, params)) as Promise<QueryResult<R>>;
  }
}
