import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { getAccount, updateAccount } from '../operator/accounts.ts';
import { OperatorError } from '../operator/actor.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

/** `usms account set`: per-account settings (the callback URL for pushes, the SMPP content mode). */
export function registerAccountSettings(program: Command, config: () => Config): void {
  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('customer accounts');
  account
    .command('set')
    .description("change an account's settings; without options, show them")
    .requiredOption('--account <id>')
    .option('--callback-url <url>', "where receipts and inbound replies are POSTed ('' to stop pushing)")
    .option('--smpp-content <mode>', "how its SMPP submits are checked: template (must match an approved template) | free")
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, async (ctx, o) => {
      const id = accountIdOption(o);
      const changes = {
        ...(o.callbackUrl !== undefined && { CallbackUrl: String(o.callbackUrl) }),
        ...(o.smppContent !== undefined && { SmppContent: String(o.smppContent) }),
      };
      let a;
      try {
        a = Object.keys(changes).length === 0 ? await getAccount(ctx, id) : await updateAccount(ctx, id, changes);
      } catch (err) {
        // The operator layer names the field; this command's flag is --smpp-content.
        if (err instanceof OperatorError && err.message.startsWith('SmppContent')) throw new OperatorError(err.kind, err.message.replace('SmppContent', '--smpp-content'));
        throw err;
      }
      // SmppContent is shown when the flag is given; the shape without it is what scripts already read.
      return { AccountId: a.AccountId, CallbackUrl: a.CallbackUrl, ...(o.smppContent !== undefined && { SmppContent: a.SmppContent }) };
    }));
}
