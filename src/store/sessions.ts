import { EventEmitter } from 'node:events';
import type { MessageDraft } from '../sms/validate.ts';
import type { Db } from './db.ts';
import type { MessageTable, SessionTable } from './schema.ts';
import { IdempotencyConflict, toRow, type IdempotencyRecord } from './idempotency.ts';
import { pow2Chunks } from './batching.ts';
import { BulkInsert } from './bulk-insert.ts';
import { chargeRequests, type ChargeRequest } from './ledger.ts';

/** A message ready to store: what it costs (micro-units, 0 when free) and whether a pumping alarm holds it. */
/** `smppUserId`: the SMPP user that submitted it, who gets its receipt back on a bind when `smppReceipt`. */
export type StoredDraft = MessageDraft & { charge?: number; held?: boolean; smppUserId?: number; smppReceipt?: boolean };

export interface NewSession {
  sessionNo: string;
  accountId: number;
  action: string;
  reqUuid: string;
  messages: StoredDraft[];
}

/** The balance (plus credit) could not cover a request: nothing of it was stored. */
export class InsufficientBalance extends Error {
  constructor(readonly accountId: number) {
    super('insufficient balance: top up the account or ask for credit');
    this.name = 'InsufficientBalance';
  }
}

/** Why a unit was left out of its transaction. */
export type Refusal = 'key-taken' | 'insufficient-balance';

/** At most this many rows an INSERT (a power of two: batches are cut into power-of-two runs, few statement shapes). */
const ROWS_PER_INSERT = 256;

/** Writes sessions with all their messages in one transaction, queued for delivery. */
export async function writeSessions(db: Db, sessions: NewSession[]): Promise<void> {
  const refused = await writeUnits(db, [{ sessions }]);
  if (refused.size) throw new InsufficientBalance(sessions[0]!.accountId);
}

/** A request's sessions (possibly none) and, when it carried an idempotency key, its recorded answer. */
export interface WriteUnit {
  sessions: NewSession[];
  record?: IdempotencyRecord;
}

/**
 * Writes units in one transaction: idempotency records first (ON CONFLICT DO NOTHING), then each
 * unit's charge (store/ledger.ts), then the sessions and messages of every unit whose record went in
 * and whose charge was covered. A unit whose key was already recorded is left out entirely (so a
 * duplicate never sends), as is one the balance cannot cover (its record is taken back, so the same
 * key can be sent again after a top-up); returns the indexes of those units with the reason.
 */
export async function writeUnits(db: Db, units: WriteUnit[]): Promise<Map<number, Refusal>> {
  const now = Date.now();
  const refused = new Map<number, Refusal>();
  await db.transaction().execute(async (trx) => {
    const lost = new Set<number>();
    const keyed = units.flatMap((u, i) => (u.record ? [i] : []));
    if (keyed.length) {
      const inserted = await insertRecords.execute(trx, keyed.map((i) => toRow(units[i]!.record!)));
      const won = new Set(inserted.rows.map((r) => String(r.public_key) + '\u0000' + String(r.idem_key)));
      for (const i of keyed) {
        const k = units[i]!.record!.publicKey + '\u0000' + units[i]!.record!.key;
        if (won.has(k)) won.delete(k);
        else lost.add(i);
      }
    }
    const charges: ChargeRequest[] = [];
    const charged: number[] = [];
    units.forEach((u, i) => {
      if (lost.has(i)) return;
      let amount = 0;
      for (const s of u.sessions) for (const m of s.messages) amount += m.charge ?? 0;
      if (amount <= 0) return;
      charges.push({ accountId: u.sessions[0]!.accountId, amount, ref: u.sessions.map((s) => s.sessionNo).join(' ') });
      charged.push(i);
    });
    if (charges.length) {
      const { unfunded, free } = await chargeRequests(trx, charges, 'api');
      for (const c of unfunded) {
        const i = charged[c]!;
        lost.add(i);
        refused.set(i, 'insufficient-balance');
        const r = units[i]!.record;
        if (r) await trx.deleteFrom('idempotency_keys').where('public_key', '=', r.publicKey).where('idem_key', '=', r.key).execute();
      }
      // Pricing saw a charged account that is free now: store its messages at no cost.
      for (const c of free) for (const s of units[charged[c]!]!.sessions) s.messages = s.messages.map((m) => ({ ...m, charge: 0 }));
    }
    for (const i of lost) if (!refused.has(i)) refused.set(i, 'key-taken');
    const sessions = units.flatMap((u, i) => (lost.has(i) ? [] : u.sessions));
    if (sessions.length === 0) return;
    await insertSessions.execute(trx, sessions.map((s) => ({
      session_no: s.sessionNo, account_id: s.accountId, action: s.action, req_uuid: s.reqUuid,
      message_count: s.messages.length, created_at: now,
    })));
    const rows: MessageRow[] = [];
    for (const s of sessions) {
      for (const m of s.messages) {
        rows.push({
          session_no: s.sessionNo, account_id: s.accountId, phone: m.phone, e164: m.e164, region: m.region,
          template_id: m.templateId, sender: m.sender, content: m.content, encoding: m.encoding, segments: m.segments,
          user_id: m.userId, extend_code: m.extendCode, status: m.held ? 'held' : 'queued', attempts: 0,
          next_attempt_at: now, created_at: now, updated_at: now, charge: m.charge ?? 0,
          smpp_user_id: m.smppUserId ?? null, smpp_receipt: m.smppReceipt ? 1 : 0,
        });
      }
    }
    for (const chunk of pow2Chunks(rows, ROWS_PER_INSERT)) await insertMessages.execute(trx, chunk);
  });
  return refused;
}

type RecordRow = ReturnType<typeof toRow>;
const insertRecords = new BulkInsert<RecordRow>(
  ['public_key', 'idem_key', 'account_id', 'request_hash', 'answer', 'created_at'],
  (db, rows) => db.insertInto('idempotency_keys').values(rows)
    .onConflict((oc) => oc.columns(['public_key', 'idem_key']).doNothing())
    .returning(['public_key', 'idem_key']),
);

type SessionRow = SessionTable & Record<string, unknown>;
const insertSessions = new BulkInsert<SessionRow>(
  ['session_no', 'account_id', 'action', 'req_uuid', 'message_count', 'created_at'],
  (db, rows) => db.insertInto('sessions').values(rows),
);

/** The columns a new message is written with (the rest keep their defaults). */
type MessageRow = Pick<MessageTable, 'session_no' | 'account_id' | 'phone' | 'e164' | 'region' | 'template_id' | 'sender' | 'content'
  | 'encoding' | 'segments' | 'user_id' | 'extend_code' | 'status' | 'attempts' | 'next_attempt_at' | 'created_at' | 'updated_at'>
  & { charge: number; smpp_user_id: number | null; smpp_receipt: number } & Record<string, unknown>;
const insertMessages = new BulkInsert<MessageRow>(
  ['session_no', 'account_id', 'phone', 'e164', 'region', 'template_id', 'sender', 'content', 'encoding', 'segments',
    'user_id', 'extend_code', 'status', 'attempts', 'next_attempt_at', 'created_at', 'updated_at', 'charge', 'smpp_user_id', 'smpp_receipt'],
  (db, rows) => db.insertInto('messages').values(rows),
);

/**
 * Group commit: units arriving while the previous commit is in flight (or in the same event-loop turn)
 * share one transaction, so many small requests cost one commit. Each caller's promise settles only
 * after the commit. On SQLite the transaction runs in the writer thread (store/session-writer-thread.ts).
 */
export class SessionWriter extends EventEmitter {
  private pending: Array<WriteUnit & { resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private busy = false;
  private inFlight: Promise<void> = Promise.resolve();

  /** `write` commits units in one transaction: by default on this thread's connection; on SQLite the server passes its writer thread's. */
  constructor(
    db: Db,
    private readonly writeBatch: (units: WriteUnit[]) => Promise<Map<number, Refusal>> = (units) => writeUnits(db, units),
  ) {
    super();
  }

  write(session: NewSession): Promise<void> {
    return this.writeMany([session]);
  }

  /** One request's sessions, charged and stored together or not at all (rejects with InsufficientBalance). */
  writeMany(sessions: NewSession[]): Promise<void> {
    return this.enqueue({ sessions });
  }

  /** Runs `fn` once what this writer was handed is written (here at once: every write is awaited; a staging writer waits for its commit). */
  afterWrite(fn: () => void): void {
    fn();
  }

  /**
   * A keyed request's sessions (possibly none) together with its idempotency record, in the same
   * transaction. Rejects with IdempotencyConflict when the key is already recorded: then nothing of
   * this request was written.
   */
  commit(sessions: NewSession[], record: IdempotencyRecord): Promise<void> {
    return this.enqueue({ sessions, record });
  }

  private enqueue(unit: WriteUnit): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...unit, resolve, reject });
      if (!this.scheduled && !this.busy) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when everything handed over so far is committed (or has failed). */
  async drain(): Promise<void> {
    while (this.pending.length || this.scheduled || this.busy) {
      await this.inFlight;
      await new Promise((r) => setImmediate(r));
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.busy || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.busy = true;
    this.inFlight = (async () => {
      try {
        const refused = await this.writeBatch(batch);
        let written = 0;
        batch.forEach((b, i) => {
          const why = refused.get(i);
          if (why === 'insufficient-balance') return b.reject(new InsufficientBalance(b.sessions[0]!.accountId));
          if (why) return b.reject(new IdempotencyConflict(b.record!));
          for (const s of b.sessions) written += s.messages.length;
          b.resolve();
        });
        if (written) this.emit('written', written);
      } catch (err) {
        for (const b of batch) b.reject(err);
      } finally {
        this.busy = false;
        if (this.pending.length) this.flush();
      }
    })();
  }
}
