import type { BatchRow } from './rows.ts';

/** Rows per SendBatchUSMSMessage request: the most each dialect accepts (UCloud documents 200). */
export const MAX_CHUNK_ROWS = { ucloud: 200, uspeedo: 1000, rest: 1000 } as const;
export type ChunkDialect = keyof typeof MAX_CHUNK_ROWS;

/** The rows in chunks of `size`, in order. */
export function chunkRows<T>(rows: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive whole number, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** One chunk's outcome: its SessionNo (when anything was accepted) and the failed rows (index in chunk -> reason). */
export interface ChunkResult {
  sessionNo?: string;
  failures: Array<[number, string]>;
}

/** Maps a SendBatch answer (or refusal) back to the chunk's rows: FailContent / FailedTargetPhones echo the targets. */
export function chunkResult(rows: BatchRow[], answer: Record<string, unknown>): ChunkResult {
  const s = answer.SessionNo;
  const sessionNo = typeof s === 'string' && s ? s : Array.isArray(s) && typeof s[0] === 'string' ? s[0] : undefined;
  const failed = new Map<number, string>();
  const queues = new Map<string, number[]>();
  const withUser = Array.isArray(answer.FailContent);
  rows.forEach((r, i) => {
    const k = targetKey(r.phone, r.params, withUser ? r.userId : undefined);
    const q = queues.get(k);
    if (q) q.push(i);
    else queues.set(k, [i]);
  });
  const fail = (phone: unknown, params: unknown, userId: unknown, reason: string) => {
    const q = queues.get(targetKey(phone, params, userId));
    const i = q?.shift();
    if (i !== undefined) failed.set(i, reason);
  };
  const message = typeof answer.Message === 'string' && answer.Message ? answer.Message : `RetCode ${String(answer.RetCode)}`;
  if (withUser) {
    for (const g of answer.FailContent as Array<Record<string, unknown>>) {
      const groupReason = typeof g.FailureDetails === 'string' && g.FailureDetails ? g.FailureDetails : undefined;
      const targets = Array.isArray(g.Target) ? (g.Target as Array<Record<string, unknown>>) : [];
      if (targets.length === 0 && groupReason) rows.forEach((_, i) => failed.set(i, groupReason));
      for (const t of targets) fail(t.Phone, t.TemplateParams, withUser ? t.UserId : undefined, String(t.FailureDetails || groupReason || message));
    }
  } else if (Array.isArray(answer.FailedTargetPhones)) {
    for (const t of answer.FailedTargetPhones as Array<Record<string, unknown>>) fail(t.Phone, t.TemplateParams, undefined, String(t.FailureReason || message));
  }
  // Nothing accepted: every row failed, with its own reason where the answer gives one.
  if (!sessionNo) rows.forEach((_, i) => failed.has(i) || failed.set(i, answer.RetCode === 0 ? 'not accepted' : `RetCode ${String(answer.RetCode)}: ${message}`));
  return { sessionNo, failures: [...failed.entries()].sort((a, b) => a[0] - b[0]) };
}

function targetKey(phone: unknown, params: unknown, userId: unknown): string {
  return JSON.stringify([String(phone ?? ''), Array.isArray(params) ? params.map(String) : [], userId === undefined || userId === null ? '' : String(userId)]);
}
