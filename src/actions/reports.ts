import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import { invalidParameter } from '../sms/errors.ts';
import { pullReports } from '../store/reports.ts';
import { receiptResultFor } from './receipts.ts';
import type { ActionAnswer, ActionContext } from './context.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 200;

/**
 * PullUSMSReport: the caller's oldest final receipts not pulled yet, at most `Limit` (default 100,
 * max 200). A pulled report is deleted: it is never answered twice, also to concurrent pulls.
 * Reports are kept `reportRetentionHours` (72 h) when nobody pulls them.
 */
export async function pullReportAction(ctx: ActionContext, params: Record<string, unknown>): Promise<ActionAnswer> {
  const limit = intParam(params.Limit, 'Limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const { db, config } = ctx.services;
  const rows = await pullReports(db, ctx.caller.accountId, limit, config.reportRetentionHours * 3600_000);
  const uspeedo = ctx.dialect !== 'ucloud';
  const ReportSet = rows.map((r) => {
    const item: Record<string, unknown> = {
      SessionNo: r.session_no,
      Phone: r.phone,
      CostCount: Number(r.segments),
      ReceiptResult: receiptResultFor(r.status, ctx.dialect),
      ReceiptCode: r.receipt_code,
      ReceiptDesc: r.receipt_desc,
      ReceiptTime: Math.floor(Number(r.receipt_at) / 1000),
      UserId: r.user_id,
    };
    if (uspeedo) {
      item.AccountId = ctx.caller.accountId;
      item.BrevityCode = r.region;
      item.CountryCode = callingCode(r.region);
    }
    return item;
  });
  return { fields: { ReportSet } };
}

/** An optional integer parameter (a number, or digits as the UCloud dialect sends them). */
export function intParam(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n)) throw invalidParameter(name, `must be an integer, got ${JSON.stringify(raw)}`);
  if (n < min || n > max) throw invalidParameter(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function callingCode(region: string): string {
  try {
    return getCountryCallingCode(region as CountryCode);
  } catch {
    return '';
  }
}
