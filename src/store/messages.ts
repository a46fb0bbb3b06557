import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Receipt } from '../sms/carrier-events.ts';
import { statusForReceipt } from '../sms/message-state.ts';
import { refundFailed } from './ledger.ts';
import type { Db } from './db.ts';
import { isPostgres, recheck } from './dialect.ts';
import { paddedChunks, padPow2, sameValueIds } from './batching.ts';
import { QueryShape } from './query-shape.ts';
import { recordFinalReports, type FinalMessage } from './reports.ts';
import type { Database, MessageStatus, MessageTable } from './schema.ts';

export type ClaimedMessage = Pick<
  MessageTable,
  'session_no' | 'account_id' | 'e164' | 'region' | 'sender' | 'content' | 'encoding' | 'segments' | 'extend_code' | 'attempts'
> & { id: number };

/** Claims up to `limit` due messages for `owner` with a lease (see dueIds). */
export async function claimDue(db: Kysely<Database>, owner: string, limit: number, leaseMs: number, carrier: string, routeFilter?: RawBuilder<unknown>): Promise<ClaimedMessage[]> {
  const now = Date.now();
  const res = await sql<ClaimedMessage>`
    ${dueIds(db, now, limit, routeFilter)}
    update messages
       set status = 'sending', lease_owner = ${owner}, lease_until = ${now + leaseMs},
           attempts = attempts + 1, carrier = ${carrier}, updated_at = ${now}
      from due
     where messages.id = due.due_id
    returning id, session_no, account_id, e164, region, sender, content, encoding, segments, extend_code, attempts`.execute(db);
  return res.rows;
}

/** A message a carrier that accepts everything (the sandbox) took, recorded as sent. */
export interface AcceptedMessage {
  id: number;
  e164: string;
  carrierMsgId: string;
}

/**
 * Claims due messages for a carrier that takes every message in-process (the sandbox) and records
 * them as sent in the same statement: nothing can fail between such a claim and its submit, so no
 * lease and no second write are needed. Carrier ids are `idPrefix` + the message id.
 */
export async function claimAsSent(db: Kysely<Database>, limit: number, carrier: string, idPrefix: string, routeFilter?: RawBuilder<unknown>): Promise<AcceptedMessage[]> {
  const now = Date.now();
  const res = await sql<AcceptedMessage>`
    ${dueIds(db, now, limit, routeFilter)}
    update messages
       set status = 'sent', attempts = attempts + 1, carrier = ${carrier},
           carrier_msg_id = cast(${idPrefix} as text) || cast(id as text), sent_at = ${now}, updated_at = ${now}
      from due
     where messages.id = due.due_id
    returning id, e164, carrier_msg_id as "carrierMsgId"`.execute(db);
  return res.rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * `due(due_id)`: the ids of up to `limit` queued rows whose time has come, oldest first. Routing
 * (delivery/router.ts) adds the carrier's condition on e164 / account_id. The ids are picked once, in
 * a materialised CTE: PostgreSQL may re-run an `IN (subquery LIMIT n)` per row and then claim more
 * than n. On PostgreSQL, FOR UPDATE SKIP LOCKED lets workers on several nodes claim disjoint rows;
 * SQLite serialises writers anyway.
 */
function dueIds(db: Kysely<Database>, now: number, limit: number, routeFilter?: RawBuilder<unknown>) {
  const routed = routeFilter ? sql`and ${routeFilter}` : sql``;
  return sql`
    with due(due_id) as materialized (
      select id from messages where status = 'queued' and next_attempt_at <= ${now} ${routed}
       order by next_attempt_at, id limit ${limit} ${skipLocked(db)})`;
}

function skipLocked(db: Kysely<Database>) {
  return isPostgres(db) ? sql`for update skip locked` : sql``;
}

export interface SubmitOutcome {
  id: number;
  /** sent: the carrier took it; retry: temporary error; failed: permanent error; unknown: may or may not have gone out. */
  result: 'sent' | 'retry' | 'failed' | 'unknown';
  carrierMsgId?: string;
  code?: string;
  desc?: string;
  retryAt?: number;
  /** A retry that gives the claim's attempt back (throttling is not the message's failure). */
  uncounted?: boolean;
  /**
   * The carrier that gave this outcome. A failed, unknown or counted retry outcome is then kept in
   * message_attempts, and a counted retry makes the next claim prefer another carrier of the route.
   */
  carrier?: string;
}

/** Records submit outcomes; each write is fenced by the lease so a worker that lost its lease changes nothing. */
export async function recordOutcomes(db: Db, owner: string, outcomes: SubmitOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  return db.transaction().execute((trx) => recordOutcomesIn(trx, owner, outcomes));
}

const recordSentQuery = new QueryShape<{ chunk: SubmitOutcome[]; owner: string; now: number }>(
  'record sent',
  (_db, { chunk, owner, now }) => {
    const values = sql.join(chunk.map((o) => sql`(cast(${o.id} as bigint), cast(${o.carrierMsgId ?? null} as text))`));
    return sql`
      with v(id, cid) as (values ${values})
      update messages
         set status = 'sent', carrier_msg_id = v.cid, sent_at = ${now}, lease_owner = null, lease_until = null, updated_at = ${now}
        from v
       where messages.id = v.id and messages.lease_owner = ${owner} and messages.status = 'sending'`;
  },
  ({ chunk, owner, now }) => [...chunk.flatMap((o) => [o.id, o.carrierMsgId ?? null]), now, now, owner],
  ({ chunk }) => chunk.length,
);

/** recordOutcomes inside the caller's transaction. */
export async function recordOutcomesIn(trx: Kysely<Database>, owner: string, outcomes: SubmitOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  const now = Date.now();
  let changed = 0;
  // Padded: a repeated row updates nothing twice (and counts once).
  for (const chunk of paddedChunks(outcomes.filter((o) => o.result === 'sent'))) {
    const res = await recordSentQuery.execute(trx, { chunk, owner, now });
    changed += Number(res.numAffectedRows ?? 0);
  }
  for (const o of outcomes) {
    if (o.result === 'sent') continue;
    const status: MessageStatus = o.result === 'retry' ? 'queued' : o.result;
    const res = await trx
      .updateTable('messages')
      .set({
        status,
        next_attempt_at: o.retryAt ?? now,
        receipt_code: o.result === 'retry' ? null : (o.code ?? null),
        receipt_desc: o.desc ?? null,
        receipt_at: o.result === 'retry' ? null : now,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
        ...(o.result === 'retry' && o.uncounted ? { attempts: (eb) => eb('attempts', '-', 1) } : {}),
        ...(o.result === 'retry' && !o.uncounted && o.carrier ? { avoid_carrier: o.carrier } : {}),
      })
      .where('id', '=', o.id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'sending')
      .executeTakeFirst();
    changed += Number(res.numUpdatedRows);
  }
  await recordAttemptsIn(trx, outcomes, now);
  // A message no carrier took costs nothing: its charge comes back in the same transaction, once.
  const failed = outcomes.filter((o) => o.result === 'failed').map((o) => o.id);
  if (failed.length) await refundFailed(trx, failed);
  return changed;
}

export type { Receipt } from '../sms/carrier-events.ts';

/**
 * The attempts that did not end with the message sent (message_attempts): refusals, failovers and
 * unknown outcomes, with their carrier. A throttling pause is not an attempt. Sent outcomes leave no
 * row: the carrier and time of the attempt that sent a message are on the message.
 */
async function recordAttemptsIn(trx: Kysely<Database>, outcomes: SubmitOutcome[], now: number): Promise<void> {
  const rows = outcomes
    .filter((o) => o.carrier && o.result !== 'sent' && !o.uncounted)
    .map((o) => ({ message_id: o.id, carrier: o.carrier!, result: o.result, code: o.code ?? '', detail: (o.desc ?? '').slice(0, 500), at: now }));
  for (let i = 0; i < rows.length; i += 256) await trx.insertInto('message_attempts').values(rows.slice(i, i + 256)).execute();
}

/** Applies one carrier's receipts; returns the receipts that matched no message yet (to retry later). */
export async function applyReceipts(db: Db, carrier: string, receipts: Receipt[]): Promise<Receipt[]> {
  if (receipts.length === 0) return [];
  return db.transaction().execute((trx) => applyReceiptsIn(trx, carrier, receipts));
}

/**
 * applyReceipts inside the caller's transaction. A receipt is matched by the message's own carrier id
 * (the sandbox's, and an SMPP message sent as one part). Only a message still waiting for its receipt
 * (sent, or unknown) changes, to the status of the last final receipt for it; an intermediate one
 * (ACCEPTD, ENROUTE), or one for a message already final, is matched and changes nothing.
 */
const byCarrierIdsQuery = new QueryShape<{ carrier: string; ids: string[] }>(
  'messages by carrier id',
  (db, a) => db
    .selectFrom('messages')
    .select(['id', 'carrier_msg_id', 'status'])
    .where('carrier', '=', a.carrier)
    .where('carrier_msg_id', 'in', a.ids),
  (a) => [a.carrier, ...a.ids],
  (a) => a.ids.length,
);

const receiptUpdateQuery = new QueryShape<{ status: MessageStatus; r: Receipt; ids: number[]; now: number }>(
  'receipt update',
  (db, a) =>
    db
      .updateTable('messages')
      .set({ status: a.status, receipt_code: a.r.code, receipt_desc: a.r.desc, receipt_at: a.r.at, updated_at: a.now })
      .where('id', 'in', a.ids)
      .where(recheck(db, 'status'), 'in', ['sent', 'unknown'])
      .returning(['id', 'account_id', 'session_no', 'phone', 'region', 'segments', 'status', 'receipt_code', 'receipt_desc', 'receipt_at', 'updated_at', 'user_id', 'smpp_receipt']),
  (a) => [a.status, a.r.code, a.r.desc, a.r.at, a.now, ...a.ids, 'sent', 'unknown'],
  (a) => a.ids.length,
);

export async function applyReceiptsIn(trx: Kysely<Database>, carrier: string, receipts: Receipt[]): Promise<Receipt[]> {
  const unmatched: Receipt[] = [];
  const now = Date.now();
  for (let i = 0; i < receipts.length; i += 256) {
    const chunk = receipts.slice(i, i + 256);
    // Find the ids through the (carrier, carrier_msg_id) index first: an UPDATE joined on
    // carrier_msg_id makes SQLite scan the messages table once per receipt.
    const { rows: found } = await byCarrierIdsQuery.execute<{ id: number; carrier_msg_id: string | null; status: MessageStatus }>(
      trx, { carrier, ids: padPow2([...new Set(chunk.map((r) => r.carrierMsgId))]) },
    );
    const byCarrierId = new Map(found.map((f) => [f.carrier_msg_id!, { id: Number(f.id), open: f.status === 'sent' || f.status === 'unknown' }]));
    // The last final receipt for a message wins.
    const latest = new Map<number, { r: Receipt; status: MessageStatus }>();
    for (const r of chunk) {
      const m = byCarrierId.get(r.carrierMsgId);
      if (m === undefined) {
        unmatched.push(r);
        continue;
      }
      const status = statusForReceipt(r.code);
      if (m.open && status) latest.set(m.id, { r, status });
    }
    const final: FinalMessage[] = [];
    for (const { first: [, { r, status }], ids } of sameValueIds([...latest], ([, { r, status }]) => JSON.stringify([status, r.code, r.desc, r.at]), ([id]) => id)) {
      const { rows } = await receiptUpdateQuery.execute<FinalMessage>(trx, { status, r, ids: padPow2(ids), now });
      for (const m of rows) final.push({ ...m, id: Number(m.id) });
    }
    // Reports for PullUSMSReport and receipt pushes, in the same transaction (store/reports.ts).
    await recordFinalReports(trx, final);
  }
  return unmatched;
}

/**
 * Messages whose worker lost its lease mid-submit. With an at-least-once carrier they are queued again;
 * otherwise they may have reached the carrier and become `unknown`, counted and never hidden.
 */
export async function recoverExpiredLeases(db: Db, atLeastOnceCarriers: string[]): Promise<{ requeued: number; unknown: number }> {
  const now = Date.now();
  const expired = db.updateTable('messages').where('status', '=', 'sending').where('lease_until', '<', now);
  const requeued = atLeastOnceCarriers.length
    ? await expired
        .where('carrier', 'in', atLeastOnceCarriers)
        .set({ status: 'queued', lease_owner: null, lease_until: null, next_attempt_at: now, updated_at: now })
        .executeTakeFirst()
    : { numUpdatedRows: 0n };
  const unknown = await db
    .updateTable('messages')
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .set({
      status: 'unknown', receipt_code: 'UNKNOWN', receipt_desc: 'worker lost while submitting: the carrier may or may not have it',
      receipt_at: now, lease_owner: null, lease_until: null, updated_at: now,
    })
    .executeTakeFirst();
  return { requeued: Number(requeued.numUpdatedRows), unknown: Number(unknown.numUpdatedRows) };
}

/** Sent messages that never got a receipt within the timeout become `unknown`. */
export async function expireReceiptWaits(db: Db, timeoutMs: number): Promise<number> {
  const now = Date.now();
  const res = await db
    .updateTable('messages')
    .where('status', '=', 'sent')
    .where('sent_at', '<', now - timeoutMs)
    .set({ status: 'unknown', receipt_code: 'UNKNOWN', receipt_desc: 'no delivery receipt from the carrier', receipt_at: now, updated_at: now })
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function messagesOfSessions(db: Db, accountId: number, sessionNos: string[]) {
  if (sessionNos.length === 0) return [];
  return db
    .selectFrom('messages')
    .select(['session_no', 'phone', 'e164', 'region', 'segments', 'status', 'receipt_code', 'receipt_desc', 'receipt_at', 'updated_at', 'user_id'])
    .where('account_id', '=', accountId)
    .where('session_no', 'in', sessionNos)
    .orderBy('id')
    .execute();
}

export async function queueDepth(db: Db): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['queued', 'sending'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
