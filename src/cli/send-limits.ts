import type { Command } from 'commander';
import { SendLimitsError, checkRegions, parseBurst, parseRate } from '../compliance/send-limits.ts';
import type { Config } from '../config.ts';
import { dropAlarm, listAlarms, releaseAlarm } from '../operator/alarms.ts';
import { getSendLimits, setSendLimits, type SendLimitChanges } from '../operator/send-limits.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const MAX_FLAGS = 12;

/**
 * `PURPOSE:RATE[,RATE...]` flags, grouped by purpose: `1:5/1h`, `1:5/1h,10/1d`, `1:off`, `1:default`.
 * Repeating a purpose adds its rates: `--limit 1:5/1h --limit 1:10/1d`.
 */
function byPurpose(flag: string, values: string[] | undefined, single: boolean): Record<string, string | string[]> | undefined {
  if (!values?.length) return undefined;
  if (values.length > MAX_FLAGS) throw new Error(`${flag}: at most ${MAX_FLAGS} times`);
  const out: Record<string, string | string[]> = {};
  for (const v of values) {
    const m = /^\s*([0-9]+)\s*:\s*(.+)$/.exec(v);
    if (!m) throw new Error(`${flag} ${v}: write PURPOSE:COUNT/WINDOW, e.g. 1:5/1h (or 1:off, 1:default)`);
    const [, purpose, spec] = m as unknown as [string, string, string];
    const word = spec.trim().toLowerCase();
    if (word === 'off' || word === 'default') {
      if (out[purpose] !== undefined) throw new Error(`${flag}: purpose ${purpose} given twice`);
      out[purpose] = word;
    } else if (single) {
      if (out[purpose] !== undefined) throw new Error(`${flag}: purpose ${purpose} given twice`);
      out[purpose] = checked(flag, v, spec.trim(), parseBurst);
    } else {
      const prev = out[purpose];
      if (typeof prev === 'string') throw new Error(`${flag}: purpose ${purpose} is both ${prev} and rates`);
      out[purpose] = [...(prev ?? []), ...spec.split(',').map((s) => checked(flag, v, s.trim(), parseRate))];
    }
  }
  return out;
}

/** The rate, checked here so that a mistake names the flag. */
function checked(flag: string, given: string, rate: string, parse: (text: string) => unknown): string {
  try {
    parse(rate);
  } catch (err) {
    if (err instanceof SendLimitsError) throw new Error(`${flag} ${given}: ${err.message}`);
    throw err;
  }
  return rate;
}

/**
 * `usms account limits`: an account's pumping protection (countries it may send to, per-phone limits and
 * range-burst alarms per template purpose); `usms alarm ...`: the bursts held for the operator.
 */
export function registerSendLimitCommands(program: Command, config: () => Config): void {
  const run = (fn: Parameters<typeof withOperator<CliOpts>>[1]) => withOperator<CliOpts>(config, fn);
  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('customer accounts');
  account
    .command('limits')
    .description("show or change an account's send limits and allowed countries (purposes: 1 code, 2 notification, 3 marketing)")
    .requiredOption('--account <id>')
    .option('--countries <codes>', 'send only to these countries (ISO 3166, comma separated), e.g. CN,US')
    .option('--all-countries', 'send to every country (the default)')
    .option('--limit <purpose:rates>', 'per-phone limits of a purpose, replacing its list: 1:5/1h, 1:1/1m,5/1h,10/1d, 1:off, 1:default (repeatable)', collect)
    .option('--range-burst <purpose:rate>', 'hold sends to a number range past COUNT distinct numbers in WINDOW: 1:10/10m, 1:off, 1:default (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(run((ctx, o) => {
      const id = accountIdOption(o);
      if (o.countries !== undefined && o.allCountries) throw new Error('--countries and --all-countries exclude each other');
      const changes: SendLimitChanges = {
        ...(o.countries !== undefined && { Countries: checked('--countries', String(o.countries), String(o.countries), (c) => checkRegions(c.split(','))) }),
        ...(o.allCountries && { Countries: [] }),
      };
      const perPhone = byPurpose('--limit', o.limit as unknown as string[] | undefined, false);
      const burst = byPurpose('--range-burst', o.rangeBurst as unknown as string[] | undefined, true);
      if (perPhone) changes.PerPhone = perPhone;
      if (burst) changes.RangeBurst = burst;
      return Object.keys(changes).length ? setSendLimits(ctx, id, changes) : getSendLimits(ctx, id);
    }));

  const alarm = program.command('alarm').description('pumping alarms: bursts to one number range, held until released or dropped');
  alarm
    .command('list')
    .description('alarms, newest first')
    .option('--account <id>', 'only this account')
    .option('--status <status>', 'open, released or dropped')
    .option('--limit <n>', 'how many', '50')
    .option('--before <id>', 'older than this AlarmId (the previous page\'s Next)')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => listAlarms(ctx, {
      AccountId: o.account === undefined ? undefined : accountIdOption(o), Status: o.status, Limit: o.limit, Before: o.before,
    })));
  alarm
    .command('release')
    .description("send the alarm's held messages now and close it")
    .requiredOption('--id <alarmId>')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => releaseAlarm(ctx, o.id)));
  alarm
    .command('drop')
    .description("fail the alarm's held messages (receipt HELD, charge refunded) and close it")
    .requiredOption('--id <alarmId>')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => dropAlarm(ctx, o.id)));
}
