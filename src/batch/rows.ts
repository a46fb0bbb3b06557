import type { CsvRecord } from './csv.ts';

/*
 * The column rule of a batch CSV:
 *   - With a header row (its first cell is `phone`): columns are matched by name, case-insensitively:
 *     `phone` (required), `userid` and `extendcode` (optional); every other column is a template
 *     parameter, in column order. Every row must have as many fields as the header.
 *   - Without a header row: the first column is the phone, every other column a template parameter.
 * Rows without a phone, or with a wrong field count, are marked invalid and are not sent.
 */

export interface BatchRow {
  /** The 1-based line of the CSV text the row starts on. */
  line: number;
  phone: string;
  params: string[];
  userId?: string;
  extendCode?: string;
  /** Set when the row cannot be sent at all. */
  invalid?: string;
}

/** Rows of the CSV by the column rule above; `header` tells whether the first record was a header. */
export function rowsFromCsv(records: CsvRecord[]): { rows: BatchRow[]; header: boolean } {
  if (records.length === 0) return { rows: [], header: false };
  const first = records[0]!.cells.map((c) => c.trim().toLowerCase());
  const header = first[0] === 'phone';
  if (!header) {
    return {
      header,
      rows: records.map((r) => {
        const phone = r.cells[0]!.trim();
        return { line: r.line, phone, params: r.cells.slice(1), invalid: phone ? undefined : 'empty phone' };
      }),
    };
  }
  const col = (names: string[]) => first.findIndex((c) => names.includes(c));
  const phoneCol = 0;
  const userCol = col(['userid', 'user_id']);
  const extendCol = col(['extendcode', 'extend_code']);
  const paramCols = first.map((_, i) => i).filter((i) => i !== phoneCol && i !== userCol && i !== extendCol);
  return {
    header,
    rows: records.slice(1).map((r) => {
      const phone = (r.cells[phoneCol] ?? '').trim();
      const row: BatchRow = { line: r.line, phone, params: paramCols.map((i) => r.cells[i] ?? '') };
      const userId = userCol >= 0 ? (r.cells[userCol] ?? '').trim() : '';
      const extendCode = extendCol >= 0 ? (r.cells[extendCol] ?? '').trim() : '';
      if (userId) row.userId = userId;
      if (extendCode) row.extendCode = extendCode;
      if (r.cells.length !== first.length) row.invalid = `row has ${r.cells.length} fields, the header has ${first.length}`;
      else if (!phone) row.invalid = 'empty phone';
      return row;
    }),
  };
}
