import { Option, type Command } from 'commander';
import { UsmsClient, type Dialect } from '../client/index.ts';

/** How the customer-side commands (`send`, `batch`) reach a server: URL, credentials, dialect, retries. */
export interface ConnectionOpts {
  url: string;
  key: string;
  secret: string;
  dialect: Dialect;
  accountId?: string;
  projectId?: string;
  timeout?: string;
  retries?: string;
}

/** The server, credentials and wire dialect; the secret can come from USMS_API_SECRET instead of argv. */
export function withConnection(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'server root URL').env('USMS_API_URL').makeOptionMandatory())
    .addOption(new Option('--key <publicKey>', 'PublicKey / ACCESSKEY_ID').env('USMS_API_KEY').makeOptionMandatory())
    .addOption(new Option('--secret <privateKey>', 'PrivateKey / ACCESSKEY_SECRET').env('USMS_API_SECRET').makeOptionMandatory())
    .addOption(new Option('--dialect <dialect>', 'wire dialect').choices(['uspeedo', 'ucloud', 'rest']).default('uspeedo'))
    .option('--account-id <id>', 'uSpeedo AccountId to send')
    .option('--project-id <id>', 'UCloud ProjectId to send')
    .option('--timeout <ms>', 'per attempt', '30000')
    .option('--retries <n>', 'retries for network errors and 5xx (same idempotency key)', '3');
}

export function clientFrom(opts: ConnectionOpts): UsmsClient {
  const accountId = opts.accountId === undefined ? undefined : Number(opts.accountId);
  if (accountId !== undefined && !Number.isInteger(accountId)) throw new Error('--account-id must be a number');
  return new UsmsClient({
    url: opts.url,
    publicKey: opts.key,
    privateKey: opts.secret,
    dialect: opts.dialect,
    accountId,
    projectId: opts.projectId,
    timeoutMs: positive(opts.timeout, '--timeout'),
    retries: positive(opts.retries, '--retries'),
  });
}

function positive(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}
