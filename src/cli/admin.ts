import type { Command } from 'commander';
import { KEY_TTL_MS } from '../actions/lookups.ts';
import type { Config } from '../config.ts';
import { existingOperatorToken } from '../http/operator.ts';
import { createAccount, listAccounts } from '../operator/accounts.ts';
import { addBlacklisted, listBlacklisted, removeBlacklisted } from '../operator/blacklist.ts';
import { createKey, listKeys, revokeKey } from '../operator/keys.ts';
import { sandboxInbox } from '../operator/sandbox.ts';
import { createSender, listSenders, reviewSender } from '../operator/senders.ts';
import { createTemplate, listTemplates, reviewTemplate } from '../operator/templates.ts';
import { accountIdOption, withOperator, type CliOpts } from './db-command.ts';
import { legacyAccount, legacySender, legacyTemplate } from './legacy-shapes.ts';

type Opts = CliOpts;

/** Operator commands; they work on the same database as a running server. */
export function registerAdminCommands(program: Command, config: () => Config): void {
  const run = (fn: Parameters<typeof withOperator<Opts>>[1]) => withOperator<Opts>(config, fn);
  const accountId = accountIdOption;

  const account = program.command('account').description('customer accounts');
  account
    .command('create')
    .requiredOption('--name <name>', 'account name')
    .option('--region <cc>', 'default region for national numbers (ISO code)', 'CN')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_ACCOUNT_ID=... lines for a shell (eval "$(...)")')
    .action(run((ctx, o) => createAccount(ctx, { Name: o.name, Region: o.region })));
  account.command('list').option('--json', 'print JSON')
    .action(run(async (ctx) => ({ Accounts: (await listAccounts(ctx)).Accounts.map(legacyAccount) })));

  const key = program.command('key').description('API keys (PublicKey/PrivateKey, also ACCESSKEY_ID/ACCESSKEY_SECRET)');
  key
    .command('create')
    .requiredOption('--account <id>')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_PUBLIC_KEY=... lines for a shell')
    .action(run((ctx, o) => createKey(ctx, { AccountId: accountId(o) })));
  key.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(run((ctx, o) => listKeys(ctx, { AccountId: accountId(o) })));
  key
    .command('revoke')
    .description(`revokes in the database, then tells the server at --server (default http://USMS_HOST:USMS_PORT) to drop the key from its caches at once; other servers stop accepting it within ${KEY_TTL_MS / 1000} s`)
    .requiredOption('--account <id>')
    .requiredOption('--key <publicKey>')
    .option('--server <url>', 'the running server to tell (default: USMS_HOST:USMS_PORT)')
    .option('--json', 'print JSON')
    .action(run(async (ctx, o, cfg) => {
      const { AccountId: id, Revoked: publicKey } = await revokeKey(ctx, { AccountId: accountId(o), PublicKey: o.key });
      const server = typeof o.server === 'string' ? o.server.replace(/\/+$/, '') : localServer(cfg);
      const told = await tellServer(server, existingOperatorToken(cfg.dataDir, process.env.USMS_OPERATOR_TOKEN), id, publicKey);
      return told === true
        ? { Revoked: publicKey, Server: server, Immediate: true }
        : { Revoked: publicKey, Server: server, Immediate: false, Note: `${told}; running servers stop accepting the key within ${KEY_TTL_MS / 1000} s` };
    }));

  const template = program.command('template').description('message templates ({1}, {2} placeholders)');
  template
    .command('create')
    .requiredOption('--account <id>')
    .requiredOption('--content <text>')
    .option('--name <name>', 'template name (default: its TemplateId)')
    .option('--purpose <n>', '1 verification code, 2 notification, 3 marketing', '2')
    .option('--unsubscribe-info <text>', 'how to unsubscribe (required for marketing, purpose 3)')
    .option('--remark <text>', 'a note for the reviewer')
    .option('--approve', 'approve at once')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_TEMPLATE_ID=... for a shell')
    .action(run(async (ctx, o) => {
      const created = await createTemplate(ctx, {
        AccountId: accountId(o),
        Template: o.content,
        TemplateName: o.name,
        Purpose: o.purpose,
        UnsubscribeInfo: o.unsubscribeInfo,
        Remark: o.remark,
        Approve: Boolean(o.approve),
      });
      return { TemplateId: created.TemplateId };
    }));
  for (const verb of ['approve', 'reject'] as const) {
    template
      .command(verb)
      .requiredOption('--account <id>')
      .requiredOption('--id <templateId>')
      .option('--reason <text>', 'shown to the customer')
      .option('--json', 'print JSON')
      .action(run((ctx, o) => reviewTemplate(ctx, { AccountId: accountId(o), TemplateId: o.id, Decision: verb, Reason: o.reason })));
  }
  template.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(run(async (ctx, o) => ({ Templates: (await listTemplates(ctx, { AccountId: accountId(o) })).Templates.map(legacyTemplate) })));

  const sender = program.command('sender').description('sender names / signatures');
  sender
    .command('create')
    .requiredOption('--account <id>')
    .requiredOption('--name <name>')
    .option('--approve', 'approve at once')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_SIG_ID=... for a shell')
    .action(run(async (ctx, o) => ({ SigId: (await createSender(ctx, { AccountId: accountId(o), SigContent: o.name, Approve: Boolean(o.approve) })).SigId })));
  sender
    .command('approve')
    .requiredOption('--account <id>')
    .requiredOption('--id <sigId>')
    .option('--json', 'print JSON')
    .action(run((ctx, o) => reviewSender(ctx, { AccountId: accountId(o), SigId: o.id, Decision: 'approve' })));
  sender.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(run(async (ctx, o) => ({ Senders: (await listSenders(ctx, { AccountId: accountId(o) })).Senders.map(legacySender) })));

  const blacklist = program.command('blacklist').description("an account's blocked numbers");
  blacklist.command('add').requiredOption('--account <id>').requiredOption('--phone <number>').option('--json', 'print JSON')
    .action(run((ctx, o) => addBlacklisted(ctx, { AccountId: accountId(o), Phone: o.phone })));
  blacklist.command('remove').requiredOption('--account <id>').requiredOption('--phone <number>').option('--json', 'print JSON')
    .action(run((ctx, o) => removeBlacklisted(ctx, { AccountId: accountId(o), Phone: o.phone })));
  blacklist.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(run((ctx, o) => listBlacklisted(ctx, { AccountId: accountId(o) })));

  const sandbox = program.command('sandbox').description('the built-in sandbox carrier');
  sandbox.command('inbox').option('--limit <n>', 'how many', '20').option('--json', 'print JSON')
    .action(run((ctx, o) => sandboxInbox(ctx, { Limit: o.limit })));
}

/** The server this machine runs with the same configuration (a wildcard listen address is reached on loopback). */
export function localServer(cfg: Config): string {
  const host = cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host === '::' ? '::1' : cfg.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${cfg.port}`;
}

/** How long `key revoke` waits for the running server. */
const SERVER_TIMEOUT_MS = 3_000;

/**
 * Asks the server at `url` to revoke the key and drop it from every HTTP thread's cache
 * (POST /operator/keys/revoke). True when it did; otherwise why not.
 */
async function tellServer(url: string, token: string | undefined, accountId: number, publicKey: string): Promise<true | string> {
  if (!token) return 'no operator token (USMS_OPERATOR_TOKEN or <data dir>/operator.token) to reach a running server with';
  try {
    const res = await fetch(`${url}/operator/keys/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ AccountId: accountId, PublicKey: publicKey }),
      signal: AbortSignal.timeout(SERVER_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => undefined)) as { Revoked?: unknown; Message?: unknown } | undefined;
    if (res.ok && body?.Revoked === publicKey) return true;
    return `the server at ${url} answered HTTP ${res.status}${typeof body?.Message === 'string' ? ` (${body.Message})` : ''}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return `no usms server answered at ${url} (${cause})`;
  }
}
