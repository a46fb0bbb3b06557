import { parseAccounts, parsePrefixes } from '../carriers/routing.ts';
import type { SplitMethod } from '../carriers/smpp-message.ts';
import { BIND_TYPES, CARRIER_DEFAULTS, parseIdFormat, validateCarrier, type BindType, type DeliveryPolicy, type NewCarrier } from '../store/carriers.ts';
import { badInput } from './actor.ts';
import { optionalBool, optionalInt, optionalString } from './input.ts';

/**
 * A carrier's settings as a caller gives them: the console's JSON body or the CLI's flags (strings),
 * with the names `listCarriers` answers. Lists are arrays or comma-separated text; `MoAccount` null or
 * "none" clears it. On update a field left out keeps the carrier's value.
 */
export interface CarrierInput {
  Name?: unknown;
  Host?: unknown;
  Port?: unknown;
  Tls?: unknown;
  SystemId?: unknown;
  /** Sealed by the store, never answered. */
  Password?: unknown;
  SystemType?: unknown;
  BindType?: unknown;
  Window?: unknown;
  Prefetch?: unknown;
  Binds?: unknown;
  Throughput?: unknown;
  GsmPacking?: unknown;
  Latin1?: unknown;
  Split?: unknown;
  /** hex | decimal | string, or resp,receipt */
  IdFormat?: unknown;
  Policy?: unknown;
  RoutePrefixes?: unknown;
  RouteAccounts?: unknown;
  Default?: unknown;
  SourceAddr?: unknown;
  ServiceType?: unknown;
  ResponseTimeoutMs?: unknown;
  EnquireLinkMs?: unknown;
  MoAccount?: unknown;
}

/** The defaults a new carrier gets, for callers that show them (the CLI's help). */
export { BIND_TYPES, CARRIER_DEFAULTS };

export type CarrierChanges = Partial<Omit<NewCarrier, 'name'>>;

const TEXT_MAX = 255;

/** The store's and the router's own checks answer plain errors: here they are the caller's bad input. */
function asInput<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw badInput((err as Error).message);
  }
}

function list(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw badInput(`${field} must be a list (or comma-separated text)`);
}

/** The fields given, read and checked one by one; the whole carrier is checked by `checkCarrier`. */
export function parseCarrierChanges(input: CarrierInput): CarrierChanges {
  const text = (v: unknown, field: string) => optionalString(v, field, TEXT_MAX);
  const prefixes = list(input.RoutePrefixes, 'RoutePrefixes');
  const accounts = list(input.RouteAccounts, 'RouteAccounts');
  const idFormat = text(input.IdFormat, 'IdFormat');
  let moAccount: number | null | undefined;
  if (input.MoAccount === null || input.MoAccount === 'none') moAccount = null;
  else moAccount = optionalInt(input.MoAccount, 'MoAccount', { min: 1 });
  const changes: CarrierChanges = {
    host: text(input.Host, 'Host'),
    port: optionalInt(input.Port, 'Port'),
    tls: optionalBool(input.Tls, 'Tls'),
    systemId: text(input.SystemId, 'SystemId'),
    password: text(input.Password, 'Password'),
    systemType: text(input.SystemType, 'SystemType'),
    bindType: text(input.BindType, 'BindType') as BindType | undefined,
    window: optionalInt(input.Window, 'Window'),
    prefetch: optionalInt(input.Prefetch, 'Prefetch'),
    binds: optionalInt(input.Binds, 'Binds'),
    throughput: optionalInt(input.Throughput, 'Throughput'),
    gsmPacking: optionalBool(input.GsmPacking, 'GsmPacking'),
    latin1: optionalBool(input.Latin1, 'Latin1'),
    split: text(input.Split, 'Split') as SplitMethod | undefined,
    idFormat: idFormat === undefined ? undefined : asInput(() => parseIdFormat(idFormat)),
    policy: text(input.Policy, 'Policy') as DeliveryPolicy | undefined,
    prefixes: prefixes === undefined ? undefined : asInput(() => parsePrefixes(prefixes)),
    accounts: accounts === undefined ? undefined : asInput(() => parseAccounts(accounts)),
    isDefault: optionalBool(input.Default, 'Default'),
    sourceAddr: text(input.SourceAddr, 'SourceAddr'),
    serviceType: text(input.ServiceType, 'ServiceType'),
    responseTimeoutMs: optionalInt(input.ResponseTimeoutMs, 'ResponseTimeoutMs'),
    enquireLinkMs: optionalInt(input.EnquireLinkMs, 'EnquireLinkMs'),
    moAccount,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as CarrierChanges;
}

/** A new carrier: Name, Host, Port, SystemId and Password are required, the rest has the defaults. */
export function parseNewCarrier(input: CarrierInput): NewCarrier {
  const c = parseCarrierChanges(input);
  const name = optionalString(input.Name, 'Name', TEXT_MAX);
  for (const [field, value] of [['Name', name], ['Host', c.host], ['Port', c.port], ['SystemId', c.systemId], ['Password', c.password]] as const) {
    if (value === undefined || value === '') throw badInput(`${field} is required`);
  }
  const window = c.window ?? CARRIER_DEFAULTS.window;
  const carrier: NewCarrier = {
    name: name!,
    host: c.host!,
    port: c.port!,
    tls: c.tls ?? CARRIER_DEFAULTS.tls,
    systemId: c.systemId!,
    password: c.password!,
    systemType: c.systemType ?? CARRIER_DEFAULTS.systemType,
    bindType: c.bindType ?? CARRIER_DEFAULTS.bindType,
    window,
    // Default: one window ahead, which keeps the window full (bench/RESULTS.md, SMPP rows).
    prefetch: c.prefetch ?? window,
    binds: c.binds ?? CARRIER_DEFAULTS.binds,
    throughput: c.throughput ?? CARRIER_DEFAULTS.throughput,
    gsmPacking: c.gsmPacking ?? CARRIER_DEFAULTS.gsmPacking,
    latin1: c.latin1 ?? CARRIER_DEFAULTS.latin1,
    split: c.split ?? CARRIER_DEFAULTS.split,
    idFormat: c.idFormat ?? CARRIER_DEFAULTS.idFormat,
    policy: c.policy ?? CARRIER_DEFAULTS.policy,
    prefixes: c.prefixes ?? [],
    accounts: c.accounts ?? [],
    isDefault: c.isDefault ?? false,
    sourceAddr: c.sourceAddr ?? CARRIER_DEFAULTS.sourceAddr,
    serviceType: c.serviceType ?? CARRIER_DEFAULTS.serviceType,
    responseTimeoutMs: c.responseTimeoutMs ?? CARRIER_DEFAULTS.responseTimeoutMs,
    enquireLinkMs: c.enquireLinkMs ?? CARRIER_DEFAULTS.enquireLinkMs,
    moAccount: c.moAccount ?? null,
  };
  checkCarrier(carrier);
  return carrier;
}

/** The store's whole-carrier rules (name, port range, window, lengths...), as bad input. */
export function checkCarrier(c: NewCarrier): void {
  asInput(() => validateCarrier(c));
}

const SETTINGS: ReadonlySet<string> = new Set([
  'Host', 'Port', 'Tls', 'SystemId', 'Password', 'SystemType', 'BindType', 'Window', 'Prefetch', 'Binds', 'Throughput', 'GsmPacking',
  'Latin1', 'Split', 'IdFormat', 'Policy', 'RoutePrefixes', 'RouteAccounts', 'Default', 'SourceAddr', 'ServiceType', 'ResponseTimeoutMs',
  'EnquireLinkMs', 'MoAccount',
] satisfies Array<keyof CarrierInput>);

/** The names of the settings given (for the audit log: never the password itself). */
export function changedFields(input: CarrierInput): string[] {
  return Object.entries(input).filter(([k, v]) => v !== undefined && SETTINGS.has(k)).map(([k]) => k);
}
