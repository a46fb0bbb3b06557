import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { callbackCounts, failedItems, retryFailed } from '../store/callbacks.ts';
import { accountOf, withDatabase } from './db-command.ts';

/** `usms callbacks ...`: the push outbox of an account (see src/notify/). */
export function registerCallbackCommands(program: Command, config: () => Config): void {
  const callbacks = program.command('callbacks').description('pushes to customers\' callback URLs (receipts, inbound replies)');
  callbacks
    .command('failed')
    .description('pushes that never succeeded')
    .requiredOption('--account <id>')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(withDatabase(config, async (db, o) => {
      const accountId = await accountOf(db, o);
      const limit = Math.max(1, Math.min(10_000, Number(o.limit) || 100));
      const items = await failedItems(db, accountId, limit);
      return { AccountId: accountId, Total: (await callbackCounts(db, accountId)).Failed, Failed: items };
    }));
  callbacks
    .command('retry')
    .description('queue failed pushes again with a fresh attempt budget')
    .requiredOption('--account <id>')
    .option('--id <ids>', 'only these item ids (comma separated)')
    .option('--json', 'print JSON')
    .action(withDatabase(config, async (db, o) => {
      const accountId = await accountOf(db, o);
      let ids: number[] | undefined;
      if (o.id !== undefined) {
        ids = String(o.id).split(',').map((s) => Number(s.trim()));
        if (ids.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--id must be item ids separated by commas');
      }
      return { AccountId: accountId, Requeued: await retryFailed(db, accountId, ids) };
    }));
  callbacks
    .command('stats')
    .description('pushes by status')
    .requiredOption('--account <id>')
    .option('--json', 'print JSON')
    .action(withDatabase(config, async (db, o) => {
      const accountId = await accountOf(db, o);
      return { AccountId: accountId, ...(await callbackCounts(db, accountId)) };
    }));
}
