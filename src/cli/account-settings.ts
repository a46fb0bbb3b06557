import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { getCallbackUrl, setCallbackUrl } from '../store/callbacks.ts';
import { accountOf, withDatabase } from './db-command.ts';

/** `usms account set`: per-account settings (the callback URL for pushes). */
export function registerAccountSettings(program: Command, config: () => Config): void {
  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('customer accounts');
  account
    .command('set')
    .description("change an account's settings; without options, show them")
    .requiredOption('--account <id>')
    .option('--callback-url <url>', "where receipts and inbound replies are POSTed ('' to stop pushing)")
    .option('--json', 'print JSON')
    .action(withDatabase(config, async (db, o) => {
      const accountId = await accountOf(db, o);
      if (o.callbackUrl !== undefined) await setCallbackUrl(db, accountId, callbackUrl(String(o.callbackUrl)));
      return { AccountId: accountId, CallbackUrl: (await getCallbackUrl(db, accountId)) ?? '' };
    }));
}

function callbackUrl(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--callback-url: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--callback-url must be an http:// or https:// URL');
  if (url.username || url.password) throw new Error('--callback-url must not carry credentials; pushes are signed instead');
  if (text.length > 2000) throw new Error('--callback-url is longer than 2000 characters');
  return url.toString();
}
