import { parseAccounts, parsePrefixes, PRIORITY_MAX, WEIGHT_MAX } from '../sms/route-rules.ts';
import type { SplitMethod } from '../carriers/smpp-message.ts';
import { httpSettingsFor } from '../carriers/http-presets.ts';
import { normalizeHttpSettings, type HttpPreset } from '../carriers/http-settings.ts';
import { BIND_TYPES, CARRIER_DEFAULTS, parseIdFormat, validateCarrier, type BindType, type DeliveryPolicy, type NewCarrier } from '../store/carriers.ts';
import { badInput } from './actor.ts';
import { amountInput } from './billing.ts';
import { asInput, optionalBool, optionalInt, optionalList, optionalString } from './input.ts';

/**
 * A carrier's settings as a caller gives them: the console's JSON body or the CLI's flags (strings),
 * with the names `listCarriers` answers. Lists are arrays or comma-separated text; `MoAccount` null or
 * "none" clears it. On update a field left out keeps the carrier's value.
 */
export interface CarrierInput {
  Name?: unknown;
  /** smpp (default) | http */
  Kind?: unknown;
  /** HTTP: twilio | vonage, filled with BaseUrl, Username and From; or Settings, a whole custom mapping */
  Preset?: unknown;
  BaseUrl?: unknown;
  Username?: unknown;
  From?: unknown;
  Settings?: unknown;
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
  /** On the carrier's routes: lower first (0..1000, default 0); then Cost, cheaper first; Weight shares among equals. */
  Priority?: unknown;
  Weight?: unknown;
  /** a decimal amount a segment, such as 0.012; 'none' or null: not known */
  Cost?: unknown;
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

/** The fields given, read and checked one by one; the whole carrier is checked by `checkCarrier`. */
export function parseCarrierChanges(input: CarrierInput): CarrierChanges {
  const text = (v: unknown, field: string) => optionalString(v, field, TEXT_MAX);
  const prefixes = optionalList(input.RoutePrefixes, 'RoutePrefixes');
  const accounts = optionalList(input.RouteAccounts, 'RouteAccounts');
  const idFormat = text(input.IdFormat, 'IdFormat');
  let cost: number | null | undefined;
  if (input.Cost === null || input.Cost === 'none') cost = null;
  else if (input.Cost !== undefined && input.Cost !== '') cost = amountInput(input.Cost, 'Cost', 'non-negative');
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
    priority: optionalInt(input.Priority, 'Priority', { min: 0, max: PRIORITY_MAX }),
    weight: optionalInt(input.Weight, 'Weight', { min: 1, max: WEIGHT_MAX }),
    cost,
    sourceAddr: text(input.SourceAddr, 'SourceAddr'),
    serviceType: text(input.ServiceType, 'ServiceType'),
    responseTimeoutMs: optionalInt(input.ResponseTimeoutMs, 'ResponseTimeoutMs'),
    enquireLinkMs: optionalInt(input.EnquireLinkMs, 'EnquireLinkMs'),
    moAccount,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as CarrierChanges;
}

/** Where a new carrier goes: its prefixes, accounts, default route, and its terms on them. */
function routesOf(c: CarrierChanges) {
  return {
    prefixes: c.prefixes ?? [],
    accounts: c.accounts ?? [],
    isDefault: c.isDefault ?? false,
    ...(c.priority !== undefined && { priority: c.priority }),
    ...(c.weight !== undefined && { weight: c.weight }),
    ...(c.cost !== undefined && { cost: c.cost }),
  };
}

/**
 * A new HTTP carrier: Name, Preset (or Settings), BaseUrl for a preset when not the provider's own,
 * Username and Password (the provider's secret, sealed by the store). Window is the requests in flight
 * at most (default 10), Throughput the requests a second.
 */
function parseNewHttpCarrier(input: CarrierInput, c: CarrierChanges): NewCarrier {
  const text = (v: unknown, field: string) => optionalString(v, field, TEXT_MAX);
  const name = text(input.Name, 'Name');
  if (!name) throw badInput('Name is required');
  if (c.password === undefined || c.password === '') throw badInput('Password is required (the provider\'s auth token or secret)');
  const preset = text(input.Preset, 'Preset');
  const overrides = {
    ...(input.BaseUrl !== undefined ? { baseUrl: text(input.BaseUrl, 'BaseUrl') } : {}),
    ...(input.Username !== undefined ? { username: text(input.Username, 'Username') } : {}),
    ...(input.From !== undefined ? { from: text(input.From, 'From') } : {}),
  };
  let settings;
  if (input.Settings !== undefined) settings = asInput(() => normalizeHttpSettings({ ...(input.Settings as object), ...overrides }));
  else if (preset) settings = asInput(() => httpSettingsFor(preset as HttpPreset, overrides));
  else throw badInput('Preset is required for an HTTP carrier (twilio or vonage), or Settings');
  const window = c.window ?? settings.concurrency;
  const carrier: NewCarrier = {
    ...CARRIER_DEFAULTS,
    kind: 'http',
    name,
    settings: JSON.stringify(settings),
    host: settings.baseUrl,
    port: 0,
    systemId: settings.username,
    password: c.password,
    window,
    prefetch: c.prefetch ?? window,
    binds: c.binds ?? CARRIER_DEFAULTS.binds,
    throughput: c.throughput ?? settings.throughput,
    policy: c.policy ?? CARRIER_DEFAULTS.policy,
    ...routesOf(c),
    moAccount: null,
  };
  checkCarrier(carrier);
  return carrier;
}

/** A new carrier: Name, Host, Port, SystemId and Password are required, the rest has the defaults. */
export function parseNewCarrier(input: CarrierInput): NewCarrier {
  const c = parseCarrierChanges(input);
  const kind = optionalString(input.Kind, 'Kind', 16) ?? 'smpp';
  if (kind === 'http') return parseNewHttpCarrier(input, c);
  if (kind !== 'smpp') throw badInput('Kind must be smpp or http');
  const name = optionalString(input.Name, 'Name', TEXT_MAX);
  for (const [field, value] of [['Name', name], ['Host', c.host], ['Port', c.port], ['SystemId', c.systemId], ['Password', c.password]] as const) {
    if (value === undefined || value === '') throw badInput(`${field} is required`);
  }
  const window = c.window ?? CARRIER_DEFAULTS.window;
  const carrier: NewCarrier = {
    kind: 'smpp',
    settings: '',
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
    ...routesOf(c),
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
  'Kind', 'Preset', 'BaseUrl', 'Username', 'From', 'Settings', 'Host', 'Port', 'Tls', 'SystemId', 'Password', 'SystemType', 'BindType', 'Window', 'Prefetch', 'Binds', 'Throughput', 'GsmPacking',
  'Latin1', 'Split', 'IdFormat', 'Policy', 'RoutePrefixes', 'RouteAccounts', 'Default', 'Priority', 'Weight', 'Cost', 'SourceAddr', 'ServiceType', 'ResponseTimeoutMs',
  'EnquireLinkMs', 'MoAccount',
] satisfies Array<keyof CarrierInput>);

/** The names of the settings given (for the audit log: never the password itself). */
export function changedFields(input: CarrierInput): string[] {
  return Object.entries(input).filter(([k, v]) => v !== undefined && SETTINGS.has(k)).map(([k]) => k);
}
