import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { requireAccount } from '../store/accounts.ts';
import { callbackCounts, failedItems, retryFailed } from '../store/callbacks.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { printResult } from './output.ts';

export type CliOpts = Record<string, string | boolean | undefined> & { json?: boolean };

/** Runs `fn` with the database open and prints its result (one JSON object with --json). */
export const withDatabase = (config: () => Config, fn: (db: Db, opts: CliOpts) => Promise<unknown>) => async (opts: CliOpts) => {
  const db = await openDatabase(config());
  try {
    printResult(await fn(db, opts), Boolean(opts.json));
  } finally {
    await db.destroy();
  }
};

export async function accountOf(db: Db, opts: CliOpts): Promise<number> {
  const id = Number(opts.account);
  if (!Number.isInteger(id) || id <= 0) throw new Error('--account must be a numeric AccountId');
  return (await requireAccount(db, id)).id;
}

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
