import type { Command } from 'commander';
import { SecretBox } from '../auth/secrets.ts';
import { parseAccounts, parsePrefixes, Router } from '../carriers/routing.ts';
import type { SplitMethod } from '../carriers/smpp-message.ts';
import type { Config } from '../config.ts';
import {
  addCarrier, BIND_TYPES, CARRIER_DEFAULTS, listCarriers, parseIdFormat, readCarrierStatus, removeCarrier, routeSpecs, updateCarrier,
  type BindType, type DeliveryPolicy,
} from '../store/carriers.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { listInbound } from '../store/inbound.ts';
import { printResult } from './output.ts';
import { withDatabase } from './db-command.ts';

interface AddOpts {
  name: string;
  host: string;
  port: string;
  tls?: boolean;
  systemId: string;
  password?: string;
  passwordEnv?: string;
  systemType?: string;
  bind: string;
  window: string;
  prefetch?: string;
  binds: string;
  throughput: string;
  gsmPacking?: boolean;
  latin1?: boolean;
  split: string;
  idFormat: string;
  policy: string;
  prefix?: string;
  account?: string;
  default?: boolean;
  sourceAddr?: string;
  serviceType?: string;
  responseTimeoutMs: string;
  enquireLinkMs: string;
  moAccount?: string;
  json?: boolean;
}

const int = (v: string, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number`);
  return n;
};

/**
 * `usms carrier add|update|list|remove|status`: SMPP carriers, their routes and their live state. Works on
 * the same database as a running server, whose delivery thread picks changes up within
 * USMS_CARRIER_POLL_MS (3 s by default). The password is sealed with the master key and never shown.
 */
export function registerCarrierCommands(program: Command, config: () => Config): void {
  const withDb = <O extends { json?: boolean }>(fn: (db: Db, opts: O, cfg: Config) => Promise<unknown>) => withDatabase<O>(config, fn);


  const carrier = program.command('carrier').description('SMPP carriers (connections to SMSCs) and message routing');

  carrierOptions(
    carrier
      .command('add')
      .description('add an SMPP carrier; routes: --prefix and/or --account, or --default for everything unrouted')
      .requiredOption('--name <name>', 'carrier name (letters, digits, _ . -)')
      .requiredOption('--host <host>', 'SMSC host')
      .requiredOption('--port <port>', 'SMSC port')
      .requiredOption('--system-id <id>', 'bind system_id'),
    true,
  )
    .option('--json', 'print JSON')
    .action(withDb<AddOpts>(async (db, o, cfg) => {
      const password = passwordOf(o);
      if (password === undefined) throw new Error('give --password or --password-env');
      await addCarrier(db, SecretBox.open(cfg.dataDir, cfg.masterKey), {
        name: o.name,
        host: o.host,
        port: int(o.port, '--port'),
        tls: Boolean(o.tls),
        systemId: o.systemId,
        password,
        systemType: o.systemType ?? CARRIER_DEFAULTS.systemType,
        bindType: o.bind as BindType,
        window: int(o.window, '--window'),
        // Default: one window ahead, which keeps the window full (bench/RESULTS.md, SMPP rows).
        prefetch: o.prefetch === undefined ? int(o.window, '--window') : int(o.prefetch, '--prefetch'),
        binds: int(o.binds, '--binds'),
        throughput: int(o.throughput, '--throughput'),
        gsmPacking: Boolean(o.gsmPacking),
        latin1: Boolean(o.latin1),
        split: o.split as SplitMethod,
        idFormat: parseIdFormat(o.idFormat),
        policy: o.policy as DeliveryPolicy,
        prefixes: parsePrefixes(o.prefix),
        accounts: parseAccounts(o.account),
        isDefault: Boolean(o.default),
        sourceAddr: o.sourceAddr ?? CARRIER_DEFAULTS.sourceAddr,
        serviceType: o.serviceType ?? CARRIER_DEFAULTS.serviceType,
        responseTimeoutMs: int(o.responseTimeoutMs, '--response-timeout-ms'),
        enquireLinkMs: int(o.enquireLinkMs, '--enquire-link-ms'),
        moAccount: o.moAccount === undefined ? null : int(o.moAccount, '--mo-account'),
      });
      const routed = Boolean(o.prefix || o.account || o.default);
      return {
        Added: o.name,
        ...(routed ? {} : { Warning: 'no --prefix, --account or --default: this carrier takes no messages' }),
        Routes: new Router(await routeSpecs(db)).describe(),
      };
    }));

  carrierOptions(
    carrier
      .command('update')
      .description('change some settings of a carrier, keep the rest; anything but routes makes running nodes rebind')
      .requiredOption('--name <name>', 'the carrier to change')
      .option('--host <host>', 'SMSC host')
      .option('--port <port>', 'SMSC port')
      .option('--system-id <id>', 'bind system_id'),
    false,
  )
    .option('--json', 'print JSON')
    .action(withDb<Partial<AddOpts> & { name: string }>(async (db, o, cfg) => {
      const num = (v: string | undefined, flag: string) => (v === undefined ? undefined : int(v, flag));
      const result = await updateCarrier(db, SecretBox.open(cfg.dataDir, cfg.masterKey), o.name, {
        host: o.host,
        port: num(o.port, '--port'),
        tls: o.tls,
        systemId: o.systemId,
        password: passwordOf(o),
        systemType: o.systemType,
        bindType: o.bind as BindType | undefined,
        window: num(o.window, '--window'),
        prefetch: num(o.prefetch, '--prefetch'),
        binds: num(o.binds, '--binds'),
        throughput: num(o.throughput, '--throughput'),
        gsmPacking: o.gsmPacking,
        latin1: o.latin1,
        split: o.split as SplitMethod | undefined,
        idFormat: o.idFormat === undefined ? undefined : parseIdFormat(o.idFormat),
        policy: o.policy as DeliveryPolicy | undefined,
        prefixes: o.prefix === undefined ? undefined : parsePrefixes(o.prefix),
        accounts: o.account === undefined ? undefined : parseAccounts(o.account),
        isDefault: o.default,
        sourceAddr: o.sourceAddr,
        serviceType: o.serviceType,
        responseTimeoutMs: num(o.responseTimeoutMs, '--response-timeout-ms'),
        enquireLinkMs: num(o.enquireLinkMs, '--enquire-link-ms'),
        moAccount: o.moAccount === undefined ? undefined : o.moAccount === 'none' ? null : int(o.moAccount, '--mo-account'),
      });
      if (!result) throw new Error(`no carrier ${o.name}`);
      return {
        Updated: o.name,
        Rebind: result.reconnect,
        Carrier: (await listCarriers(db)).find((c) => c.Name === o.name),
        Routes: new Router(await routeSpecs(db)).describe(),
      };
    }));

  carrier
    .command('list')
    .description('configured carriers (without passwords) and the routing table')
    .option('--json', 'print JSON')
    .action(withDb(async (db) => ({ Carriers: await listCarriers(db), Routes: new Router(await routeSpecs(db)).describe() })));

  carrier
    .command('remove')
    .description('remove a carrier: the running server unbinds it; its queued messages are routed again')
    .requiredOption('--name <name>')
    .option('--json', 'print JSON')
    .action(withDb<{ name: string; json?: boolean }>(async (db, o) => {
      if (!(await removeCarrier(db, o.name))) throw new Error(`no carrier ${o.name}`);
      return { Removed: o.name, Routes: new Router(await routeSpecs(db)).describe() };
    }));

  carrier
    .command('status')
    .description('live state as the delivery thread reports it every second: binds, window in use, rate, errors')
    .option('--name <name>', 'one carrier')
    .option('--json', 'print JSON')
    .action(withDb<{ name?: string; json?: boolean }>(async (db, o) => ({ Carriers: await readCarrierStatus(db, o.name) })));

  registerInboundCommands(program, config);
}

/** `usms inbound list`: inbound (MO) messages as stored, for an account or the unowned ones. */
export function registerInboundCommands(program: Command, config: () => Config): void {
  program
    .command('inbound')
    .description('inbound (MO) messages received from carriers')
    .command('list')
    .option('--account <id>', 'AccountId (default: messages no account owns)')
    .option('--limit <n>', 'how many, newest first', '20')
    .option('--json', 'print JSON')
    .action(async (o: { account?: string; limit: string; json?: boolean }) => {
      const db = await openDatabase(config());
      try {
        const account = o.account === undefined ? null : int(o.account, '--account');
        printResult({ Messages: await listInbound(db, account, Math.max(1, Math.min(1000, Number(o.limit) || 20))) }, Boolean(o.json));
      } finally {
        await db.destroy();
      }
    });
}

/** --password, or the variable --password-env names; undefined when neither is given. */
function passwordOf(o: { password?: string; passwordEnv?: string }): string | undefined {
  if (!o.passwordEnv) return o.password;
  const password = process.env[o.passwordEnv];
  if (password === undefined) throw new Error(`--password-env: ${o.passwordEnv} is not set`);
  return password;
}

/**
 * The connection, encoding and routing options of `carrier add` (with their defaults) and `carrier update`
 * (without: an option not given keeps the carrier's current value). Flags have --no- forms to turn off.
 */
function carrierOptions(cmd: Command, withDefaults: boolean): Command {
  const d = (v: unknown) => (withDefaults ? String(v) : undefined);
  return cmd
    .option('--tls', 'connect over TLS')
    .option('--no-tls', 'connect without TLS')
    .option('--password <pw>', 'bind password (prefer --password-env: command lines are visible to other users)')
    .option('--password-env <VAR>', 'read the bind password from this environment variable')
    .option('--system-type <type>', 'bind system_type', d(CARRIER_DEFAULTS.systemType))
    .option('--bind <type>', `bind type: ${BIND_TYPES.join(' | ')}`, d(CARRIER_DEFAULTS.bindType))
    .option('--window <n>', 'unanswered submit_sm allowed per bind', d(CARRIER_DEFAULTS.window))
    .option('--prefetch <n>', 'messages claimed ahead of the window, so a freed slot refills at once; a node that dies leaves at most window + prefetch unknown (default on add: the window)')
    .option('--throughput <n>', 'messages per second per bind (0 = no cap)', d(CARRIER_DEFAULTS.throughput))
    .option('--binds <n>', 'binds allowed in the whole cluster (each node binds at most once)', d(CARRIER_DEFAULTS.binds))
    .option('--gsm-packing', 'pack GSM-7 septets (default: one septet per octet, data_coding 0)')
    .option('--no-gsm-packing', 'one GSM-7 septet per octet')
    .option('--latin1', 'send Latin-1 text as data_coding 3 instead of UCS-2')
    .option('--no-latin1', 'send non-GSM text as UCS-2')
    .option('--split <method>', 'long messages: udh8 | udh16 | sar | payload', d(CARRIER_DEFAULTS.split))
    .option('--id-format <fmt>', 'carrier message ids: hex | decimal | string, or resp,receipt (e.g. hex,decimal)', d('string'))
    .option('--policy <policy>', 'when the outcome is unknown: at-most-once (never resend) | at-least-once (resend)', d(CARRIER_DEFAULTS.policy))
    .option('--prefix <codes>', 'route destinations with these calling-code prefixes, e.g. 86,44 ("" for none)')
    .option('--account <ids>', 'route messages of these AccountIds ("" for none)')
    .option('--default', 'take every message no route matches (instead of the sandbox)')
    .option('--no-default', 'stop being the default carrier')
    .option('--source-addr <addr>', "fixed originating address (service number; ExtendCode is appended); default: the message's sender")
    .option('--service-type <type>', 'submit_sm service_type', d(CARRIER_DEFAULTS.serviceType))
    .option('--response-timeout-ms <ms>', 'per-PDU response timeout', d(CARRIER_DEFAULTS.responseTimeoutMs))
    .option('--enquire-link-ms <ms>', 'keep-alive interval (0 = off)', d(CARRIER_DEFAULTS.enquireLinkMs))
    .option('--mo-account <id>', 'AccountId that gets inbound messages no other account owns ("none" to clear)');
}
