import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { OperatorError } from '../operator/actor.ts';
import { createSmppUser, listSmppUsers, revokeSmppUser, smppStatus, SMPP_USER_DEFAULTS } from '../operator/smpp-users.ts';
import { withOperator } from './db-command.ts';

interface SmppUserOpts {
  account?: string;
  systemId?: string;
  maxBinds?: string;
  window?: string;
  throughput?: string;
  allowedSources?: string;
  json?: boolean;
}

/** The fields of an SMPP user refusal spelled as this command's flags. */
const FLAGS: Record<string, string> = {
  AccountId: '--account', SystemId: '--system-id', MaxBinds: '--max-binds', Window: '--window', Throughput: '--throughput', AllowedSources: '--allowed-sources',
};

/** Runs `fn`, naming this command's flags in a refusal. */
async function flagged<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof OperatorError)) throw err;
    const message = err.message.replace(/^([A-Z][A-Za-z]*)\b/, (word, field: string) => FLAGS[field] ?? word);
    throw new OperatorError(err.kind, message);
  }
}

/**
 * `usms smpp-user create|list|revoke`: the logins customers bind to usms's SMPP server with. Works on
 * the same database as a running server: a new user can bind at once, a revoked one is refused at once
 * and its live binds close within a lease renewal.
 */
export function registerSmppUserCommands(program: Command, config: () => Config): void {
  const smppUser = program.command('smpp-user').description("customers' SMPP logins (system_id and password) for usms's SMPP server");

  smppUser
    .command('create')
    .description('a new SMPP user of an account; its password (8 characters) is generated and printed once')
    .requiredOption('--account <id>', 'the AccountId')
    .requiredOption('--system-id <id>', 'the bind system_id (1 to 15 characters)')
    .option('--max-binds <n>', `binds at once in the whole cluster, 1..100 (default ${SMPP_USER_DEFAULTS.maxBinds})`)
    .option('--window <n>', `unanswered PDUs per bind, 1..1000 (default ${SMPP_USER_DEFAULTS.window})`)
    .option('--throughput <n>', `submits per second per bind, 0 = no cap (default ${SMPP_USER_DEFAULTS.throughput})`)
    .option('--allowed-sources <addrs>', "comma-separated source addresses it may send from (default: the account's approved senders decide)")
    .option('--json', 'print JSON')
    .action(withOperator<SmppUserOpts>(config, (ctx, o) =>
      flagged(() => createSmppUser(ctx, {
        AccountId: o.account, SystemId: o.systemId, MaxBinds: o.maxBinds, Window: o.window, Throughput: o.throughput, AllowedSources: o.allowedSources,
      })),
    ));

  smppUser
    .command('list')
    .description('SMPP users (without passwords), revoked ones too, with their live binds')
    .option('--account <id>', 'only this AccountId')
    .option('--json', 'print JSON')
    .action(withOperator<SmppUserOpts>(config, (ctx, o) => flagged(() => listSmppUsers(ctx, { AccountId: o.account }))));

  smppUser
    .command('revoke')
    .description('revoke an SMPP user: new binds are refused, its live binds close')
    .requiredOption('--system-id <id>')
    .option('--json', 'print JSON')
    .action(withOperator<SmppUserOpts>(config, (ctx, o) => flagged(() => revokeSmppUser(ctx, { SystemId: o.systemId }))));

  program
    .command('smpp')
    .description("usms's SMPP server for customers")
    .command('status')
    .description('live binds in the whole cluster with their counters (window in use, submits a second, throttled, errors), and the receipts waiting for customers')
    .option('--json', 'print JSON')
    .action(withOperator<{ json?: boolean }>(config, (ctx) => smppStatus(ctx)));
}
