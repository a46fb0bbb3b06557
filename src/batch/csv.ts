/**
 * A small RFC 4180 CSV reader/writer: comma separated, CRLF or LF line ends, fields in double quotes may
 * hold commas, quotes (doubled) and line breaks. A leading UTF-8 BOM is ignored; empty lines are skipped.
 */

export interface CsvRecord {
  /** The 1-based line the record starts on. */
  line: number;
  cells: string[];
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(`CSV line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    // An empty line (LF, CRLF or CR) is no record.
    if (text[i] === '\n' || text[i] === '\r') {
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvError('a quoted field is not closed', start);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          cell += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvError(`unexpected ${JSON.stringify(text[i])} after a closing quote (quotes inside a field are written "")`, line);
        }
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        cell = text.slice(from, i);
      }
      cells.push(cell);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      // End of record: a line break or the end of the text.
      if (i < n) {
        i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
      }
      break;
    }
    records.push({ line: start, cells });
  }
  return records;
}

/** One field, quoted when it needs to be. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
}

/** One record with a CRLF-free line end (LF). */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\n';
}
