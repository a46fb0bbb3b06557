import { randomBytes } from 'node:crypto';
import { postPush, type PushResult } from '../notify/http.ts';
import { itemData } from '../notify/payloads.ts';
import { buildBody } from '../notify/pusher.ts';
import { signPush } from '../notify/sign.ts';
import {
  callbackCounts, failedItems, getCallbackUrl, MsgType, retryFailed, setCallbackUrl as storeSetCallbackUrl, signingKey, type ReceiptRecord,
} from '../store/callbacks.ts';
import type { Db } from '../store/db.ts';
import { badInput } from './actor.ts';
import { audit } from './audit.ts';
import type { OperatorContext } from './context.ts';
import { pageLimit } from './input.ts';
import { accountInScope } from './scope.ts';

const MAX_URL_CHARS = 2000;
/** What the push thread waits for an answer by default (USMS_CALLBACK_TIMEOUT_MS). */
const DEFAULT_TEST_TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * A callback URL as given: an http(s) URL without credentials (pushes are signed instead), normalised;
 * '' (or spaces) means "no URL, stop pushing" and answers ''.
 */
export function parseCallbackUrl(raw: unknown, field = 'Url'): string {
  if (typeof raw !== 'string') throw badInput(`${field} must be a string ('' to stop pushing)`);
  const text = raw.trim();
  if (text === '') return '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(`${field}: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput(`${field} must be an http:// or https:// URL`);
  if (url.username || url.password) throw badInput(`${field} must not carry credentials; pushes are signed instead`);
  if (text.length > MAX_URL_CHARS) throw badInput(`${field} is longer than ${MAX_URL_CHARS} characters`);
  return url.toString();
}

/** The push settings page: the URL, the outbox by status and the first failed pushes. */
export async function callbackOverview(ctx: OperatorContext, q: { AccountId?: number; Limit?: unknown }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'read');
  return {
    AccountId: id,
    Url: (await getCallbackUrl(ctx.db, id)) ?? '',
    Counts: await callbackCounts(ctx.db, id),
    Failed: await failedPushItems(ctx.db, id, pageLimit(q.Limit, 20, 10_000)),
  };
}

export interface FailedPush {
  Id: number;
  MsgType: number;
  Attempts: number;
  LastError: string;
  CreateTime: number;
  FailedTime: number;
  /** The item as the customer receives it inside `Data`. */
  Data: unknown;
}

/** Failed items with `Data` rendered as it is pushed (the store keeps its own record). */
async function failedPushItems(db: Db, accountId: number, limit: number): Promise<FailedPush[]> {
  const items = await failedItems(db, accountId, limit);
  return items.map(({ Payload, ...item }) => ({ ...item, Data: itemData(item.MsgType, Payload) }));
}

/** Sets the account's callback URL ('' stops pushing). */
export async function setCallbackUrl(ctx: OperatorContext, q: { AccountId?: number; Url: unknown }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'write');
  const url = parseCallbackUrl(q.Url);
  await storeSetCallbackUrl(ctx.db, id, url || undefined);
  await audit(ctx.db, ctx.actor, 'callback.set', String(id), id, { Url: url });
  return { AccountId: id, Url: url };
}

/** Pushes by status; `Retrying` are pending ones that failed at least once. */
export async function pushCounts(ctx: OperatorContext, q: { AccountId?: number }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'read');
  return { AccountId: id, ...(await callbackCounts(ctx.db, id)) };
}

/** Pushes that failed for good, oldest first, and how many there are. */
export async function failedPushes(ctx: OperatorContext, q: { AccountId?: number; Limit?: unknown }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'read');
  const items = await failedPushItems(ctx.db, id, pageLimit(q.Limit, 100, 10_000));
  return { AccountId: id, Total: (await callbackCounts(ctx.db, id)).Failed, Failed: items };
}

/** Queues failed pushes again with a fresh attempt budget: all of them, or the ones in `Ids`. */
export async function retryPushes(ctx: OperatorContext, q: { AccountId?: number; Ids?: unknown }) {
  const { id } = await accountInScope(ctx, q.AccountId, 'write');
  let ids: number[] | undefined;
  if (q.Ids !== undefined && q.Ids !== null) {
    if (!Array.isArray(q.Ids) || !q.Ids.every((n) => Number.isSafeInteger(n) && n > 0)) throw badInput('Ids must be a list of push item ids');
    ids = q.Ids as number[];
  }
  const requeued = await retryFailed(ctx.db, id, ids);
  await audit(ctx.db, ctx.actor, 'callback.retry', String(id), id, { Ids: ids ?? 'all failed', Requeued: requeued });
  return { AccountId: id, Requeued: requeued };
}

export interface TestPushResult {
  AccountId: number;
  Url: string;
  /** Whether the receiver answered as a delivered push must be answered (2xx, JSON `{"code":0}`). */
  Delivered: boolean;
  /** The receiver's HTTP status, when it answered and the push layer reports it. */
  Status: number | null;
  /** Why it does not count as delivered; '' when delivered. */
  Error: string;
}

/**
 * Sends one receipt-shaped test item to the account's callback URL, built and signed exactly as the
 * push thread does (notify/), and answers what the receiver made of it. Nothing is queued or stored.
 */
export async function testPush(ctx: OperatorContext, q: { AccountId?: number }, opts: { timeoutMs?: number } = {}): Promise<TestPushResult> {
  const { id } = await accountInScope(ctx, q.AccountId, 'write');
  const url = await getCallbackUrl(ctx.db, id);
  if (!url) throw badInput('the account has no callback URL: set one first');
  const now = Date.now();
  // A record as the store queues one, so the test goes through the same rendering as real pushes.
  const record: ReceiptRecord = {
    session_no: `TEST-${randomBytes(6).toString('hex')}`,
    phone: '',
    segments: 0,
    receipt_at: now,
    status: 'delivered',
    receipt_code: 'TEST',
    receipt_desc: 'usms test push',
    user_id: '',
  };
  const { body } = buildBody(MsgType.Receipt, [{ id: 0, payload: JSON.stringify(record), attempts: 0, queuedAt: now }], Number.MAX_SAFE_INTEGER);
  const key = await signingKey(ctx.db, ctx.box, id);
  const result: PushResult = key
    ? await postPush(url, body, signPush(key, body), { timeoutMs: opts.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS, maxResponseBytes: MAX_RESPONSE_BYTES })
    : { ok: false, error: 'the account has no active API key to sign with' };
  const answer: TestPushResult = { AccountId: id, Url: url, Delivered: result.ok, Status: httpStatus(result), Error: result.ok ? '' : (result.error ?? 'failed') };
  await audit(ctx.db, ctx.actor, 'callback.test', String(id), id, { Url: url, Delivered: answer.Delivered, Status: answer.Status });
  return answer;
}

/** The receiver's status: from the push result when it carries one, else from its error text ("HTTP 503: ..."). */
function httpStatus(result: PushResult & { status?: number }): number | null {
  if (typeof result.status === 'number') return result.status;
  const m = /^HTTP (\d{3})\b/.exec(result.error ?? '');
  return m ? Number(m[1]) : null;
}
