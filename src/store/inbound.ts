import { sql, type Kysely } from 'kysely';
import { SANDBOX } from '../sms/route-rules.ts';
import { replyIntent, type ReplyWords } from '../compliance/opt-out.ts';
import { recordOptIn, recordOptOut } from './blacklist.ts';
import { accountsWithCallback, enqueueItems, MsgType, type ReplyRecord } from './callbacks.ts';
import type { Db } from './db.ts';
import { SMPP_DELIVERY_TTL_MS } from './reports.ts';
import type { Database } from './schema.ts';
import { enqueueSmppItems } from './smpp-outbox.ts';

/** An inbound (MO) message as the carrier delivered it (reassembled when it came in parts). */
export interface InboundInput {
  carrier: string;
  /** The handset: E.164 with '+' when the carrier said international, else as given. */
  phone: string;
  /** destination_addr: our service number, maybe followed by an ExtendCode. */
  toAddr: string;
  /** What follows the carrier's configured source address in toAddr ('' when none). */
  extendCode: string;
  content: string;
  receivedAt: number;
  /** The carrier's fallback owner for replies nobody else owns. */
  moAccount: number | null;
  /** The opt-out and opt-in words (USMS_OPT_OUT_WORDS, USMS_OPT_IN_WORDS); the defaults when absent. */
  replyWords?: ReplyWords;
}

/** A reply for an SMPP customer (smpp_outbox kind 'reply'): from the handset, to the address the customer sent from. */
export interface SmppReplyRecord {
  phone: string;
  to: string;
  content: string;
  received_at: number;
}

export interface StoredInbound {
  id: number;
  accountId: number | null;
  userId: string;
  extendCode: string;
  messageId: number | null;
}

const APPROVED = 2; // TemplateStatus.Approved, also used for senders
const E164 = /^\+[1-9]\d{5,14}$/;

/**
 * Stores an inbound message for the account that owns it, and queues its push (MsgType 0) when the
 * account has a callback URL. The owner is, in order:
 * 1. the account of the latest message this carrier sent (every part accepted) to the phone with the same ExtendCode
 *    (when the destination carried one);
 * 2. the account of the latest message this carrier sent to the phone;
 * 3. the account whose approved sender is exactly the destination number;
 * 4. the carrier's MO account;
 * else nobody (account_id null: kept for the operator).
 * UserId and ExtendCode come from the message replied to, when one was found; the push shows the
 * phone as that message's caller wrote it (else the E.164 number).
 * A reply that is an opt-out word blacklists the phone for its owner, an opt-in word lifts that opt-out
 * (compliance/opt-out.ts, store/blacklist.ts), in the same transaction; the reply is stored and pushed
 * like any other.
 */
export async function storeInbound(db: Db, mo: InboundInput): Promise<StoredInbound> {
  return db.transaction().execute((trx) => storeInboundIn(trx, mo));
}

/** storeInbound inside the caller's transaction. */
export async function storeInboundIn(trx: Kysely<Database>, mo: InboundInput): Promise<StoredInbound> {
  const lastTo = (extendCode?: string) => latestSentTo(trx, mo.carrier, mo.phone, extendCode).executeTakeFirst();
  let reply = mo.extendCode ? await lastTo(mo.extendCode) : undefined;
  reply ??= await lastTo();
  let accountId: number | null = reply ? Number(reply.account_id) : null;
  if (accountId === null && mo.toAddr) {
    const owners = await trx.selectFrom('senders').select('account_id').distinct().where('name', 'in', [mo.toAddr, `+${mo.toAddr}`]).where('status', '=', APPROVED).execute();
    if (owners.length === 1) accountId = Number(owners[0]!.account_id);
  }
  accountId ??= mo.moAccount;
  const extendCode = mo.extendCode || reply?.extend_code || '';
  const userId = reply?.user_id ?? '';
  const row = await trx
    .insertInto('inbound_messages')
    .values({
      account_id: accountId, carrier: mo.carrier, phone: mo.phone, to_addr: mo.toAddr, extend_code: extendCode, user_id: userId,
      content: mo.content, message_id: reply ? Number(reply.id) : null, received_at: mo.receivedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Only a number can be blacklisted: a sender that is not E.164 (alphanumeric, a national short code) is not.
  const intent = accountId !== null && E164.test(mo.phone) ? replyIntent(mo.content, mo.replyWords) : undefined;
  if (intent === 'stop') await recordOptOut(trx, accountId!, mo.phone, mo.receivedAt);
  else if (intent === 'start') await recordOptIn(trx, accountId!, mo.phone);
  // The push (MsgType 0) is queued in the same transaction, as a ReplyRecord (notify/payloads.ts renders it).
  if (accountId !== null && (await accountsWithCallback(trx, [accountId])).has(accountId)) {
    const record: ReplyRecord = { phone: reply?.phone ?? mo.phone, content: mo.content, extend_code: extendCode, user_id: userId, received_at: mo.receivedAt };
    await enqueueItems(trx, [{ accountId, msgType: MsgType.Reply, payload: JSON.stringify(record) }]);
  }
  // A reply to a message an SMPP customer sent goes back to that customer's binds, as deliver_sm.
  if (accountId !== null && reply?.smpp_user_id != null) {
    const record: SmppReplyRecord = { phone: mo.phone, to: reply.sender, content: mo.content, received_at: mo.receivedAt };
    await enqueueSmppItems(trx, [{
      userId: Number(reply.smpp_user_id), accountId, messageId: Number(reply.id), kind: 'reply', payload: JSON.stringify(record), expiresAt: mo.receivedAt + SMPP_DELIVERY_TTL_MS,
    }]);
  }
  return { id: Number(row.id), accountId, userId, extendCode, messageId: reply ? Number(reply.id) : null };
}

/**
 * The latest message `carrier` sent to `e164` (every part accepted: it has the carrier's id), with
 * `extendCode` when given. The last two conditions are those of the messages_e164 index (migration
 * 010): SQLite uses a partial index only when the query repeats them.
 */
export function latestSentTo(db: Kysely<Database>, carrier: string, e164: string, extendCode?: string) {
  return db
    .selectFrom('messages')
    .select(['id', 'account_id', 'user_id', 'extend_code', 'phone', 'sender', 'smpp_user_id'])
    .where('e164', '=', e164)
    .where('carrier', '=', carrier)
    .$if(extendCode !== undefined, (q) => q.where('extend_code', '=', extendCode!))
    .where('carrier_msg_id', 'is not', null)
    .where('carrier', '<>', sql.lit(SANDBOX))
    .orderBy('id', 'desc')
    .limit(1);
}

/** An account's inbound messages, newest first. */
export async function listInbound(db: Db, accountId: number | null, limit: number) {
  const rows = await db
    .selectFrom('inbound_messages')
    .selectAll()
    .$if(accountId === null, (q) => q.where('account_id', 'is', null))
    .$if(accountId !== null, (q) => q.where('account_id', '=', accountId!))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    Id: Number(r.id), AccountId: r.account_id === null ? null : Number(r.account_id), Carrier: r.carrier, Phone: r.phone, To: r.to_addr,
    ExtendCode: r.extend_code, UserId: r.user_id, Content: r.content, ReceivedAt: new Date(Number(r.received_at)).toISOString(),
  }));
}
