import {
  addCarrier as storeAddCarrier,
  listCarriers as storeListCarriers,
  loadCarriers,
  readCarrierStatus,
  removeCarrier as storeRemoveCarrier,
  updateCarrier as storeUpdateCarrier,
} from '../store/carriers.ts';
import type { Db } from '../store/db.ts';
import { notFound, OperatorError, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import { changedFields, checkCarrier, parseCarrierChanges, parseNewCarrier, type CarrierInput } from './carrier-input.ts';
import type { OperatorContext } from './context.ts';
import { requiredString } from './input.ts';
import { routeTable } from './routes.ts';

/*
 * SMPP carriers (operators only). Changes land in the database; the delivery thread of every node
 * picks them up within USMS_CARRIER_POLL_MS. Passwords are sealed by the store and never answered.
 */

/** The routing table (`usms route list`): one row per carrier of each route, the most specific route first. */
const routes = (db: Db) => routeTable(db);

function nameOf(raw: unknown): string {
  return requiredString(raw, 'Name', 64);
}

/** Every carrier's settings with its live `Status` (state, binds, window, rate, errors), and the routing table. */
export async function listCarriers(ctx: OperatorContext) {
  requireOperator(ctx.actor);
  const status = new Map((await readCarrierStatus(ctx.db)).map((s) => [s.Name, s]));
  const carriers = await storeListCarriers(ctx.db);
  return { Carriers: carriers.map((c) => ({ ...c, Status: status.get(c.Name) })), Routes: await routes(ctx.db) };
}

/** Live state as the delivery threads report it every second: of every carrier, or of the one named. */
export async function carrierStatus(ctx: OperatorContext, q: { Name?: unknown } = {}) {
  requireOperator(ctx.actor);
  const name = q.Name === undefined ? undefined : nameOf(q.Name);
  return { Carriers: await readCarrierStatus(ctx.db, name) };
}

/** Adds a carrier; `Routed: false` (with a Warning) when no route sends it anything. */
export async function addCarrier(ctx: OperatorContext, input: CarrierInput) {
  requireOperator(ctx.actor);
  const carrier = parseNewCarrier(input);
  try {
    await storeAddCarrier(ctx.db, ctx.box, carrier);
  } catch (err) {
    if (/already exists/.test((err as Error).message)) throw new OperatorError('conflict', (err as Error).message);
    throw err;
  }
  const { password: _secret, ...shown } = carrier;
  await audit(ctx.db, ctx.actor, 'carrier.add', carrier.name, null, shown);
  const routed = carrier.prefixes.length > 0 || carrier.accounts.length > 0 || carrier.isDefault;
  return {
    Added: carrier.name,
    Routed: routed,
    ...(routed ? {} : { Warning: 'no route prefixes, route accounts or default: this carrier takes no messages' }),
    Routes: await routes(ctx.db),
  };
}

/**
 * Changes the fields given and keeps the rest (none given: answers the carrier as it is). `Rebind`:
 * something besides the routes changed, so the nodes bound to the carrier reconnect with the new settings.
 */
export async function updateCarrier(ctx: OperatorContext, name: unknown, input: CarrierInput) {
  requireOperator(ctx.actor);
  const carrier = nameOf(name);
  const changes = parseCarrierChanges(input);
  // The store checks the merged carrier too, inside its transaction; checking here first makes a wrong value the caller's error.
  const current = (await loadCarriers(ctx.db, ctx.box)).find((c) => c.name === carrier);
  if (!current) throw notFound(`no carrier ${carrier}`);
  checkCarrier({ ...current, ...changes, name: carrier });
  const result = await storeUpdateCarrier(ctx.db, ctx.box, carrier, changes);
  if (!result) throw notFound(`no carrier ${carrier}`);
  const changed = changedFields(input);
  if (changed.length > 0) await audit(ctx.db, ctx.actor, 'carrier.update', carrier, null, { Changed: changed, Rebind: result.reconnect });
  return {
    Updated: carrier,
    Rebind: result.reconnect,
    Carrier: (await storeListCarriers(ctx.db)).find((c) => c.Name === carrier),
    Routes: await routes(ctx.db),
  };
}

/** Removes a carrier: the nodes unbind it and its queued messages are routed again. */
export async function removeCarrier(ctx: OperatorContext, name: unknown) {
  requireOperator(ctx.actor);
  const n = nameOf(name);
  if (!(await storeRemoveCarrier(ctx.db, n))) throw notFound(`no carrier ${n}`);
  await audit(ctx.db, ctx.actor, 'carrier.remove', n, null);
  return { Removed: n, Routes: await routes(ctx.db) };
}
