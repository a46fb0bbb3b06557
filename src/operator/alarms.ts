import { closeAlarm, getAlarm, heldCount, listAlarms as storeListAlarms, type AlarmStatus, type PumpingAlarm } from '../store/pumping-alarms.ts';
import { OperatorError, accountFilter, badInput, can, forbidden, isOperator, notFound, requireOperator } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { optionalInt, pageLimit } from './input.ts';

/**
 * Pumping alarms (actions/send-policy.ts): a burst to one number range whose messages wait as 'held'.
 * Operators see every account's, a customer user their own. Only an operator releases an alarm (its
 * held messages go out): the alarm exists so that someone outside the account looks first. Dropping
 * (the held messages fail, their charge comes back) is also open to the account's own writers.
 */

const STATUSES: readonly AlarmStatus[] = ['open', 'released', 'dropped'];

export interface AlarmView {
  AlarmId: number;
  AccountId: number;
  /** The number range: the E.164 prefix its numbers share */
  Range: string;
  /** open | released | dropped */
  Status: AlarmStatus;
  Detail: string;
  /** Messages of the range still held */
  Held: number;
  /** unix seconds */
  OpenTime: number;
  CloseTime: number | null;
  ClosedBy: string | null;
}

async function outAlarm(ctx: OperatorContext, a: PumpingAlarm): Promise<AlarmView> {
  return {
    AlarmId: a.id,
    AccountId: a.accountId,
    Range: a.rangePrefix,
    Status: a.status,
    Detail: a.detail,
    Held: await heldCount(ctx.db, a.accountId, a.rangePrefix),
    OpenTime: Math.floor(a.openedAt / 1000),
    CloseTime: a.closedAt === null ? null : Math.floor(a.closedAt / 1000),
    ClosedBy: a.closedBy,
  };
}

/** Newest first, a page at a time (`Before`: the last AlarmId of the previous page). */
export async function listAlarms(ctx: OperatorContext, q: { AccountId?: unknown; Status?: unknown; Limit?: unknown; Before?: unknown } = {}) {
  const accountId = accountFilter(ctx.actor, optionalInt(q.AccountId, 'AccountId', { min: 1 }));
  if (q.Status !== undefined && !STATUSES.includes(q.Status as AlarmStatus)) throw badInput(`Status: ${STATUSES.join(', ')}`);
  const limit = pageLimit(q.Limit, 50, 500);
  const rows = await storeListAlarms(ctx.db, { accountId, status: q.Status as AlarmStatus | undefined, before: optionalInt(q.Before, 'Before', { min: 1 }), limit });
  const alarms: AlarmView[] = [];
  for (const a of rows) alarms.push(await outAlarm(ctx, a));
  return { Alarms: alarms, Next: rows.length === limit ? rows[rows.length - 1]!.id : null };
}

/** The alarm, if the actor may see it: another account's answers not-found, like a missing one. */
async function alarmInScope(ctx: OperatorContext, id: unknown): Promise<PumpingAlarm> {
  const alarmId = optionalInt(id, 'AlarmId', { min: 1 });
  if (alarmId === undefined) throw badInput('AlarmId is required');
  const alarm = await getAlarm(ctx.db, alarmId);
  if (!alarm || (!isOperator(ctx.actor) && alarm.accountId !== ctx.actor.accountId)) throw notFound(`no alarm ${alarmId}`);
  return alarm;
}

/** Queues the range's held messages now and closes the alarm (operators). */
export async function releaseAlarm(ctx: OperatorContext, id: unknown) {
  requireOperator(ctx.actor);
  return close(ctx, await alarmInScope(ctx, id), 'released');
}

/** Fails the range's held messages (receipt code HELD), refunds them and closes the alarm. */
export async function dropAlarm(ctx: OperatorContext, id: unknown) {
  if (!can(ctx.actor, 'write')) throw forbidden();
  return close(ctx, await alarmInScope(ctx, id), 'dropped');
}

async function close(ctx: OperatorContext, alarm: PumpingAlarm, outcome: 'released' | 'dropped') {
  const result = await closeAlarm(ctx.db, alarm.id, outcome, ctx.actor.email);
  if (!result.ok) {
    if (result.why === 'not-found') throw notFound(`no alarm ${alarm.id}`);
    throw new OperatorError('conflict', `alarm ${alarm.id} was already ${result.alarm!.status}`);
  }
  await audit(ctx.db, ctx.actor, `alarm.${outcome === 'released' ? 'release' : 'drop'}`, String(alarm.id), alarm.accountId, {
    Range: alarm.rangePrefix,
    Messages: result.messages,
  });
  return { Alarm: await outAlarm(ctx, result.alarm), Messages: result.messages };
}
