import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { createUser, issueResetLink, listUsers, updateUser } from '../operator/users.ts';
import { localServer } from './admin.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

/** `--id`, checked to be a number. */
function userIdOption(opts: CliOpts): number {
  const id = Number(opts.id);
  if (!Number.isInteger(id) || id <= 0) throw new Error('--id must be a numeric UserId');
  return id;
}

/** The variable --password-env names; undefined without the option (a password is then generated). */
function passwordFromEnv(opts: CliOpts): string | undefined {
  if (typeof opts.passwordEnv !== 'string') return undefined;
  const password = process.env[opts.passwordEnv];
  if (password === undefined) throw new Error(`--password-env: ${opts.passwordEnv} is not set`);
  return password;
}

/** `usms user ...`: console users (operators, and the admins, developers and viewers of an account). */
export function registerUserCommands(program: Command, config: () => Config): void {
  const run = (fn: Parameters<typeof withOperator<CliOpts>>[1]) => withOperator<CliOpts>(config, fn);
  const user = program.command('user').description('console users: operators, and the admins, developers and viewers of an account');

  user
    .command('create')
    .description('a new console user; without --password-env a password is generated and printed once')
    .requiredOption('--email <address>', 'the login')
    .option('--operator', 'an operator of the whole platform')
    .option('--account <id>', 'the AccountId of a customer user')
    .option('--role <role>', 'a customer user\'s role: admin | developer | viewer')
    .option('--password-env <VAR>', 'read the password from this environment variable (command lines are visible to other users)')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => {
      if (o.operator ? o.account !== undefined || o.role !== undefined : o.account === undefined || o.role === undefined) {
        throw new Error('give --operator, or --account with --role');
      }
      const password = passwordFromEnv(o);
      return o.operator
        ? createUser(ctx, { Email: o.email, Role: 'operator', Password: password })
        : createUser(ctx, { Email: o.email, Role: o.role, AccountId: accountIdOption(o), Password: password });
    }));

  user
    .command('list')
    .description('every user, or the users of one account')
    .option('--account <id>', 'only this AccountId')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => listUsers(ctx, { AccountId: o.account === undefined ? undefined : accountIdOption(o) })));

  for (const [verb, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    user
      .command(verb)
      .description(verb === 'disable' ? 'the user can no longer log in; their sessions end' : 'the user can log in again (also lifts a lockout)')
      .requiredOption('--id <userId>')
      .option('--json', 'print JSON')
      .action(run((ctx, o) => updateUser(ctx, userIdOption(o), { Status: status })));
  }

  user
    .command('reset-link')
    .description('a one-time link (24 h) that sets a new password; hand it to the user')
    .requiredOption('--id <userId>')
    .option('--base-url <url>', 'where users reach the console (default: USMS_PUBLIC_URL, else http://USMS_HOST:USMS_PORT)')
    .option('--json', 'print JSON')
    .action(run((ctx, o, cfg) => {
      const baseUrl = typeof o.baseUrl === 'string' ? o.baseUrl : process.env.USMS_PUBLIC_URL || localServer(cfg);
      return issueResetLink(ctx, userIdOption(o), baseUrl);
    }));
}
