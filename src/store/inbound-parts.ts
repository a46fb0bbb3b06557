import type { Kysely } from 'kysely';
import type { Db } from './db.ts';
import { storeInboundIn, type InboundInput, type StoredInbound } from './inbound.ts';
import type { Database, InboundPartTable } from './schema.ts';

/** Which concatenated message a part belongs to: same carrier, addresses, reference and part count. */
export interface InboundPartKey {
  carrier: string;
  source: string;
  destination: string;
  ref: number;
  total: number;
}

export interface InboundPart extends InboundPartKey {
  seq: number;
  sourceTon: number;
  content: string;
  receivedAt: number;
}

/** Turns a message's addresses and text into what storeInbound needs (the carrier's own rules). */
export type InboundInputOf = (source: string, destination: string, sourceTon: number, content: string, receivedAt: number) => InboundInput;

/**
 * Reassembly of concatenated inbound (MO) messages in the database, so a part survives a restart and
 * parts that reached different nodes are joined. Stores the part (a part the SMSC sends again is kept
 * once); when it was the last one missing, takes all parts and stores the whole message, in the same
 * transaction. Returns the stored message, or undefined while parts are missing.
 */
export async function storeInboundPart(db: Db, part: InboundPart, inputOf: InboundInputOf): Promise<StoredInbound | undefined> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('inbound_parts')
      .values({
        carrier: part.carrier, source: part.source, destination: part.destination, ref: part.ref, total: part.total, seq: part.seq,
        source_ton: part.sourceTon, content: part.content, received_at: part.receivedAt,
      })
      .onConflict((oc) => oc.columns(['carrier', 'source', 'destination', 'ref', 'total', 'seq']).doNothing())
      .execute();
    const { n } = await keyed(trx.selectFrom('inbound_parts'), part).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) < part.total) return undefined;
    return takeAndStore(trx, part, inputOf);
  });
}

/**
 * Stores, with what arrived, every message of this carrier whose first part came more than `maxAgeMs`
 * ago and is still missing parts (at most 100 a call). Returns what was stored.
 */
export async function storeStaleInboundParts(db: Db, carrier: string, maxAgeMs: number, inputOf: InboundInputOf, now = Date.now()): Promise<Array<StoredInbound & { toAddr: string }>> {
  const stale = await db
    .selectFrom('inbound_parts')
    .select(['carrier', 'source', 'destination', 'ref', 'total'])
    .where('carrier', '=', carrier)
    .where('received_at', '<', now - maxAgeMs)
    .distinct()
    .limit(100)
    .execute();
  const stored: Array<StoredInbound & { toAddr: string }> = [];
  for (const key of stale) {
    const done = await db.transaction().execute((trx) => takeAndStore(trx, { ...key, ref: Number(key.ref), total: Number(key.total) }, inputOf));
    if (done) stored.push({ ...done, toAddr: key.destination });
  }
  return stored;
}

/** Carriers holding parts of a message that has waited more than `maxAgeMs` (delivery/runtime.ts stores them). */
export async function staleInboundPartCarriers(db: Db, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const rows = await db.selectFrom('inbound_parts').select('carrier').distinct().where('received_at', '<', now - maxAgeMs).execute();
  return rows.map((r) => r.carrier);
}

function keyed<Q extends { where: (...args: any[]) => Q }>(q: Q, k: InboundPartKey): Q {
  return q.where('carrier', '=', k.carrier).where('source', '=', k.source).where('destination', '=', k.destination).where('ref', '=', k.ref).where('total', '=', k.total);
}

/**
 * Deletes the message's parts and stores the message joined from them. The DELETE ... RETURNING
 * decides who stores it when two nodes (or a completion and the stale sweep) get there at once: the
 * one that took the rows; the other gets none and stores nothing.
 */
async function takeAndStore(trx: Kysely<Database>, key: InboundPartKey, inputOf: InboundInputOf): Promise<StoredInbound | undefined> {
  const parts: Array<Pick<InboundPartTable, 'seq' | 'content' | 'source_ton' | 'received_at'>> = await keyed(trx.deleteFrom('inbound_parts'), key)
    .returning(['seq', 'content', 'source_ton', 'received_at'])
    .execute();
  if (parts.length === 0) return undefined;
  parts.sort((a, b) => Number(a.seq) - Number(b.seq));
  const first = Math.min(...parts.map((p) => Number(p.received_at)));
  const text = parts.map((p) => p.content).join('');
  return storeInboundIn(trx, inputOf(key.source, key.destination, Number(parts[0]!.source_ton), text, first));
}
