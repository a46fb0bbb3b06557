import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { getAccount, updateAccount } from '../operator/accounts.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

/** `usms account set`: per-account settings (the callback URL for pushes). */
export function registerAccountSettings(program: Command, config: () => Config): void {
  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('customer accounts');
  account
    .command('set')
    .description("change an account's settings; without options, show them")
    .requiredOption('--account <id>')
    .option('--callback-url <url>', "where receipts and inbound replies are POSTed ('' to stop pushing)")
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, async (ctx, o) => {
      const id = accountIdOption(o);
      const a = o.callbackUrl === undefined ? await getAccount(ctx, id) : await updateAccount(ctx, id, { CallbackUrl: String(o.callbackUrl) });
      return { AccountId: a.AccountId, CallbackUrl: a.CallbackUrl };
    }));
}
