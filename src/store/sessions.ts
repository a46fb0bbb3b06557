import { EventEmitter } from 'node:events';
import type { MessageDraft } from '../sms/validate.ts';
import type { Db } from './db.ts';

export interface NewSession {
  sessionNo: string;
  accountId: number;
  action: string;
  reqUuid: string;
  messages: MessageDraft[];
}

const ROWS_PER_INSERT = 400;

/** Writes sessions with all their messages in one transaction, queued for delivery. */
export async function writeSessions(db: Db, sessions: NewSession[]): Promise<void> {
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sessions')
      .values(sessions.map((s) => ({
        session_no: s.sessionNo, account_id: s.accountId, action: s.action, req_uuid: s.reqUuid,
        message_count: s.messages.length, created_at: now,
      })))
      .execute();
    const rows = sessions.flatMap((s) =>
      s.messages.map((m) => ({
        session_no: s.sessionNo,
        account_id: s.accountId,
        phone: m.phone,
        e164: m.e164,
        region: m.region,
        template_id: m.templateId,
        sender: m.sender,
        content: m.content,
        encoding: m.encoding,
        segments: m.segments,
        user_id: m.userId,
        extend_code: m.extendCode,
        status: 'queued' as const,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })),
    );
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await trx.insertInto('messages').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
    }
  });
}

/**
 * Group commit: sessions arriving in the same event-loop turn share one transaction,
 * so many small requests cost one commit. Each caller's promise settles only after the commit.
 */
export class SessionWriter extends EventEmitter {
  private pending: Array<{ session: NewSession; resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {
    super();
  }

  write(session: NewSession): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ session, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when everything handed over so far is committed (or has failed). */
  async drain(): Promise<void> {
    while (this.pending.length || this.scheduled) await new Promise((r) => setImmediate(r));
    await this.inFlight;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    this.inFlight = this.inFlight.then(async () => {
      try {
        await writeSessions(this.db, batch.map((b) => b.session));
        for (const b of batch) b.resolve();
        this.emit('written', batch.reduce((n, b) => n + b.session.messages.length, 0));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    });
  }
}
