import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { blockContent, listContentRules, unblockContent } from '../operator/content.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

/** `--account` when given; absent means platform-wide. */
const scopeOption = (o: CliOpts) => (o.account === undefined ? undefined : accountIdOption(o));

/** `usms content ...`: blocked words and patterns, platform-wide or per account. Running servers apply a change within a second. */
export function registerContentCommands(program: Command, config: () => Config): void {
  const run = (fn: Parameters<typeof withOperator<CliOpts>>[1]) => withOperator<CliOpts>(config, fn);
  const content = program
    .command('content')
    .description('blocked words and patterns: templates and messages that contain one are refused (18023 / 18033)');

  content
    .command('block')
    .description('block a word (case- and width-insensitive) or, with --regex, a regular expression; without --account, platform-wide')
    .requiredOption('--pattern <text>', 'the word, or the regular expression with --regex (at most 100 characters)')
    .option('--regex', 'the pattern is a regular expression (run with flags iu)')
    .option('--account <id>', 'only this AccountId')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => blockContent(ctx, { AccountId: scopeOption(o), Pattern: o.pattern, Regex: Boolean(o.regex) })));

  content
    .command('unblock')
    .description('lift a rule, by --pattern (with --regex and --account as it was blocked) or by --id')
    .option('--pattern <text>', 'the blocked word or regular expression')
    .option('--regex', 'the pattern is a regular expression')
    .option('--id <ruleId>', 'the RuleId (content list shows it)')
    .option('--account <id>', 'the AccountId the rule belongs to (none: platform-wide)')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => unblockContent(ctx, { AccountId: scopeOption(o), RuleId: o.id, Pattern: o.pattern, Regex: Boolean(o.regex) })));

  content
    .command('list')
    .description('the platform-wide rules; with --account, also that account\'s')
    .option('--account <id>', 'also this AccountId\'s own rules')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => listContentRules(ctx, { AccountId: scopeOption(o) })));
}
