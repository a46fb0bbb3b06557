import type { Command } from 'commander';
import { SecretBox } from '../auth/secrets.ts';
import type { Config } from '../config.ts';
import { normalizePhone } from '../sms/phone.ts';
import { createAccount, listAccounts, requireAccount } from '../store/accounts.ts';
import { addToBlacklist, listBlacklist, removeFromBlacklist } from '../store/blacklist.ts';
import type { Db } from '../store/db.ts';
import { sandboxInbox } from '../store/inbox.ts';
import { createKey, listKeys, revokeKey } from '../store/keys.ts';
import { createSender, listSenders, setSenderStatus } from '../store/senders.ts';
import { createTemplate, listTemplates, setTemplateStatus, TemplateStatus } from '../store/templates.ts';
import { accountIdOption, withDatabase, type CliOpts } from './db-command.ts';
import { KEY_TTL_MS } from '../actions/lookups.ts';
import { existingOperatorToken } from '../http/operator.ts';

type Opts = CliOpts;

/** Operator commands; they work on the same database as a running server. */
export function registerAdminCommands(program: Command, config: () => Config): void {
  const withDb = (fn: (db: Db, opts: Opts, box: () => SecretBox) => Promise<unknown>) =>
    withDatabase<Opts>(config, (db, opts, cfg) => fn(db, opts, () => SecretBox.open(cfg.dataDir, cfg.masterKey)));
  const accountId = accountIdOption;
  const phone = async (db: Db, opts: Opts) => {
    const account = await requireAccount(db, accountId(opts));
    const p = normalizePhone(String(opts.phone ?? ''), account.region);
    if (!p.ok) throw new Error(`--phone ${String(opts.phone)}: ${p.reason}`);
    return { account, e164: p.e164 };
  };

  const account = program.command('account').description('customer accounts');
  account
    .command('create')
    .requiredOption('--name <name>', 'account name')
    .option('--region <cc>', 'default region for national numbers (ISO code)', 'CN')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_ACCOUNT_ID=... lines for a shell (eval "$(...)")')
    .action(withDb((db, o, box) => createAccount(db, box(), { name: String(o.name), region: String(o.region) })));
  account.command('list').option('--json', 'print JSON').action(withDb(async (db) => ({ Accounts: await listAccounts(db) })));

  const key = program.command('key').description('API keys (PublicKey/PrivateKey, also ACCESSKEY_ID/ACCESSKEY_SECRET)');
  key
    .command('create')
    .requiredOption('--account <id>')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_PUBLIC_KEY=... lines for a shell')
    .action(withDb(async (db, o, box) => {
      const id = (await requireAccount(db, accountId(o))).id;
      const pair = await createKey(db, box(), id);
      return { AccountId: id, PublicKey: pair.publicKey, PrivateKey: pair.privateKey };
    }));
  key.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(withDb(async (db, o) => ({ Keys: await listKeys(db, accountId(o)) })));
  key
    .command('revoke')
    .description(`revokes in the database, then tells the server at --server (default http://USMS_HOST:USMS_PORT) to drop the key from its caches at once; other servers stop accepting it within ${KEY_TTL_MS / 1000} s`)
    .requiredOption('--account <id>')
    .requiredOption('--key <publicKey>')
    .option('--server <url>', 'the running server to tell (default: USMS_HOST:USMS_PORT)')
    .option('--json', 'print JSON')
    .action(withDatabase<Opts>(config, async (db, o, cfg) => {
      const id = accountId(o);
      const publicKey = String(o.key);
      if (!(await revokeKey(db, id, publicKey))) throw new Error(`no key ${publicKey} in account ${id}`);
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
    .option('--name <name>')
    .option('--purpose <n>', '1 verification code, 2 notification, 3 marketing', '2')
    .option('--approve', 'approve at once')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_TEMPLATE_ID=... for a shell')
    .action(withDb(async (db, o) => {
      const id = (await requireAccount(db, accountId(o))).id;
      const purpose = Number(o.purpose);
      return { TemplateId: await createTemplate(db, { accountId: id, content: String(o.content), name: o.name as string | undefined, purpose, approve: Boolean(o.approve) }) };
    }));
  for (const [verb, status] of [['approve', TemplateStatus.Approved], ['reject', TemplateStatus.Rejected]] as const) {
    template
      .command(verb)
      .requiredOption('--account <id>')
      .requiredOption('--id <templateId>')
      .option('--reason <text>', 'shown to the customer')
      .option('--json', 'print JSON')
      .action(withDb(async (db, o) => {
        if (!(await setTemplateStatus(db, accountId(o), String(o.id), status, String(o.reason ?? '')))) throw new Error(`no template ${String(o.id)} in account ${String(o.account)}`);
        return { TemplateId: o.id, Status: status };
      }));
  }
  template.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(withDb(async (db, o) => ({ Templates: await listTemplates(db, accountId(o)) })));

  const sender = program.command('sender').description('sender names / signatures');
  sender
    .command('create')
    .requiredOption('--account <id>')
    .requiredOption('--name <name>')
    .option('--approve', 'approve at once')
    .option('--json', 'print JSON')
    .option('--env', 'print export USMS_SIG_ID=... for a shell')
    .action(withDb(async (db, o) => {
      const id = (await requireAccount(db, accountId(o))).id;
      return { SigId: await createSender(db, { accountId: id, name: String(o.name), approve: Boolean(o.approve) }) };
    }));
  sender
    .command('approve')
    .requiredOption('--account <id>')
    .requiredOption('--id <sigId>')
    .option('--json', 'print JSON')
    .action(withDb(async (db, o) => {
      if (!(await setSenderStatus(db, accountId(o), String(o.id), TemplateStatus.Approved))) throw new Error(`no sender ${String(o.id)} in account ${String(o.account)}`);
      return { SigId: o.id, Status: TemplateStatus.Approved };
    }));
  sender.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(withDb(async (db, o) => ({ Senders: await listSenders(db, accountId(o)) })));

  const blacklist = program.command('blacklist').description("an account's blocked numbers");
  blacklist.command('add').requiredOption('--account <id>').requiredOption('--phone <number>').option('--json', 'print JSON')
    .action(withDb(async (db, o) => {
      const { account: a, e164 } = await phone(db, o);
      await addToBlacklist(db, a.id, e164);
      return { AccountId: a.id, Phone: e164, Blacklisted: true };
    }));
  blacklist.command('remove').requiredOption('--account <id>').requiredOption('--phone <number>').option('--json', 'print JSON')
    .action(withDb(async (db, o) => {
      const { account: a, e164 } = await phone(db, o);
      return { AccountId: a.id, Phone: e164, Removed: await removeFromBlacklist(db, a.id, e164) };
    }));
  blacklist.command('list').requiredOption('--account <id>').option('--json', 'print JSON')
    .action(withDb(async (db, o) => ({ Phones: await listBlacklist(db, accountId(o)) })));

  const sandbox = program.command('sandbox').description('the built-in sandbox carrier');
  sandbox.command('inbox').option('--limit <n>', 'how many', '20').option('--json', 'print JSON')
    .action(withDb(async (db, o) => ({ Messages: await sandboxInbox(db, Math.max(1, Math.min(1000, Number(o.limit) || 20))) })));
}

/** The server this machine runs with the same configuration (a wildcard listen address is reached on loopback). */
function localServer(cfg: Config): string {
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
