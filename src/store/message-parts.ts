import type { Kysely } from 'kysely';
import type { AcceptedPart, PriorPart } from '../sms/carrier-events.ts';
import type { Db } from './db.ts';
import { partStatusFor, rollUp, type PartState, type PartStatus, type RolledUp } from '../sms/message-state.ts';
import { applyReceiptsIn, recordOutcomesIn, type Receipt, type SubmitOutcome } from './messages.ts';
import { padPow2, pow2Chunks, sameValueIds } from './batching.ts';
import { QueryShape } from './query-shape.ts';
import { recheck } from './dialect.ts';
import { recordFinalReports, type FinalMessage } from './reports.ts';
import type { Database, MessageStatus } from './schema.ts';

/**
 * Message parts: a message sent through an SMPP carrier as N submit_sm gets N carrier ids and N
 * receipts. Each accepted part of a message of two or more parts is a row here; receipts update their
 * part, and the parts roll up into the message's status (sms/message-state.ts rollUp). A message sent as one part
 * keeps its carrier id and receipt on `messages` alone (store/messages.ts applyReceiptsIn): most
 * messages are one part, and the part rows were a third of an SMPP carrier's database work.
 */


export type { AcceptedPart };

export interface StoredPart extends PriorPart {
  messageId: number;
}

/** Stores parts the carrier accepted. A part stored before (a resumed message) is overwritten. */
export async function saveParts(db: Db, carrier: string, parts: AcceptedPart[]): Promise<void> {
  if (parts.length === 0) return;
  await db.transaction().execute((trx) => savePartsIn(trx, carrier, parts));
}

/** saveParts inside the caller's transaction. */
export async function savePartsIn(trx: Kysely<Database>, carrier: string, parts: AcceptedPart[]): Promise<void> {
  const now = Date.now();
  for (const chunk of pow2Chunks(parts, 128)) {
    await trx
      .insertInto('message_parts')
      .values(chunk.map((p) => ({
        message_id: p.messageId, part_no: p.partNo, total: p.total, carrier, carrier_msg_id: p.carrierMsgId, ref: p.ref, e164: p.e164,
        status: 'sent', receipt_code: null, receipt_desc: null, receipt_at: null, created_at: now, updated_at: now,
      })))
      .onConflict((oc) => oc.columns(['message_id', 'part_no']).doUpdateSet((eb) => ({
        total: eb.ref('excluded.total'), carrier: eb.ref('excluded.carrier'), carrier_msg_id: eb.ref('excluded.carrier_msg_id'),
        ref: eb.ref('excluded.ref'), status: 'sent', receipt_code: null, receipt_desc: null, receipt_at: null, updated_at: now,
      })))
      .execute();
  }
}

/**
 * One transaction for what a batch of finished submits leaves behind: the accepted parts, the
 * messages' outcomes (fenced by the lease), and the roll-up of resumed messages whose earlier parts
 * may have got receipts while the message was `sending`. A new message's parts and its `sent` status
 * commit together, so a receipt can never find its part before the message is `sent`.
 */
export async function recordSubmitsIn(
  trx: Kysely<Database>,
  owner: string,
  carrier: string,
  outcomes: SubmitOutcome[],
  parts: AcceptedPart[],
  resumed: number[],
  dropped: number[] = [],
): Promise<number> {
  // Parts of an earlier attempt that cannot be resumed go before this attempt's parts are saved.
  if (dropped.length) await trx.deleteFrom('message_parts').where('message_id', 'in', dropped).execute();
  await savePartsIn(trx, carrier, parts);
  const changed = await recordOutcomesIn(trx, owner, outcomes);
  if (resumed.length) {
    const sent = new Set(outcomes.filter((o) => o.result === 'sent').map((o) => o.id));
    await rollUpMessages(trx, resumed.filter((id) => sent.has(id)));
  }
  return changed;
}

/** Parts already accepted for these messages (a retry sends only the others). */
export async function partsOf(db: Kysely<Database>, messageIds: number[]): Promise<Map<number, StoredPart[]>> {
  const out = new Map<number, StoredPart[]>();
  for (let i = 0; i < messageIds.length; i += 256) {
    const rows = await db
      .selectFrom('message_parts')
      .select(['message_id', 'part_no', 'total', 'ref', 'carrier', 'carrier_msg_id'])
      .where('message_id', 'in', padPow2(messageIds.slice(i, i + 256)))
      .execute();
    for (const r of rows) {
      const id = Number(r.message_id);
      const list = out.get(id) ?? [];
      list.push({ messageId: id, partNo: Number(r.part_no), total: Number(r.total), ref: Number(r.ref), carrier: r.carrier, carrierMsgId: r.carrier_msg_id });
      out.set(id, list);
    }
  }
  return out;
}

/**
 * Applies one carrier's receipts to message parts, then rolls the touched messages up.
 * Returns the receipts that matched no part yet (the submit_sm_resp is not stored yet: retry them).
 */
export async function applyPartReceipts(db: Db, carrier: string, receipts: Receipt[]): Promise<Receipt[]> {
  if (receipts.length === 0) return [];
  return db.transaction().execute((trx) => applyPartReceiptsIn(trx, carrier, receipts));
}

/** applyPartReceipts inside the caller's transaction. */
/** Every part receipt batch looks its parts up first (most find none: single-part messages have no rows). */
const partsByCarrierIdsQuery = new QueryShape<{ carrier: string; ids: string[] }>(
  'message parts by carrier id',
  (db, a) => db
    .selectFrom('message_parts')
    .select(['message_id', 'part_no', 'carrier_msg_id', 'status'])
    .where('carrier', '=', a.carrier)
    .where('carrier_msg_id', 'in', a.ids),
  (a) => [a.carrier, ...a.ids],
  (a) => a.ids.length,
);

export async function applyPartReceiptsIn(trx: Kysely<Database>, carrier: string, receipts: Receipt[]): Promise<Receipt[]> {
  const unmatched: Receipt[] = [];
  if (receipts.length === 0) return unmatched;
  const now = Date.now();
  const touched = new Set<number>();
  for (let i = 0; i < receipts.length; i += 256) {
    const chunk = receipts.slice(i, i + 256);
    const { rows: found } = await partsByCarrierIdsQuery.execute<{ message_id: number; part_no: number; carrier_msg_id: string; status: string }>(
      trx, { carrier, ids: padPow2([...new Set(chunk.map((r) => r.carrierMsgId))]) },
    );
    const byId = new Map<string, Array<{ messageId: number; partNo: number; status: string }>>();
    for (const f of found) {
      const list = byId.get(f.carrier_msg_id) ?? [];
      list.push({ messageId: Number(f.message_id), partNo: Number(f.part_no), status: f.status });
      byId.set(f.carrier_msg_id, list);
    }
    // Each part's new state, receipts applied in arrival order; one update for all of them.
    const updates = new Map<string, { messageId: number; partNo: number; status: PartStatus; r: Receipt }>();
    for (const r of chunk) {
      const parts = byId.get(r.carrierMsgId);
      if (!parts) {
        unmatched.push(r);
        continue;
      }
      const status = partStatusFor(r.code);
      for (const p of parts) {
        // An intermediate notification never overrides a final receipt that came first.
        if (status === 'enroute' && p.status !== 'sent' && p.status !== 'enroute') continue;
        p.status = status;
        updates.set(`${p.messageId}:${p.partNo}`, { messageId: p.messageId, partNo: p.partNo, status, r });
        touched.add(p.messageId);
      }
    }
    const changes = [...updates.values()];
    for (const { first: { partNo, status, r }, ids } of sameValueIds(changes, (u) => JSON.stringify([u.partNo, u.status, u.r.code, u.r.desc, u.r.at]), (u) => u.messageId)) {
      await trx
        .updateTable('message_parts')
        .set({ status, receipt_code: r.code, receipt_desc: r.desc, receipt_at: r.at, updated_at: now })
        .where('part_no', '=', partNo)
        .where('message_id', 'in', ids)
        .execute();
    }
  }
  await rollUpMessages(trx, [...touched]);
  // A message sent as one part has no part rows: its carrier id and receipt are on messages alone.
  return applyReceiptsIn(trx, carrier, unmatched);
}

/**
 * Gives messages (in status sent or unknown) the status their parts add up to, when final; records
 * the report and receipt push of each message that changed. Also run after submit outcomes are
 * stored, for receipts that arrived while the message was still `sending`.
 */
export async function rollUpMessages(db: Kysely<Database>, messageIds: number[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const now = Date.now();
  let count = 0;
  for (let i = 0; i < messageIds.length; i += 256) {
    const ids = messageIds.slice(i, i + 256);
    const open = await db
      .selectFrom('messages')
      .select(['id', 'status', 'account_id', 'session_no', 'phone', 'region', 'segments', 'user_id', 'smpp_receipt'])
      .where('id', 'in', padPow2(ids))
      .where(recheck(db, 'status'), 'in', ['sent', 'unknown'])
      .execute();
    if (open.length === 0) continue;
    const current = new Map(open.map((o) => [Number(o.id), o]));
    const rows = await db
      .selectFrom('message_parts')
      .select(['message_id', 'part_no', 'total', 'status', 'receipt_code', 'receipt_desc', 'receipt_at'])
      .where('message_id', 'in', padPow2(open.map((o) => Number(o.id))))
      .execute();
    const byMessage = new Map<number, PartState[]>();
    for (const r of rows) {
      const id = Number(r.message_id);
      const list = byMessage.get(id) ?? [];
      list.push({ partNo: Number(r.part_no), total: Number(r.total), status: r.status, code: r.receipt_code, desc: r.receipt_desc, at: r.receipt_at === null ? null : Number(r.receipt_at) });
      byMessage.set(id, list);
    }
    const final: Array<{ id: number; result: RolledUp }> = [];
    for (const [id, parts] of byMessage) {
      const result = rollUp(parts);
      if (result && result.status !== current.get(id)!.status) final.push({ id, result });
    }
    if (final.length === 0) continue;
    const done = new Set<number>();
    for (const { first: { result: r }, ids } of sameValueIds(final, ({ result: r }) => JSON.stringify([r.status, r.code, r.desc, r.at]), (f) => f.id)) {
      const changed = await db
        .updateTable('messages')
        .set({ status: r.status, receipt_code: r.code, receipt_desc: r.desc, receipt_at: r.at, updated_at: now })
        .where('id', 'in', ids)
        .where(recheck(db, 'status'), 'in', ['sent', 'unknown'])
        .returning('id')
        .execute();
      for (const c of changed) done.add(Number(c.id));
    }
    const reported: FinalMessage[] = [];
    for (const { id, result } of final) {
      if (!done.has(id)) continue;
      const m = current.get(id)!;
      reported.push({
        id, account_id: Number(m.account_id), session_no: m.session_no, phone: m.phone, region: m.region, segments: Number(m.segments), user_id: m.user_id,
        status: result.status, receipt_code: result.code, receipt_desc: result.desc, receipt_at: result.at, updated_at: now, smpp_receipt: Number(m.smpp_receipt ?? 0),
      });
    }
    await recordFinalReports(db, reported);
    count += reported.length;
  }
  return count;
}

/** rollUpMessages in its own transaction. */
export async function rollUpAfterSubmit(db: Db, messageIds: number[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  return db.transaction().execute((trx) => rollUpMessages(trx, messageIds));
}
