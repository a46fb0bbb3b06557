import { formatMoney } from '../billing/money.ts';
import { receiptResult } from '../sms/receipt-result.ts';
import { MsgType, type LowBalanceRecord, type ReceiptRecord, type ReplyRecord } from '../store/callbacks.ts';

/*
 * The customer's `Data` items of each MsgType, made from the records the store queues (store/callbacks.ts).
 * Pure: the pusher, the test push and the operator's views all render through here, so what is pushed and
 * what is shown are the same bytes. Times go out in unix seconds, money as formatMoney's decimal text.
 */

/** MsgType 2. ReceiptResult uses the UCloud spelling (`Unknow`), as the push format is UCloud's. */
export interface ReceiptItem {
  SessionNo: string;
  Phone: string;
  CostCount: number;
  ReceiptTime: number;
  ReceiptResult: string;
  ReceiptCode: string;
  ReceiptDesc: string;
  UserId: string;
}

/** MsgType 0. */
export interface ReplyItem {
  ExtendCode: string;
  UserId: string;
  Phone: string;
  ReplyContent: string;
  ReplyTime: number;
}

/** MsgType 3. */
export interface LowBalanceItem {
  AccountId: number;
  Balance: string;
  Threshold: string;
  Currency: string;
  Time: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

// Key order is part of the format: receivers that hash or compare raw items see the same bytes as ever.
export function receiptItem(r: ReceiptRecord): ReceiptItem {
  return {
    SessionNo: r.session_no,
    Phone: r.phone,
    CostCount: r.segments,
    ReceiptTime: seconds(r.receipt_at),
    ReceiptResult: receiptResult(r.status, 'ucloud'),
    ReceiptCode: r.receipt_code,
    ReceiptDesc: r.receipt_desc,
    UserId: r.user_id,
  };
}

export function replyItem(r: ReplyRecord): ReplyItem {
  return { ExtendCode: r.extend_code, UserId: r.user_id, Phone: r.phone, ReplyContent: r.content, ReplyTime: seconds(r.received_at) };
}

export function lowBalanceItem(r: LowBalanceRecord): LowBalanceItem {
  return { AccountId: r.account_id, Balance: formatMoney(r.balance), Threshold: formatMoney(r.threshold), Currency: r.currency, Time: seconds(r.at) };
}

/** Tells a store record from anything else by a key only the record has. */
const RECORD_KEY: Record<number, string> = { [MsgType.Receipt]: 'session_no', [MsgType.Reply]: 'received_at', [MsgType.LowBalance]: 'account_id' };

/**
 * The customer's JSON item for a stored outbox payload. A payload that is not a store record of `msgType`
 * (an item queued before the store kept records is already the customer's item) is returned as it is,
 * as the pusher always sent it: throwing would stall the account's whole queue on one item.
 */
export function renderItem(msgType: number, stored: string): string {
  const key = RECORD_KEY[msgType];
  if (key === undefined) return stored;
  let record: unknown;
  try {
    record = JSON.parse(stored);
  } catch {
    return stored;
  }
  if (typeof record !== 'object' || record === null || !(key in record)) return stored;
  switch (msgType) {
    case MsgType.Receipt:
      return JSON.stringify(receiptItem(record as ReceiptRecord));
    case MsgType.Reply:
      return JSON.stringify(replyItem(record as ReplyRecord));
    default:
      return JSON.stringify(lowBalanceItem(record as LowBalanceRecord));
  }
}

/** The rendered item as a value, for views that embed it in their own JSON (the console, the CLI). */
export function itemData(msgType: number, stored: string): unknown {
  return JSON.parse(renderItem(msgType, stored)) as unknown;
}
