import Database from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, Migrator, PostgresDialect, type QueryResult, SqliteDialect, SqliteDriver } from 'kysely';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { ensurePrivateFile, makeDataDir } from './data-dir.ts';
import { migrations } from './migrations/index.ts';
import { writeGateFor, type WriteGate } from './write-gate.ts';
import { SqlProfile } from './sql-profile.ts';
import type { Database as Schema } from './schema.ts';

export type Db = Kysely<Schema>;

const BUSY_TIMEOUT_MS = 10_000;
/** How much of the SQLite file each connection maps by default (USMS_SQLITE_MMAP_MB). */
const DEFAULT_MMAP_MB = 256;

type DbConfig = Pick<Config, 'dataDir' | 'sqliteSynchronous' | 'sqliteAutoCheckpoint' | 'sqliteMmapMb' | 'databaseUrl' | 'dbPoolSize' | 'migrateOnStart' | 'sqlProfileFile'>;

/**
 * Opens the database: PostgreSQL when `databaseUrl` is a postgres:// URL, else the embedded SQLite
 * file under the data dir. Brings the schema up to date unless `migrateOnStart` is false.
 */
export async function openDatabase(config: DbConfig, file = 'usms.db'): Promise<Db> {
  const db = config.databaseUrl ? openPostgres(config.databaseUrl, config.dbPoolSize) : openSqlite(config, file);
  if (config.migrateOnStart !== false) await migrate(db);
  return db;
}

/**
 * A second handle on the same database whose commits do not wait for the disk: SQLite with
 * synchronous=NORMAL (in WAL mode a commit survives a crash of the process, not a power loss),
 * PostgreSQL with synchronous_commit=off. Only for writers whose work is redone, harmlessly, when a
 * power loss takes their last commits: the sandbox carrier (delivery/runtime.ts) and the callback
 * pusher (notify/thread.ts: a push whose `delivered` mark is lost is pushed again, and pushes are
 * at-least-once anyway). Never migrates.
 */
export function openRelaxedDatabase(config: DbConfig, file = 'usms.db', poolSize = 2): Db {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, poolSize, '-c synchronous_commit=off');
  return openSqlite({ ...config, sqliteSynchronous: 'normal' }, file);
}

let pgModule: typeof import('pg') | undefined;

/** pg is loaded only by processes on PostgreSQL: every thread of an SQLite node would carry it for nothing. */
function loadPg(): typeof import('pg') {
  if (!pgModule) {
    const loaded = createRequire(import.meta.url)('pg') as typeof import('pg');
    // int8 (bigint: our millisecond times, counts) as JS numbers: every value we store is below 2^53.
    loaded.types.setTypeParser(20, (v) => Number(v));
    pgModule = loaded;
  }
  return pgModule;
}

function openPostgres(url: string, poolSize = 10, options?: string): Db {
  const pool = new (loadPg().Pool)({ connectionString: url, max: poolSize, ...(options ? { options } : {}) });
  // An idle connection the server closed (restart, failover, a dropped test database) is discarded by the
  // pool and the next query opens a new one; without a listener its 'error' event would end the process.
  pool.on('error', () => {});
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/** The write gate of the SQLite database `openDatabase(config, file)` opens (store/write-gate.ts). */
export function sqliteWriteGate(config: Pick<DbConfig, 'dataDir'>, file = 'usms.db'): WriteGate {
  return writeGateFor(join(config.dataDir, file));
}

function openSqlite(config: DbConfig, file: string): Db {
  makeDataDir(config.dataDir);
  const path = join(config.dataDir, file);
  // Created 0600 before SQLite opens it: its -wal and -shm files then get the same mode.
  ensurePrivateFile(path);
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${config.sqliteSynchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  // Never sleep inside SQLite: a statement that finds the write lock taken is retried on a timer
  // (AsyncBusySqliteDialect).
  sqlite.pragma('busy_timeout = 0');
  sqlite.pragma('foreign_keys = ON');
  // Every commit of another connection empties this one's page cache, so most pages a transaction
  // touches are read again: mapped, they are read without a system call and a copy each. Measured on
  // the SMPP path: the delivery thread spent 28-34% less time in its statements and commits (bench/RESULTS.md).
  // Mapped pages count in the process's RSS (as file pages the kernel can drop), once per connection.
  sqlite.pragma(`mmap_size = ${(config.sqliteMmapMb ?? DEFAULT_MMAP_MB) * 1024 * 1024}`);
  // The claims' materialized CTEs build temporary tables: in memory, never in a temporary file.
  sqlite.pragma('temp_store = MEMORY');
  if (config.sqliteAutoCheckpoint === false) sqlite.pragma('wal_autocheckpoint = 0');
  const profile = config.sqlProfileFile ? new SqlProfile(config.sqlProfileFile, file) : undefined;
  return new Kysely<Schema>({ dialect: new AsyncBusySqliteDialect(writeGateFor(path), profile, { database: withStatementCache(sqlite) }) });
}

/**
 * The CLI, the API's connection and the delivery thread's share the one SQLite write lock. A
 * statement that finds it taken (SQLITE_BUSY) is retried after a timer, for up to BUSY_TIMEOUT_MS.
 * SQLite's own busy handler would sleep inside the call and so stop the whole event loop (every HTTP
 * request of the API, every SMPP PDU of the delivery thread) while another connection writes: under
 * load a single heartbeat write froze the API for hundreds of milliseconds.
 *
 * Transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails
 * with SQLITE_BUSY (no retry can help it) when another connection committed in between; taking the
 * write lock up front makes it wait its turn, and no statement inside it can meet a busy lock.
 */
class AsyncBusySqliteDialect extends SqliteDialect {
  constructor(
    private readonly gate: WriteGate,
    private readonly profile: SqlProfile | undefined,
    config: ConstructorParameters<typeof SqliteDialect>[0],
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    const acquire = driver.acquireConnection.bind(driver);
    const patched = new WeakSet<DatabaseConnection>();
    driver.acquireConnection = async () => {
      const connection = await acquire();
      if (!patched.has(connection)) {
        patched.add(connection);
        const execute = this.profile ? timed(connection.executeQuery.bind(connection), this.profile) : connection.executeQuery.bind(connection);
        connection.executeQuery = gated(this.gate, (query: CompiledQuery) => retryWhileBusy(() => execute(query))) as typeof connection.executeQuery;
      }
      return connection;
    };
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(BEGIN);
    };
    const profile = this.profile;
    if (profile) {
      const destroy = driver.destroy.bind(driver);
      driver.destroy = async () => {
        profile.close();
        await destroy();
      };
    }
    return driver;
  }
}

const READ_ONLY = /^\s*select\b/i;
/** A passive checkpoint takes no write lock: writers go on beside it (store/checkpoint-thread.ts). */
const PASSIVE_CHECKPOINT = /^\s*pragma\s+wal_checkpoint\s*\(\s*passive\s*\)\s*$/i;
const TRANSACTION_END = /^\s*(commit|rollback)\s*$/i;

/**
 * Runs one connection's statements inside the process's write gate (store/write-gate.ts): a
 * transaction holds it from BEGIN IMMEDIATE to COMMIT or ROLLBACK, a write outside a transaction for
 * its one statement; reads and passive checkpoints never wait for it (in WAL mode neither blocks a writer).
 */
function gated(gate: WriteGate, execute: (query: CompiledQuery) => Promise<QueryResult<unknown>>) {
  let inTransaction = false;
  return async (query: CompiledQuery): Promise<QueryResult<unknown>> => {
    if (inTransaction) {
      const end = TRANSACTION_END.exec(query.sql)?.[1]?.toLowerCase();
      if (!end) return execute(query);
      try {
        const result = await execute(query);
        inTransaction = false;
        return result;
      } finally {
        // A failed COMMIT is followed by Kysely's ROLLBACK; a ROLLBACK always ends the transaction.
        if (end === 'rollback') inTransaction = false;
        if (!inTransaction) gate.release();
      }
    }
    if (READ_ONLY.test(query.sql) || PASSIVE_CHECKPOINT.test(query.sql)) return execute(query);
    await gate.acquire(BUSY_TIMEOUT_MS);
    if (query === BEGIN) {
      try {
        const result = await execute(query);
        inTransaction = true;
        return result;
      } catch (err) {
        gate.release();
        throw err;
      }
    }
    try {
      return await execute(query);
    } finally {
      gate.release();
    }
  };
}

/** `execute`, with the time of each statement inside SQLite recorded in `profile`. */
function timed(execute: (query: CompiledQuery) => Promise<QueryResult<unknown>>, profile: SqlProfile) {
  return async (query: CompiledQuery): Promise<QueryResult<unknown>> => {
    const started = performance.now();
    try {
      return await execute(query);
    } finally {
      profile.record(query.sql, query.parameters.length, performance.now() - started);
    }
  };
}

async function retryWhileBusy<T>(run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_BUSY_RECOVERY') || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(1 + attempt, 20)));
    }
  }
}

const BEGIN = CompiledQuery.raw('begin immediate');

/** Applies pending migrations; returns the names applied now. */
export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew; preparing (parsing SQL) cost more than running
 * the hot-path queries. Statements are reusable, so keep the recent ones by SQL text.
 */
function withStatementCache(sqlite: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
