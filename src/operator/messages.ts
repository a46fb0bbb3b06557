import { itemData } from '../notify/payloads.ts';
import { normalizePhone } from '../sms/phone.ts';
import { getAccount } from '../store/accounts.ts';
import { MsgType } from '../store/callbacks.ts';
import { attemptsOfMessage, messageById, partsOfMessage, receiptPushesOf, searchMessages as searchLog, type AttemptRow, type LogPosition, type MessageRow, type PartRow, type PushRow } from '../store/message-search.ts';
import type { MessageStatus } from '../store/schema.ts';
import { accountFilter, badInput, notFound } from './actor.ts';
import type { OperatorContext } from './context.ts';
import { optionalInt, optionalString, pageLimit, requiredInt } from './input.ts';

/** The message log's filters as the console passes them (query-string values; '' means not given). */
export interface MessageSearchInput {
  /** An operator's choice of account; a customer user always gets their own. */
  accountId?: number | string;
  /** Any form the customer types: national in the account's region, +cc, 00cc, (cc) ... */
  phone?: string;
  sessionNo?: string;
  userId?: string;
  templateId?: string;
  status?: string;
  /** Unix ms: from inclusive, to exclusive. */
  from?: number | string;
  to?: number | string;
  /** `Next` of the previous page. */
  cursor?: string;
  limit?: number | string;
}

export interface LogMessage {
  Id: number;
  AccountId: number;
  SessionNo: string;
  /** As the caller wrote it. */
  Phone: string;
  Region: string;
  TemplateId: string;
  Sender: string;
  Content: string;
  Encoding: string;
  Segments: number;
  UserId: string;
  Status: MessageStatus;
  Carrier: string | null;
  CarrierMsgId: string | null;
  ReceiptCode: string | null;
  ReceiptDesc: string | null;
  /** Unix ms, or null. */
  ReceiptTime: number | null;
  SentTime: number | null;
  CreateTime: number;
}

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'expired', 'failed', 'unknown'];
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** The message log, newest first, one page at a time. */
export async function searchMessages(ctx: OperatorContext, input: MessageSearchInput): Promise<{ Messages: LogMessage[]; Next: string | null }> {
  const accountId = accountFilter(ctx.actor, optionalInt(input.accountId, 'account', { min: 1 }));
  const status = text(input.status, 'status', 16);
  if (status !== undefined && !MESSAGE_STATUSES.includes(status as MessageStatus)) throw badInput(`status must be one of ${MESSAGE_STATUSES.join(', ')}`);
  const from = optionalInt(input.from, 'from (unix ms)', { min: 0 });
  const to = optionalInt(input.to, 'to (unix ms)', { min: 0 });
  if (from !== undefined && to !== undefined && from > to) throw badInput('from is after to');
  const limit = pageLimit(input.limit, DEFAULT_PAGE, MAX_PAGE);
  const cursor = text(input.cursor, 'cursor', 64);
  const phone = text(input.phone, 'phone', 64);
  const rows = await searchLog(ctx.db, {
    accountId,
    e164: phone === undefined ? undefined : await toE164(ctx, phone, accountId),
    sessionNo: text(input.sessionNo, 'session', 128),
    userId: text(input.userId, 'userId', 128),
    templateId: text(input.templateId, 'template', 128),
    status: status as MessageStatus | undefined,
    from,
    to,
    after: cursor === undefined ? undefined : decodeCursor(cursor),
    // One more than a page tells whether another page follows, so the last page never leads to an empty one.
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { Messages: page.map(logMessage), Next: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null };
}

/** The phone as stored (E.164), read in the account's region; an operator searching every account reads national numbers as Chinese. */
async function toE164(ctx: OperatorContext, phone: string, accountId: number | undefined): Promise<string> {
  let region = 'CN';
  if (accountId !== undefined) {
    const account = await getAccount(ctx.db, accountId);
    if (!account) throw notFound(`no account ${accountId}`);
    region = account.region;
  }
  const normalized = normalizePhone(phone.trim(), region);
  if (!normalized.ok) throw badInput(`phone: ${normalized.reason}`);
  return normalized.e164;
}

/** A text filter; '' (an empty query-string field) means not given. */
function text(value: unknown, field: string, max: number): string | undefined {
  const s = optionalString(value, field, max);
  return s === '' ? undefined : s;
}

/** The cursor is opaque to the console: the last message's position in the log's order. */
function encodeCursor(p: LogPosition): string {
  return Buffer.from(`${p.createdAt}.${p.id}`).toString('base64url');
}

function decodeCursor(cursor: string): LogPosition {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(/^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('latin1') : '');
  const createdAt = Number(m?.[1]);
  const id = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(createdAt) || !Number.isSafeInteger(id)) throw badInput('cursor is not one this log gave');
  return { createdAt, id };
}

function logMessage(m: MessageRow): LogMessage {
  return {
    Id: m.id,
    AccountId: m.account_id,
    SessionNo: m.session_no,
    Phone: m.phone,
    Region: m.region,
    TemplateId: m.template_id,
    Sender: m.sender,
    Content: m.content,
    Encoding: m.encoding,
    Segments: m.segments,
    UserId: m.user_id,
    Status: m.status,
    Carrier: m.carrier,
    CarrierMsgId: m.carrier_msg_id,
    ReceiptCode: m.receipt_code,
    ReceiptDesc: m.receipt_desc,
    ReceiptTime: m.receipt_at,
    SentTime: m.sent_at,
    CreateTime: m.created_at,
  };
}

export interface MessagePart {
  PartNo: number;
  Total: number;
  Carrier: string;
  CarrierMsgId: string;
  /** sent | enroute | delivered | undelivered | expired | unknown */
  Status: string;
  ReceiptCode: string | null;
  ReceiptDesc: string | null;
  ReceiptTime: number | null;
  SubmitTime: number;
}

export interface ReceiptPush {
  Id: number;
  /** pending | delivered | failed */
  Status: string;
  Attempts: number;
  LastError: string | null;
  QueuedTime: number;
  DeliveredTime: number | null;
  /** The item as pushed inside `Data`. */
  Data: Record<string, unknown>;
}

export interface TimelineEvent {
  Time: number;
  /** accepted | carrier-refused | outcome-unknown | retrying | sending | submitted | submit-failed | part-receipt | receipt | push-queued | push-retrying | push-delivered | push-failed */
  Event: string;
  Detail: string;
}

/** A carrier's attempt that did not send the message: refused (retried, on another carrier of the route when one took messages), unknown, or failed. */
export interface MessageAttempt {
  Carrier: string;
  /** retry | unknown | failed */
  Result: string;
  Code: string;
  Detail: string;
  Time: number;
}

/** A receipt push with its item rendered as the customer receives it. */
export type ShownPush = PushRow & { item: Record<string, unknown> };

export interface MessageDetail {
  Message: LogMessage;
  Parts: MessagePart[];
  Attempts: MessageAttempt[];
  Timeline: TimelineEvent[];
  Pushes: ReceiptPush[];
}

/** One message with its parts, its receipt pushes and what happened to it; another account's id answers not-found, as a missing one does. */
export async function messageDetail(ctx: OperatorContext, id: number | string, opts: { accountId?: number | string } = {}): Promise<MessageDetail> {
  const accountId = accountFilter(ctx.actor, optionalInt(opts.accountId, 'account', { min: 1 }));
  const n = requiredInt(id, 'message id', { min: 1 });
  const m = await messageById(ctx.db, n, accountId);
  if (!m) throw notFound(`no message ${n}`);
  const parts = await partsOfMessage(ctx.db, m.id);
  const pushes: ShownPush[] = (await receiptPushesOf(ctx.db, m)).map((p) => ({ ...p, item: itemData(MsgType.Receipt, p.payload) as Record<string, unknown> }));
  const attempts = await attemptsOfMessage(ctx.db, m.id);
  return {
    Message: logMessage(m),
    Attempts: attempts.map((a) => ({ Carrier: a.carrier, Result: a.result, Code: a.code, Detail: a.detail, Time: a.at })),
    Parts: parts.map((p) => ({
      PartNo: p.partNo, Total: p.total, Carrier: p.carrier, CarrierMsgId: p.carrierMsgId, Status: p.status,
      ReceiptCode: p.receiptCode, ReceiptDesc: p.receiptDesc, ReceiptTime: p.receiptAt, SubmitTime: p.createdAt,
    })),
    Timeline: timeline(m, parts, pushes, attempts),
    Pushes: pushes.map((p) => ({
      Id: p.id, Status: p.status, Attempts: p.attempts, LastError: p.lastError, QueuedTime: p.createdAt, DeliveredTime: p.deliveredAt, Data: p.item,
    })),
  };
}

const RECEIPT_STATUSES: readonly MessageStatus[] = ['delivered', 'undelivered', 'expired', 'unknown'];

/**
 * What happened to a message, in the order it happened: accepted, the attempts carriers refused (or left
 * unknown), submitted (per part when it went as several), the parts' receipts, the final receipt (or the submit failure), then its pushes. Kept in that
 * causal order rather than sorted by time: a receipt's time is the carrier's clock, often in whole minutes.
 */
export function timeline(m: MessageRow, parts: PartRow[], pushes: ShownPush[], attempts: AttemptRow[] = []): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const add = (time: number | null, event: string, detail: string) => {
    if (time !== null) events.push({ Time: time, Event: event, Detail: detail });
  };
  add(m.created_at, 'accepted', `session ${m.session_no}, ${m.segments} segment${m.segments === 1 ? '' : 's'} (${m.encoding})`);
  // The final failure has its own event (submit-failed).
  for (const a of attempts) {
    if (a.result === 'retry') add(a.at, 'carrier-refused', `${a.carrier}: ${outcome(a.code, a.detail)}; tried again`);
    else if (a.result === 'unknown') add(a.at, 'outcome-unknown', `${a.carrier}: ${outcome(a.code, a.detail)}`);
  }
  if (m.status === 'queued' && m.attempts > 0) add(m.updated_at, 'retrying', `attempt ${m.attempts} did not go out${m.receipt_desc ? `: ${m.receipt_desc}` : ''}; next try at ${new Date(m.next_attempt_at).toISOString()}`);
  if (m.status === 'sending') add(m.updated_at, 'sending', `to ${m.carrier ?? '?'}, attempt ${m.attempts}`);
  if (parts.length > 0) {
    for (const p of parts) add(p.createdAt, 'submitted', `part ${p.partNo}/${p.total} to ${p.carrier} as ${p.carrierMsgId}`);
  } else if (m.sent_at !== null) {
    add(m.sent_at, 'submitted', `to ${m.carrier ?? '?'}${m.carrier_msg_id ? ` as ${m.carrier_msg_id}` : ''}`);
  }
  if (m.status === 'failed') add(m.receipt_at, 'submit-failed', `${m.carrier ?? '?'} refused it: ${outcome(m.receipt_code, m.receipt_desc)}`);
  for (const p of [...parts].filter((p) => p.receiptAt !== null).sort((a, b) => a.receiptAt! - b.receiptAt! || a.partNo - b.partNo)) {
    add(p.receiptAt, 'part-receipt', `part ${p.partNo}/${p.total}: ${p.status} (${outcome(p.receiptCode, p.receiptDesc)})`);
  }
  if (RECEIPT_STATUSES.includes(m.status)) add(m.receipt_at, 'receipt', `${m.status} (${outcome(m.receipt_code, m.receipt_desc)})`);
  for (const p of pushes) {
    add(p.createdAt, 'push-queued', `receipt push ${p.id}: ${String(p.item.ReceiptResult ?? '')}`);
    const tries = `${p.attempts} attempt${p.attempts === 1 ? '' : 's'}`;
    if (p.status === 'delivered') add(p.deliveredAt ?? p.updatedAt, 'push-delivered', `receipt push ${p.id}, after ${tries}`);
    else if (p.status === 'failed') add(p.updatedAt, 'push-failed', `receipt push ${p.id}, gave up after ${tries}: ${p.lastError ?? ''}`);
    else if (p.attempts > 0) add(p.updatedAt, 'push-retrying', `receipt push ${p.id}, ${tries} failed: ${p.lastError ?? ''}`);
  }
  return events;
}

function outcome(code: string | null, desc: string | null): string {
  return [code, desc].filter((s) => s).join(' ') || 'no code';
}
