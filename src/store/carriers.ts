import type { SecretBox } from '../auth/secrets.ts';
import { checkRouteTerms, parseAccounts, parsePrefixes, ROUTE_TERM_DEFAULTS, type RouteTerms } from '../sms/route-rules.ts';
import { SANDBOX, type RouteEntry } from '../sms/route-rules.ts';
import { BIND_TYPES, ID_FORMATS, type BindType, type DeliveryPolicy, type SmppSettings } from '../smpp/bind-settings.ts';
import { SPLIT_METHODS, type SplitMethod } from '../smpp/constants.ts';
import type { MessageIdFormat } from '../smpp/receipt.ts';
import type { Db } from './db.ts';
import { listRoutes, removeRoutesOf, replaceCarrierRoutes } from './routes.ts';
import type { CarrierStatusTable, CarrierTable } from './schema.ts';

export type CarrierKind = 'smpp' | 'http';
export const CARRIER_KINDS: readonly CarrierKind[] = ['smpp', 'http'];
export { BIND_TYPES, ID_FORMATS, type BindType, type DeliveryPolicy };

/**
 * A carrier's settings as the connector uses them (password in clear: only inside the delivery thread).
 * `kind` 'smpp' uses the SMPP fields; 'http' keeps its request, answer and receipt mapping as JSON in
 * `settings` (carriers/http-settings.ts), its base URL in `host`, its user in `systemId` and its secret in
 * `password`; window, prefetch, throughput, binds, policy and routes mean the same for both.
 */
export interface CarrierConfig extends SmppSettings {
  kind: CarrierKind;
  /** JSON of an HTTP carrier's settings; '' for SMPP. */
  settings: string;
  /** Binds allowed in the whole cluster: at most this many nodes bind at once (store/carrier-binds.ts). */
  binds: number;
  prefixes: string[];
  accounts: number[];
  isDefault: boolean;
  moAccount: number | null;
  updatedAt: number;
}

/**
 * A carrier as added: its settings, and how it ranks on the routes its prefixes, accounts and
 * `isDefault` give it (the `routes` table; defaults: priority 0, weight 1, cost unknown).
 */
export type NewCarrier = Omit<CarrierConfig, 'updatedAt'> & Partial<RouteTerms>;

/** The window: at most this many unanswered PDUs on one bind (configurable, default 50). */
const DEFAULT_WINDOW = 50;

export const CARRIER_DEFAULTS = {
  kind: 'smpp' as CarrierKind,
  settings: '',
  tls: false,
  systemType: '',
  bindType: 'transceiver' as BindType,
  window: DEFAULT_WINDOW,
  /** One window ahead; `carrier add` takes the carrier's own window when --prefetch is not given. */
  prefetch: DEFAULT_WINDOW,
  binds: 1,
  throughput: 0,
  gsmPacking: false,
  latin1: false,
  split: 'udh8' as SplitMethod,
  idFormat: { resp: 'string', receipt: 'string' } as CarrierConfig['idFormat'],
  policy: 'at-most-once' as DeliveryPolicy,
  sourceAddr: '',
  serviceType: '',
  responseTimeoutMs: 10_000,
  enquireLinkMs: 30_000,
};

/** 'hex' -> both hex; 'hex,decimal' -> submit_sm_resp hex, receipt text decimal. */
export function parseIdFormat(raw: string): CarrierConfig['idFormat'] {
  const [resp, receipt = resp] = raw.split(',').map((s) => s.trim().toLowerCase());
  for (const f of [resp, receipt]) {
    if (!ID_FORMATS.includes(f as MessageIdFormat)) throw new Error(`id format "${raw}": use hex, decimal or string, or two of them as resp,receipt`);
  }
  return { resp: resp as MessageIdFormat, receipt: receipt as MessageIdFormat };
}

function formatIdFormat(f: CarrierConfig['idFormat']): string {
  return f.resp === f.receipt ? f.resp : `${f.resp},${f.receipt}`;
}

/** Checks a new carrier's settings; throws with the first problem. */
export function validateCarrier(c: NewCarrier): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(c.name)) throw new Error('carrier name: 1 to 32 letters, digits, _ . -');
  if (c.name === SANDBOX) throw new Error('"sandbox" is the built-in carrier');
  if (!CARRIER_KINDS.includes(c.kind)) throw new Error(`carrier kind must be one of ${CARRIER_KINDS.join(', ')}`);
  if (c.kind === 'http') return validateCommon(c);
  if (!c.host) throw new Error('host is required');
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new Error('port must be 1..65535');
  if (!c.systemId || c.systemId.length > 15) throw new Error('system_id must be 1 to 15 characters');
  if (c.password.length > 8) throw new Error('password must be at most 8 characters (SMPP 3.4)');
  if (c.systemType.length > 12) throw new Error('system_type must be at most 12 characters');
  if (!BIND_TYPES.includes(c.bindType)) throw new Error(`bind type must be one of ${BIND_TYPES.join(', ')}`);
  if (!SPLIT_METHODS.includes(c.split)) throw new Error(`split method must be one of ${SPLIT_METHODS.join(', ')}`);
  if (c.sourceAddr && !/^\+?\d{1,20}$|^[\x20-\x7e]{1,11}$/.test(c.sourceAddr)) throw new Error('source address: up to 20 digits, or up to 11 ASCII characters');
  if (c.serviceType.length > 5) throw new Error('service_type must be at most 5 characters');
  if (!Number.isInteger(c.responseTimeoutMs) || c.responseTimeoutMs < 100) throw new Error('response timeout must be at least 100 ms');
  if (!Number.isInteger(c.enquireLinkMs) || c.enquireLinkMs < 0) throw new Error('enquire_link interval must be >= 0 ms');
  validateCommon(c);
}

/** What every kind has: window (HTTP: requests in flight), prefetch, binds, rate cap, policy, route terms. */
function validateCommon(c: NewCarrier): void {
  if (!Number.isInteger(c.window) || c.window < 1 || c.window > 1000) throw new Error('window must be 1..1000');
  if (!Number.isInteger(c.prefetch) || c.prefetch < 0 || c.prefetch > 1000) throw new Error('prefetch must be 0..1000');
  if (!Number.isInteger(c.binds) || c.binds < 1 || c.binds > 100) throw new Error('binds must be 1..100');
  if (!Number.isInteger(c.throughput) || c.throughput < 0) throw new Error('throughput must be a whole number of messages/s (0 = no cap)');
  if (c.policy !== 'at-most-once' && c.policy !== 'at-least-once') throw new Error('delivery policy must be at-most-once or at-least-once');
  if (c.kind === 'http' && !c.settings) throw new Error('an HTTP carrier needs its settings (a preset)');
  checkRouteTerms(termsOf(c, ROUTE_TERM_DEFAULTS));
}

function termsOf(c: Partial<RouteTerms>, fallback: RouteTerms): RouteTerms {
  return { priority: c.priority ?? fallback.priority, weight: c.weight ?? fallback.weight, cost: c.cost === undefined ? fallback.cost : c.cost };
}

/**
 * The routes rows a carrier's own settings give it: one per prefix x account (a missing list: every
 * destination, or every account), plus the default route ('' for every account) when it is a default.
 */
function carrierRoutes(c: Pick<NewCarrier, 'prefixes' | 'accounts' | 'isDefault'>, terms: RouteTerms): Array<Omit<RouteEntry, 'id' | 'carrier'>> {
  const rows: Array<Omit<RouteEntry, 'id' | 'carrier'>> = [];
  if (c.prefixes.length || c.accounts.length) {
    for (const prefix of c.prefixes.length ? c.prefixes : ['']) {
      for (const accountId of c.accounts.length ? c.accounts : [null]) rows.push({ prefix, accountId, ...terms });
    }
  }
  if (c.isDefault) rows.push({ prefix: '', accountId: null, ...terms });
  return rows;
}

export async function addCarrier(db: Db, box: SecretBox, c: NewCarrier): Promise<void> {
  validateCarrier(c);
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('carriers').select('name').where('name', '=', c.name).executeTakeFirst();
    if (exists) throw new Error(`carrier ${c.name} already exists (remove it first)`);
    // A second default carrier shares the default route with the first (by priority): none loses it.
    await trx
      .insertInto('carriers')
      .values({
        name: c.name, host: c.host, port: c.port, tls: c.tls ? 1 : 0, system_id: c.systemId,
        password_sealed: box.seal(c.password), system_type: c.systemType, bind_type: c.bindType,
        window_size: c.window, prefetch: c.prefetch, max_binds: c.binds, throughput: c.throughput, gsm_packing: c.gsmPacking ? 1 : 0, latin1: c.latin1 ? 1 : 0,
        split_method: c.split, id_format: formatIdFormat(c.idFormat), delivery_policy: c.policy,
        route_prefixes: c.prefixes.join(','), route_accounts: c.accounts.join(','), is_default: c.isDefault ? 1 : 0,
        source_addr: c.sourceAddr, service_type: c.serviceType, response_timeout_ms: c.responseTimeoutMs,
        enquire_link_ms: c.enquireLinkMs, mo_account: c.moAccount, kind: c.kind, settings: c.settings, created_at: now, updated_at: now,
      })
      .execute();
    // The route columns above are still written (screens show them); routing reads the routes table.
    await replaceCarrierRoutes(trx, c.name, carrierRoutes(c, termsOf(c, ROUTE_TERM_DEFAULTS)));
  });
}

/** Route fields: read at every claim, so changing them needs no reconnect. */
const ROUTE_FIELDS = new Set<keyof NewCarrier>(['prefixes', 'accounts', 'isDefault', 'priority', 'weight', 'cost']);
const ROUTE_SHAPE = new Set<keyof NewCarrier>(['prefixes', 'accounts', 'isDefault']);

/**
 * Changes some fields of a carrier, keeping the rest. A change of anything but its routes bumps
 * updated_at (the connection's version): running nodes rebind with the new settings. Returns the
 * carrier as it is now (without its password), or undefined when there is no such carrier.
 *
 * When its prefixes, accounts or isDefault change, the carrier's routes rows are written again from them
 * (rows `route add` gave it are replaced), with the priority, weight and cost given or else those of
 * its oldest row; given only priority, weight or cost, they change on every route of the carrier.
 * (A console form that sends the unchanged prefixes back leaves the routes as they are.)
 */
export async function updateCarrier(db: Db, box: SecretBox, name: string, changes: Partial<Omit<NewCarrier, 'name'>>) {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('carriers').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return undefined;
    const current = toConfig(row, box.open(row.password_sealed));
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<NewCarrier>;
    const next: NewCarrier = { ...current, ...given, name };
    validateCarrier(next);
    const reconnect = (Object.keys(given) as Array<keyof NewCarrier>).some(
      (k) => !ROUTE_FIELDS.has(k) && JSON.stringify(given[k]) !== JSON.stringify((current as NewCarrier)[k]),
    );
    await trx
      .updateTable('carriers')
      .set({
        host: next.host, port: next.port, tls: next.tls ? 1 : 0, system_id: next.systemId,
        ...(given.password !== undefined ? { password_sealed: box.seal(next.password) } : {}),
        system_type: next.systemType, bind_type: next.bindType, window_size: next.window, prefetch: next.prefetch, max_binds: next.binds, throughput: next.throughput,
        gsm_packing: next.gsmPacking ? 1 : 0, latin1: next.latin1 ? 1 : 0, split_method: next.split, id_format: formatIdFormat(next.idFormat),
        delivery_policy: next.policy, route_prefixes: next.prefixes.join(','), route_accounts: next.accounts.join(','),
        is_default: next.isDefault ? 1 : 0, source_addr: next.sourceAddr, service_type: next.serviceType,
        response_timeout_ms: next.responseTimeoutMs, enquire_link_ms: next.enquireLinkMs, mo_account: next.moAccount, settings: next.settings,
        ...(reconnect ? { updated_at: Math.max(Date.now(), current.updatedAt + 1) } : {}),
      })
      .where('name', '=', name)
      .execute();
    const keys = (Object.keys(given) as Array<keyof NewCarrier>).filter((k) => JSON.stringify(given[k]) !== JSON.stringify((current as NewCarrier)[k]));
    if (keys.some((k) => ROUTE_SHAPE.has(k))) {
      const own = (await listRoutes(trx)).find((r) => r.carrier === name);
      await replaceCarrierRoutes(trx, name, carrierRoutes(next, termsOf(given, own ?? ROUTE_TERM_DEFAULTS)));
    } else if (keys.some((k) => ROUTE_FIELDS.has(k))) {
      const terms = { priority: given.priority, weight: given.weight, cost: given.cost };
      await trx.updateTable('routes').set(Object.fromEntries(Object.entries(terms).filter(([, v]) => v !== undefined))).where('carrier', '=', name).execute();
    }
    return { reconnect };
  });
}

export async function removeCarrier(db: Db, name: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('carriers').where('name', '=', name).executeTakeFirst();
    await trx.deleteFrom('carrier_status').where('name', '=', name).execute();
    await removeRoutesOf(trx, name);
    return Number(res.numDeletedRows) > 0;
  });
}

function toConfig(r: CarrierTable, password: string): CarrierConfig {
  return {
    name: r.name, kind: r.kind as CarrierKind, settings: r.settings, host: r.host, port: Number(r.port), tls: Boolean(r.tls), systemId: r.system_id, password,
    systemType: r.system_type, bindType: r.bind_type as BindType, window: Number(r.window_size), prefetch: Number(r.prefetch), binds: Number(r.max_binds), throughput: Number(r.throughput),
    gsmPacking: Boolean(r.gsm_packing), latin1: Boolean(r.latin1), split: r.split_method as SplitMethod,
    idFormat: parseIdFormat(r.id_format), policy: r.delivery_policy as DeliveryPolicy,
    prefixes: parsePrefixes(r.route_prefixes), accounts: parseAccounts(r.route_accounts), isDefault: Boolean(r.is_default),
    sourceAddr: r.source_addr, serviceType: r.service_type, responseTimeoutMs: Number(r.response_timeout_ms),
    enquireLinkMs: Number(r.enquire_link_ms), moAccount: r.mo_account === null ? null : Number(r.mo_account), updatedAt: Number(r.updated_at),
  };
}

/** Every carrier with its password opened (for the delivery thread). */
export async function loadCarriers(db: Db, box: SecretBox): Promise<CarrierConfig[]> {
  const rows = await db.selectFrom('carriers').selectAll().orderBy('name').execute();
  return rows.map((r) => toConfig(r, box.open(r.password_sealed)));
}

/** Carriers as the operator sees them: everything but the password. */
export async function listCarriers(db: Db) {
  const rows = await db.selectFrom('carriers').selectAll().orderBy('name').execute();
  return rows.map((r) => {
    const c = toConfig(r, '');
    return {
      Name: c.name, Kind: c.kind, ...(c.kind === 'http' ? { Http: JSON.parse(c.settings) as unknown } : {}), Host: c.host, Port: c.port, Tls: c.tls, SystemId: c.systemId, SystemType: c.systemType, BindType: c.bindType,
      Window: c.window, Prefetch: c.prefetch, Binds: c.binds, Throughput: c.throughput, GsmPacking: c.gsmPacking, Latin1: c.latin1, Split: c.split,
      IdFormat: formatIdFormat(c.idFormat), Policy: c.policy, RoutePrefixes: c.prefixes, RouteAccounts: c.accounts,
      Default: c.isDefault, SourceAddr: c.sourceAddr, ServiceType: c.serviceType, ResponseTimeoutMs: c.responseTimeoutMs,
      EnquireLinkMs: c.enquireLinkMs, MoAccount: c.moAccount, UpdatedAt: new Date(c.updatedAt).toISOString(),
    };
  });
}

// ---- live status ---------------------------------------------------------------------------------

export type CarrierStatus = Omit<CarrierStatusTable, 'updated_at'>;

/** Upserts the status rows of the carriers this node runs (one statement per carrier, every second). */
export async function writeCarrierStatus(db: Db, rows: CarrierStatus[]): Promise<void> {
  if (rows.length === 0) return;
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    for (const r of rows) {
      const { name, ...rest } = r;
      await trx
        .insertInto('carrier_status')
        .values({ ...r, updated_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ ...rest, updated_at: now }))
        .execute();
    }
  });
}

export async function deleteCarrierStatus(db: Db, names: string[]): Promise<void> {
  if (names.length) await db.deleteFrom('carrier_status').where('name', 'in', names).execute();
}

/** Status older than this is shown as stale: the thread that wrote it is gone. */
export const STATUS_STALE_MS = 5_000;

export async function readCarrierStatus(db: Db, name?: string) {
  const carriers = await db.selectFrom('carriers').select(['name']).$if(name !== undefined, (q) => q.where('name', '=', name!)).orderBy('name').execute();
  const rows = await db.selectFrom('carrier_status').selectAll().$if(name !== undefined, (q) => q.where('name', '=', name!)).execute();
  const byName = new Map(rows.map((r) => [r.name, r]));
  const now = Date.now();
  return carriers.map(({ name: n }) => {
    const s = byName.get(n);
    if (!s) return { Name: n, State: 'not running (no delivery thread has started it yet)' };
    const age = now - Number(s.updated_at);
    return {
      Name: n,
      State: age > STATUS_STALE_MS ? `stale: last seen ${Math.round(age / 1000)} s ago as ${s.state}` : s.state,
      /** Takes messages now (bound, circuit not open): its routes send it traffic. */
      Ready: age <= STATUS_STALE_MS && Number(s.ready) === 1,
      Circuit: s.circuit,
      Node: s.node,
      Binds: JSON.parse(s.binds) as unknown,
      WindowUsed: Number(s.window_used),
      WindowSize: Number(s.window_size),
      Queued: Number(s.queued),
      RateLimit: Number(s.rate_limit),
      SentPerSecond: Number(s.sent_per_second),
      Submitted: Number(s.submitted),
      Accepted: Number(s.accepted),
      Errors: Number(s.errors),
      Unknown: Number(s.unknown),
      Throttled: Number(s.throttled),
      Receipts: Number(s.receipts),
      Inbound: Number(s.inbound),
      Reconnects: Number(s.reconnects),
      LastError: s.last_error,
      StartedAt: new Date(Number(s.started_at)).toISOString(),
      UpdatedAt: new Date(Number(s.updated_at)).toISOString(),
    };
  });
}
