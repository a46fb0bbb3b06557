import type { Config } from '../config.ts';
import { migrate, openDatabase } from '../store/db.ts';

/** Brings the schema of the configured database up to date; answers which migrations ran. */
export async function migrateDatabase(config: Config): Promise<{ Database: 'postgres' | 'sqlite'; Applied: string[] }> {
  const db = await openDatabase({ ...config, migrateOnStart: false });
  try {
    return { Database: config.databaseUrl ? 'postgres' : 'sqlite', Applied: await migrate(db) };
  } finally {
    await db.destroy();
  }
}
