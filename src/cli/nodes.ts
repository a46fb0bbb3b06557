import type { Command } from 'commander';
import { liveNodes } from '../cluster/membership.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/db.ts';
import { printResult } from './output.ts';

export function registerNodeCommands(program: Command): void {
  program
    .command('nodes')
    .description('the server processes sharing this database (heartbeat within 15 s)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const db = await openDatabase(loadConfig());
      try {
        printResult({ Nodes: await liveNodes(db) }, Boolean(opts.json));
      } finally {
        await db.destroy();
      }
    });
}
