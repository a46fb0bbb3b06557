import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { getAccount, updateAccount } from '../operator/accounts.ts';
import { reviewSender } from '../operator/senders.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

type Opts = CliOpts;

/** The `template` / `sender` group defined by admin.ts (or a new one when run alone). */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/**
 * Operator side of the customer template/signature API: per-account template auto-approval and the
 * rejection of a signature with a reason (shown to the customer as ErrDesc).
 */
export function registerTemplateCommands(program: Command, config: () => Config): void {
  const run = (fn: Parameters<typeof withOperator<Opts>>[1]) => withOperator<Opts>(config, fn);

  group(program, 'template', 'message templates ({1}, {2} placeholders)')
    .command('auto-approve')
    .description('approve the templates this account submits through the API at once (--on) or send them to review (--off); without either, show the setting')
    .requiredOption('--account <id>')
    .option('--on', 'approve submitted templates at once')
    .option('--off', 'submitted templates wait for `usms template approve`')
    .option('--json', 'print JSON')
    .action(run(async (ctx, o) => {
      if (o.on && o.off) throw new Error('give --on or --off, not both');
      const id = accountIdOption(o);
      const account = o.on || o.off ? await updateAccount(ctx, id, { AutoApprove: Boolean(o.on) }) : await getAccount(ctx, id);
      return { AccountId: account.AccountId, TemplateAutoApprove: account.TemplateAutoApprove };
    }));

  group(program, 'sender', 'sender names / signatures')
    .command('reject')
    .requiredOption('--account <id>')
    .requiredOption('--id <sigId>')
    .option('--reason <text>', 'shown to the customer as ErrDesc')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => reviewSender(ctx, { AccountId: accountIdOption(o), SigId: o.id, Decision: 'reject', Reason: o.reason })));
}
