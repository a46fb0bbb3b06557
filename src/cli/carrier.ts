import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { BIND_TYPES, CARRIER_DEFAULTS, type CarrierInput } from '../operator/carrier-input.ts';
import { addCarrier, carrierStatus, listCarriers, removeCarrier, updateCarrier } from '../operator/carriers.ts';
import { listInbound } from '../operator/inbound.ts';
import { withOperator } from './db-command.ts';
import { shownRoutes } from './routes.ts';

interface CarrierOpts {
  name: string;
  kind?: string;
  preset?: string;
  baseUrl?: string;
  username?: string;
  from?: string;
  host?: string;
  port?: string;
  tls?: boolean;
  systemId?: string;
  password?: string;
  passwordEnv?: string;
  systemType?: string;
  bind?: string;
  window?: string;
  prefetch?: string;
  binds?: string;
  throughput?: string;
  gsmPacking?: boolean;
  latin1?: boolean;
  split?: string;
  idFormat?: string;
  policy?: string;
  prefix?: string;
  account?: string;
  default?: boolean;
  priority?: string;
  weight?: string;
  cost?: string;
  sourceAddr?: string;
  serviceType?: string;
  responseTimeoutMs?: string;
  enquireLinkMs?: string;
  moAccount?: string;
  json?: boolean;
}

/** The flags as the operator layer's carrier input (the same object the console sends as JSON). */
function carrierInput(o: CarrierOpts): CarrierInput {
  return {
    Name: o.name,
    Kind: o.kind,
    Preset: o.preset,
    BaseUrl: o.baseUrl,
    Username: o.username,
    From: o.from,
    Host: o.host,
    Port: o.port,
    Tls: o.tls,
    SystemId: o.systemId,
    Password: passwordOf(o),
    SystemType: o.systemType,
    BindType: o.bind,
    Window: o.window,
    Prefetch: o.prefetch,
    Binds: o.binds,
    Throughput: o.throughput,
    GsmPacking: o.gsmPacking,
    Latin1: o.latin1,
    Split: o.split,
    IdFormat: o.idFormat,
    Policy: o.policy,
    RoutePrefixes: o.prefix,
    RouteAccounts: o.account,
    Default: o.default,
    Priority: o.priority,
    Weight: o.weight,
    Cost: o.cost,
    SourceAddr: o.sourceAddr,
    ServiceType: o.serviceType,
    ResponseTimeoutMs: o.responseTimeoutMs,
    EnquireLinkMs: o.enquireLinkMs,
    MoAccount: o.moAccount,
  };
}

/**
 * `usms carrier add|update|list|remove|status`: SMPP carriers, their routes and their live state. Works on
 * the same database as a running server, whose delivery thread picks changes up within
 * USMS_CARRIER_POLL_MS (3 s by default). The password is sealed with the master key and never shown.
 */
export function registerCarrierCommands(program: Command, config: () => Config): void {
  const carrier = program.command('carrier').description('SMPP carriers (connections to SMSCs) and message routing');

  carrierOptions(
    carrier
      .command('add')
      .description('add a carrier: SMPP (--host --port --system-id) or HTTP (--kind http --preset twilio|vonage --username); routes: --prefix and/or --account, or --default')
      .requiredOption('--name <name>', 'carrier name (letters, digits, _ . -)')
      .option('--kind <kind>', 'smpp | http', 'smpp')
      .option('--host <host>', 'SMSC host (SMPP)')
      .option('--port <port>', 'SMSC port (SMPP)')
      .option('--system-id <id>', 'bind system_id (SMPP)')
      .option('--preset <name>', 'HTTP: the provider\'s API: twilio | vonage')
      .option('--base-url <url>', 'HTTP: where the provider\'s API is (default: the provider\'s own; a private deployment or a test fake)')
      .option('--username <id>', 'HTTP: the account at the provider (Twilio Account SID, Vonage api_key); its secret with --password-env')
      .option('--from <sender>', 'HTTP: the sender number or name the provider sends from (default: the message\'s sender)'),
  )
    .option('--json', 'print JSON')
    .action(withOperator<CarrierOpts>(config, async (ctx, o) => {
      if (passwordOf(o) === undefined) throw new Error('give --password or --password-env');
      if (o.kind === 'smpp') {
        for (const [flag, value] of [['--host', o.host], ['--port', o.port], ['--system-id', o.systemId]] as const) if (value === undefined) throw new Error(`an SMPP carrier needs ${flag}`);
      }
      const { Added, Routed, Routes } = await addCarrier(ctx, carrierInput(o));
      return { Added, ...(Routed ? {} : { Warning: 'no --prefix, --account or --default: this carrier takes no messages' }), Routes: shownRoutes(Routes, o.json) };
    }));

  carrierOptions(
    carrier
      .command('update')
      .description('change some settings of a carrier, keep the rest; anything but routes makes running nodes rebind')
      .requiredOption('--name <name>', 'the carrier to change')
      .option('--host <host>', 'SMSC host')
      .option('--port <port>', 'SMSC port')
      .option('--system-id <id>', 'bind system_id'),
  )
    .option('--json', 'print JSON')
    .action(withOperator<CarrierOpts>(config, async (ctx, o) => {
      const { Routes, ...result } = await updateCarrier(ctx, o.name, { ...carrierInput(o), Name: undefined });
      return { ...result, Routes: shownRoutes(Routes, o.json) };
    }));

  carrier
    .command('list')
    .description('configured carriers (without passwords) and the routing table')
    .option('--json', 'print JSON')
    .action(withOperator(config, async (ctx, o) => {
      const { Carriers, Routes } = await listCarriers(ctx);
      // The live state has a command of its own (`carrier status`).
      return { Carriers: Carriers.map(({ Status: _live, ...c }) => c), Routes: shownRoutes(Routes, o.json) };
    }));

  carrier
    .command('remove')
    .description('remove a carrier: the running server unbinds it; its queued messages are routed again')
    .requiredOption('--name <name>')
    .option('--json', 'print JSON')
    .action(withOperator<{ name: string; json?: boolean }>(config, async (ctx, o) => {
      const { Routes, ...result } = await removeCarrier(ctx, o.name);
      return { ...result, Routes: shownRoutes(Routes, o.json) };
    }));

  carrier
    .command('status')
    .description('live state as the delivery thread reports it every second: binds, window in use, rate, errors')
    .option('--name <name>', 'one carrier')
    .option('--json', 'print JSON')
    .action(withOperator<{ name?: string; json?: boolean }>(config, (ctx, o) => carrierStatus(ctx, { Name: o.name })));

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
    .action(withOperator<{ account?: string; limit: string; json?: boolean }>(config, async (ctx, o) => {
      let accountId: number | undefined;
      if (o.account !== undefined) {
        accountId = Number(o.account);
        if (!Number.isInteger(accountId)) throw new Error('--account must be a whole number');
      }
      const page = await listInbound(ctx, accountId === undefined ? { Unowned: true, Limit: o.limit } : { AccountId: accountId, Limit: o.limit });
      return { Messages: page.Messages };
    }));
}

/** --password, or the variable --password-env names; undefined when neither is given. */
function passwordOf(o: { password?: string; passwordEnv?: string }): string | undefined {
  if (!o.passwordEnv) return o.password;
  const password = process.env[o.passwordEnv];
  if (password === undefined) throw new Error(`--password-env: ${o.passwordEnv} is not set`);
  return password;
}

/**
 * The connection, encoding and routing options of `carrier add` and `carrier update`. None has a
 * commander default: on add, the operator layer fills in what was not given with the defaults of the
 * carrier's kind (an HTTP preset's own window and rate, say); on update, what was not given is kept.
 * Flags have --no- forms to turn off.
 */
function carrierOptions(cmd: Command): Command {
  const d = (v: unknown) => ` (add, SMPP: ${String(v) || '""'})`;
  return cmd
    .option('--tls', 'connect over TLS')
    .option('--no-tls', 'connect without TLS')
    .option('--password <pw>', 'bind password (prefer --password-env: command lines are visible to other users)')
    .option('--password-env <VAR>', 'read the bind password from this environment variable')
    .option('--system-type <type>', 'bind system_type' + d(CARRIER_DEFAULTS.systemType))
    .option('--bind <type>', `bind type: ${BIND_TYPES.join(' | ')}` + d(CARRIER_DEFAULTS.bindType))
    .option('--window <n>', 'unanswered submit_sm allowed per bind' + d(CARRIER_DEFAULTS.window))
    .option('--prefetch <n>', 'messages claimed ahead of the window, so a freed slot refills at once; a node that dies leaves at most window + prefetch unknown (default on add: the window)')
    .option('--throughput <n>', 'messages per second per bind (0 = no cap)' + d(CARRIER_DEFAULTS.throughput))
    .option('--binds <n>', 'binds allowed in the whole cluster (each node binds at most once)' + d(CARRIER_DEFAULTS.binds))
    .option('--gsm-packing', 'pack GSM-7 septets (default: one septet per octet, data_coding 0)')
    .option('--no-gsm-packing', 'one GSM-7 septet per octet')
    .option('--latin1', 'send Latin-1 text as data_coding 3 instead of UCS-2')
    .option('--no-latin1', 'send non-GSM text as UCS-2')
    .option('--split <method>', 'long messages: udh8 | udh16 | sar | payload' + d(CARRIER_DEFAULTS.split))
    .option('--id-format <fmt>', 'carrier message ids: hex | decimal | string, or resp,receipt (e.g. hex,decimal)' + d('string'))
    .option('--policy <policy>', 'when the outcome is unknown: at-most-once (never resend) | at-least-once (resend)' + d(CARRIER_DEFAULTS.policy))
    .option('--prefix <codes>', 'route destinations with these calling-code prefixes, e.g. 86,44 ("" for none)')
    .option('--account <ids>', 'route messages of these AccountIds ("" for none)')
    .option('--default', 'be on the default route (every destination no other route matches); default carriers share it by --priority')
    .option('--no-default', 'leave the default route')
    .option('--priority <n>', 'on its routes: lower is tried first, the next takes over while it is down (0..1000; add: 0)')
    .option('--weight <n>', 'on its routes: share of traffic among carriers of equal priority and cost (1..1000; add: 1)')
    .option('--cost <amount>', 'on its routes: price a segment, such as 0.012; the cheaper of equal priority goes first ("none": not known)')
    .option('--source-addr <addr>', "fixed originating address (service number; ExtendCode is appended); default: the message's sender")
    .option('--service-type <type>', 'submit_sm service_type' + d(CARRIER_DEFAULTS.serviceType))
    .option('--response-timeout-ms <ms>', 'per-PDU response timeout' + d(CARRIER_DEFAULTS.responseTimeoutMs))
    .option('--enquire-link-ms <ms>', 'keep-alive interval (0 = off)' + d(CARRIER_DEFAULTS.enquireLinkMs))
    .option('--mo-account <id>', 'AccountId that gets inbound messages no other account owns ("none" to clear)');
}
