/**
 * The message and receipt state machine, pure: a message's states (DESIGN.md), what a carrier's
 * receipt word makes of a message or of one part of it, and how the parts of a multipart message make
 * its status. The store applies these; carriers only report words.
 */

/** DESIGN.md message states; `rejected` targets never reach the table (they are answered in FailContent). */
export type MessageStatus =
  | 'queued'
  /** Accepted but paused by a pumping alarm until the operator releases or drops it. */
  | 'held'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'failed'
  | 'unknown';

export const FINAL_STATUSES: readonly MessageStatus[] = ['delivered', 'undelivered', 'expired', 'failed', 'unknown'];

/** A receipt's stat word -> the message's status; undefined for the intermediate ACCEPTD / ENROUTE. */
export function statusForReceipt(code: string): MessageStatus | undefined {
  switch (code) {
    case 'DELIVRD':
      return 'delivered';
    case 'EXPIRED':
      return 'expired';
    case 'UNKNOWN':
      return 'unknown';
    case 'ACCEPTD':
    case 'ENROUTE':
      return undefined;
    default:
      return 'undelivered'; // UNDELIV, REJECTD, DELETED and vendor words for failure
  }
}

/** A part of a multipart message as receipts move it; `enroute` after an intermediate receipt. */
export type PartStatus = 'sent' | 'enroute' | 'delivered' | 'undelivered' | 'expired' | 'unknown';

/** A receipt's stat word -> the part's status (statusForReceipt); ACCEPTD / ENROUTE are intermediate. */
export function partStatusFor(code: string): PartStatus {
  return (statusForReceipt(code) as PartStatus | undefined) ?? 'enroute';
}

export interface PartState {
  partNo: number;
  total: number;
  status: string;
  code: string | null;
  desc: string | null;
  at: number | null;
}

export interface RolledUp {
  status: MessageStatus;
  code: string;
  desc: string;
  at: number;
}

/**
 * The roll-up rule: how a message's parts make its status.
 * - Any part undelivered (UNDELIV / REJECTD / DELETED ...) or expired: the message is final at once
 *   with that part's status and code (the earliest such receipt); later receipts only update parts.
 * - Every part delivered: delivered; the receipt time is the last part's.
 * - Every part has a final receipt, none failed, some UNKNOWN: unknown.
 * - Otherwise (receipts still owed, or only ENROUTE / ACCEPTD so far): not final yet.
 */
export function rollUp(parts: PartState[]): RolledUp | undefined {
  if (parts.length === 0) return undefined;
  const total = parts[0]!.total;
  const label = (p: PartState) => (total > 1 ? `part ${p.partNo}/${total}: ` : '');
  const failed = parts
    .filter((p) => p.status === 'undelivered' || p.status === 'expired')
    .sort((a, b) => (a.at ?? 0) - (b.at ?? 0) || a.partNo - b.partNo)[0];
  if (failed) return { status: failed.status as MessageStatus, code: failed.code ?? '', desc: label(failed) + (failed.desc ?? ''), at: failed.at ?? Date.now() };
  const final = parts.filter((p) => p.status === 'delivered' || p.status === 'unknown');
  if (new Set(final.map((p) => p.partNo)).size < total) return undefined;
  const at = Math.max(...final.map((p) => p.at ?? 0));
  const unknown = final.find((p) => p.status === 'unknown');
  if (unknown) return { status: 'unknown', code: unknown.code ?? 'UNKNOWN', desc: label(unknown) + (unknown.desc ?? ''), at };
  const last = final.reduce((a, b) => ((b.at ?? 0) >= (a.at ?? 0) ? b : a));
  return { status: 'delivered', code: last.code ?? 'DELIVRD', desc: last.desc ?? '', at };
}
