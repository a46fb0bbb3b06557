import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import { RetCode, UsmsError, missingParameter } from '../sms/errors.ts';
import { messagesOfSessions } from '../store/messages.ts';
import { receiptResult } from '../sms/receipt-result.ts';
import type { MessageStatus } from '../store/schema.ts';
import type { ActionAnswer, ActionContext, Dialect } from './context.ts';

const MAX_SESSIONS = 100;

/** ReceiptResult in the dialect's spelling (REST v1 follows uSpeedo). */
export function receiptResultFor(status: MessageStatus, dialect: Dialect): string {
  return receiptResult(status, dialect === 'ucloud' ? 'ucloud' : 'uspeedo');
}

const PENDING_DESC: Partial<Record<MessageStatus, string>> = {
  queued: 'queued for delivery',
  held: 'held by a pumping alarm until the operator releases or drops it',
  sending: 'being submitted to the carrier',
  sent: 'submitted to the carrier, waiting for the delivery receipt',
};

export function sessionNoSet(params: Record<string, unknown>): string[] {
  const set = params.SessionNoSet;
  if (set === undefined || (Array.isArray(set) && set.length === 0)) throw missingParameter('SessionNoSet');
  const list = Array.isArray(set) ? set : [set];
  if (list.length > MAX_SESSIONS) throw new UsmsError(RetCode.InvalidParameter, `at most ${MAX_SESSIONS} SessionNo per request, got ${list.length}`);
  if (!list.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 64)) {
    throw new UsmsError(RetCode.InvalidParameter, 'Invalid parameter [SessionNoSet]: each item must be a SessionNo string');
  }
  return [...new Set(list as string[])];
}

/**
 * Receipts of the caller's sessions. A SessionNo that does not exist or belongs to another account
 * answers an empty ReceiptSet: the two cases look the same from outside.
 */
export async function receiptData(ctx: ActionContext, sessionNos: string[]) {
  const rows = await messagesOfSessions(ctx.services.db, ctx.caller.accountId, sessionNos);
  const bySession = new Map<string, Array<Record<string, unknown>>>(sessionNos.map((s) => [s, []]));
  const uspeedo = ctx.dialect !== 'ucloud';
  for (const r of rows) {
    const status = r.status as MessageStatus;
    const item: Record<string, unknown> = {
      Phone: r.phone,
      CostCount: Number(r.segments),
      ReceiptResult: receiptResultFor(status, ctx.dialect),
      ReceiptCode: r.receipt_code ?? '',
      ReceiptDesc: r.receipt_desc ?? PENDING_DESC[status] ?? '',
      ReceiptTime: Math.floor(Number(r.receipt_at ?? r.updated_at) / 1000),
      UserId: r.user_id,
    };
    if (uspeedo) {
      item.AccountId = ctx.caller.accountId;
      item.BrevityCode = r.region;
      item.CountryCode = callingCode(r.region);
    }
    bySession.get(r.session_no)?.push(item);
  }
  return [...bySession].map(([SessionNo, ReceiptSet]) => ({ SessionNo, ReceiptSet }));
}

export async function getReceiptAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const data = await receiptData(ctx, sessionNoSet(params));
  return { fields: { Data: data } };
}

function callingCode(region: string): string {
  try {
    return getCountryCallingCode(region as CountryCode);
  } catch {
    return '';
  }
}
