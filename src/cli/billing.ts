import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { csvLine } from '../batch/csv.ts';
import type { Config } from '../config.ts';
import { addMoney, balance, changeBilling, importPrices, ledger, listPriceList, removePrice, setPrice, type LedgerView } from '../operator/billing.ts';
import { CLI_ACTOR } from '../operator/actor.ts';
import { withOperatorContext } from '../operator/open.ts';
import { cliError } from './errors.ts';
import { withOperator, type CliOpts } from './db-command.ts';

const optionalAccount = (o: CliOpts) => {
  if (o.account === undefined) return undefined;
  const id = Number(o.account);
  if (!Number.isInteger(id) || id <= 0) throw cliError(new Error('--account must be a numeric AccountId'));
  return id;
};
const requiredAccount = (o: CliOpts) => optionalAccount(o)!;

/** `--from` / `--to`: a date (YYYY-MM-DD, UTC midnight), an ISO time, or unix seconds. */
function timeOption(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms)) throw cliError(new Error(`${flag} must be a date (2026-12-01), an ISO time or unix seconds`));
  return Math.floor(ms / 1000);
}

/** Prices, balances, top-ups and the ledger (billing is off until the first `price set`). */
export function registerBillingCommands(program: Command, config: () => Config): void {
  const price = program.command('price').description('what a message segment costs, by destination prefix (the first price turns billing on)');
  price
    .command('set')
    .description('set the price a segment for destinations starting with --prefix (or every destination with --default)')
    .option('--prefix <digits>', 'calling code or a longer prefix of the E.164 number, e.g. 86 or 8613')
    .option('--default', 'the price for destinations no prefix matches')
    .requiredOption('--price <amount>', 'in the platform currency, e.g. 0.045')
    .option('--account <id>', "an account's own price (over the platform's)")
    .option('--currency <code>', 'the platform currency, fixed by the first price (default USD)')
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => {
      if ((o.prefix === undefined) === !o.default) throw cliError(new Error('give --prefix or --default'));
      return setPrice(ctx, { Prefix: o.default ? '' : o.prefix, Price: o.price, AccountId: optionalAccount(o), Currency: o.currency });
    }));
  price
    .command('list')
    .option('--account <id>', "that account's own prices")
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => listPriceList(ctx, { AccountId: optionalAccount(o) })));
  price
    .command('import <file>')
    .description('set many prices from a CSV file of prefix,price lines (a header line is allowed), in one transaction')
    .option('--account <id>')
    .option('--currency <code>')
    .option('--json', 'print JSON')
    .action((file: string, o: CliOpts) => withOperator<CliOpts>(config, (ctx) => importPrices(ctx, { Csv: readFileSync(file, 'utf8'), AccountId: optionalAccount(o), Currency: o.currency }))(o));
  price
    .command('remove')
    .option('--prefix <digits>')
    .option('--default')
    .option('--account <id>')
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => removePrice(ctx, { Prefix: o.default ? '' : o.prefix, AccountId: optionalAccount(o) })));

  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('customer accounts');
  account
    .command('topup')
    .requiredOption('--account <id>')
    .requiredOption('--amount <amount>', 'in the platform currency, e.g. 100.00')
    .option('--note <text>')
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => addMoney(ctx, { AccountId: requiredAccount(o), Amount: o.amount, Note: o.note, Kind: 'topup' })));
  account
    .command('adjust')
    .description('correct a balance up or down (a negative --amount takes money away); the note says why')
    .requiredOption('--account <id>')
    .requiredOption('--amount <amount>')
    .requiredOption('--note <text>')
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => addMoney(ctx, { AccountId: requiredAccount(o), Amount: o.amount, Note: o.note, Kind: 'adjustment' })));
  account
    .command('balance')
    .requiredOption('--account <id>')
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => balance(ctx, { AccountId: requiredAccount(o) })));
  account
    .command('billing')
    .description("how an account pays; without options, show it")
    .requiredOption('--account <id>')
    .option('--mode <mode>', 'prepaid | postpaid | free')
    .option('--credit-limit <amount>', "postpaid: how far under zero the balance may go ('' for no limit)")
    .option('--low-balance <amount>', "push an alert to the callback URL when the balance falls under this ('' turns it off)")
    .option('--json', 'print JSON')
    .action(withOperator<CliOpts>(config, (ctx, o) => changeBilling(ctx, { AccountId: requiredAccount(o), Mode: o.mode, CreditLimit: o.creditLimit, LowBalanceThreshold: o.lowBalance })));

  program
    .command('ledger')
    .description("an account's money movements (top-ups, charges, refunds, adjustments) with the balance after each, oldest first")
    .requiredOption('--account <id>')
    .option('--from <time>', 'from this date or time (UTC)')
    .option('--to <time>', 'until this date or time, exclusive')
    .option('--csv', 'print CSV')
    .option('--json', 'print JSON')
    .action(async (o: CliOpts) => {
      const q = { AccountId: requiredAccount(o), From: timeOption(o.from, '--from'), To: timeOption(o.to, '--to') };
      if (!o.csv) return withOperator<CliOpts>(config, (ctx) => ledger(ctx, q))(o);
      const entries: LedgerView[] = [];
      let currency = '';
      try {
        await withOperatorContext(config(), CLI_ACTOR, async (ctx) => {
          let after: number | undefined;
          for (;;) {
            const page = await ledger(ctx, { ...q, After: after });
            entries.push(...page.Entries);
            currency = page.Currency;
            if (page.Next === null) break;
            after = page.Next;
          }
        });
      } catch (err) {
        throw cliError(err);
      }
      const lines = [csvLine(['Id', 'Time', 'Kind', `Amount (${currency})`, 'BalanceAfter', 'Ref', 'Note', 'Actor'])];
      for (const e of entries) lines.push(csvLine([String(e.Id), new Date(e.Time * 1000).toISOString(), e.Kind, e.Amount, e.BalanceAfter, e.Ref, e.Note, e.Actor]));
      process.stdout.write(lines.join(''));
    });
}
