import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { requireAccount } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import { setSenderStatus } from '../store/senders.ts';
import { setTemplateAutoApprove, templateAutoApprove, TemplateStatus } from '../store/templates.ts';
import { accountIdOption, withDatabase, type CliOpts } from './db-command.ts';

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
  const withDb = (fn: (db: Db, opts: Opts) => Promise<unknown>) => withDatabase<Opts>(config, fn);
  const accountId = accountIdOption;

  group(program, 'template', 'message templates ({1}, {2} placeholders)')
    .command('auto-approve')
    .description('approve the templates this account submits through the API at once (--on) or send them to review (--off); without either, show the setting')
    .requiredOption('--account <id>')
    .option('--on', 'approve submitted templates at once')
    .option('--off', 'submitted templates wait for `usms template approve`')
    .option('--json', 'print JSON')
    .action(withDb(async (db, o) => {
      if (o.on && o.off) throw new Error('give --on or --off, not both');
      const id = (await requireAccount(db, accountId(o))).id;
      if (o.on || o.off) await setTemplateAutoApprove(db, id, Boolean(o.on));
      return { AccountId: id, TemplateAutoApprove: await templateAutoApprove(db, id) };
    }));

  group(program, 'sender', 'sender names / signatures')
    .command('reject')
    .requiredOption('--account <id>')
    .requiredOption('--id <sigId>')
    .option('--reason <text>', 'shown to the customer as ErrDesc')
    .option('--json', 'print JSON')
    .action(withDb(async (db, o) => {
      if (!(await setSenderStatus(db, accountId(o), String(o.id), TemplateStatus.Rejected, String(o.reason ?? '')))) {
        throw new Error(`no sender ${String(o.id)} in account ${String(o.account)}`);
      }
      return { SigId: o.id, Status: TemplateStatus.Rejected };
    }));
}
