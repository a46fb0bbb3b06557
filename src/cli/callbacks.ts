import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { failedPushes, pushCounts, retryPushes, testPush } from '../operator/callbacks.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

/** `usms callbacks ...`: the push outbox of an account (see src/notify/). */
export function registerCallbackCommands(program: Command, config: () => Config): void {
  const run = (fn: Parameters<typeof withOperator<CliOpts>>[1]) => withOperator<CliOpts>(config, fn);
  const callbacks = program.command('callbacks').description('pushes to customers\' callback URLs (receipts, inbound replies)');
  callbacks
    .command('failed')
    .description('pushes that never succeeded')
    .requiredOption('--account <id>')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => failedPushes(ctx, { AccountId: accountIdOption(o), Limit: o.limit })));
  callbacks
    .command('retry')
    .description('queue failed pushes again with a fresh attempt budget')
    .requiredOption('--account <id>')
    .option('--id <ids>', 'only these item ids (comma separated)')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => {
      const accountId = accountIdOption(o);
      let ids: number[] | undefined;
      if (o.id !== undefined) {
        ids = String(o.id).split(',').map((s) => Number(s.trim()));
        if (ids.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--id must be item ids separated by commas');
      }
      return retryPushes(ctx, { AccountId: accountId, Ids: ids });
    }));
  callbacks
    .command('stats')
    .description('pushes by status')
    .requiredOption('--account <id>')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => pushCounts(ctx, { AccountId: accountIdOption(o) })));
  callbacks
    .command('test')
    .description("POST a signed test receipt to the account's callback URL and show what the receiver answered")
    .requiredOption('--account <id>')
    .option('--timeout <ms>', 'how long to wait for the answer', '5000')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => {
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error('--timeout must be a positive number of milliseconds');
      return testPush(ctx, { AccountId: accountIdOption(o) }, { timeoutMs });
    }));
}
