import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../src/store/db.ts';

/**
 * Test databases on PostgreSQL. USMS_TEST_DATABASE_URL points at a server where we may create databases;
 * each call makes a fresh one (CI shares the server with other runs) and `drop()` removes it.
 */
export const testDatabaseUrl = process.env.USMS_TEST_DATABASE_URL;
/** When set (CI), a missing PostgreSQL is a failure, not a skip. */
export const postgresRequired = process.env.USMS_TEST_REQUIRE_POSTGRES === '1';
/** The e2e suite runs against PostgreSQL instead of SQLite when USMS_E2E_DB=postgres. */
export const e2eOnPostgres = process.env.USMS_E2E_DB === 'postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!testDatabaseUrl) throw new Error('USMS_TEST_DATABASE_URL is not set');
  const name = `usms_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/** Runs one statement on the test server's admin database (create, drop, alter a test database). */
export async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Skip (or, when PostgreSQL is required, fail) a PostgreSQL-only test. */
export function postgresSkipReason(): string | false {
  if (testDatabaseUrl) return false;
  if (postgresRequired) throw new Error('USMS_TEST_REQUIRE_POSTGRES=1 but USMS_TEST_DATABASE_URL is not set');
  return 'USMS_TEST_DATABASE_URL not set';
}

/**
 * Defines `name` twice: against a fresh SQLite file and, when configured, a fresh PostgreSQL database
 * (skipped, or failed when PostgreSQL is required, otherwise). Both are migrated and removed afterwards.
 */
export function testOnBothDatabases(name: string, body: (db: Db, postgres: boolean) => Promise<void>): void {
  test(`${name} (SQLite)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usms-store-'));
    const db = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal', dbPoolSize: 1, migrateOnStart: true });
    try {
      await body(db, false);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test(`${name} (PostgreSQL)`, { skip: postgresSkipReason() }, async () => {
    const pg = await createTestDatabase();
    const db = await openDatabase({ dataDir: '', sqliteSynchronous: 'normal', databaseUrl: pg.url, dbPoolSize: 8, migrateOnStart: true });
    try {
      await body(db, true);
    } finally {
      await db.destroy();
      await pg.drop();
    }
  });
}

/** SQLite's EXPLAIN QUERY PLAN of a Kysely query, its steps joined by " | " (for tests of index use). */
export async function sqlitePlan(db: Db, query: { compile(): { sql: string; parameters: readonly unknown[] } }): Promise<string> {
  const { sql: text, parameters } = query.compile();
  let i = 0;
  // EXPLAIN through sql.raw takes no parameters: write them in.
  const inlined = text.replace(/\?/g, () => {
    const p = parameters[i++];
    return typeof p === 'number' ? String(p) : `'${String(p).replace(/'/g, "''")}'`;
  });
  const rows = await sql.raw<{ detail: string }>(`explain query plan ${inlined}`).execute(db);
  return rows.rows.map((r) => r.detail).join(' | ');
}
