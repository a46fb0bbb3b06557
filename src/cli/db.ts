import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { migrateDatabase } from '../operator/database.ts';
import { printResult } from './output.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the database (SQLite under USMS_DATA_DIR, or USMS_DATABASE_URL)');
  db.command('migrate')
    .description('bring the schema up to date (also done on start unless USMS_MIGRATE=0)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      printResult(await migrateDatabase(loadConfig()), Boolean(opts.json));
    });
}
