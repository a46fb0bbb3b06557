import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { migrate, openDatabase } from '../store/db.ts';
import { printResult } from './output.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the database (SQLite under USMS_DATA_DIR, or USMS_DATABASE_URL)');
  db.command('migrate')
    .description('bring the schema up to date (also done on start unless USMS_MIGRATE=0)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const handle = await openDatabase({ ...config, migrateOnStart: false });
      try {
        const applied = await migrate(handle);
        printResult({ Database: config.databaseUrl ? 'postgres' : 'sqlite', Applied: applied }, Boolean(opts.json));
      } finally {
        await handle.destroy();
      }
    });
}
