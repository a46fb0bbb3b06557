import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/** How often each connection appends its table to the file. */
const WRITE_EVERY_MS = 5_000;
/** How many distinct statement texts are remembered with their shape. */
const MAX_REMEMBERED_TEXTS = 10_000;

/** The statement shapes a table shows, most time first. */
const TOP = 20;
/** Connections profiled in this thread so far, to tell their tables apart. */
let connections = 0;

/**
 * A diagnostic for speed work (USMS_SQL_PROFILE=<file>, SQLite only): how long each statement shape
 * took inside SQLite on one connection, excluding the wait for the write gate, with COMMIT on its own
 * line (with synchronous=full it holds the fsync). Every WRITE_EVERY_MS, and when the connection closes,
 * the connection appends its running totals to the file, headed by its process and thread ids, database file
 * and connection number.
 * Off by default: then no statement is timed.
 */
export class SqlProfile {
  private readonly shapes = new Map<string, { ms: number; count: number; params: number }>();
  /** Statement texts repeat (the statement cache): each is folded into its shape once. */
  private readonly shapeOf = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly label: string;

  constructor(
    private readonly file: string,
    database: string,
  ) {
    // A thread may hold several connections (the delivery thread: the sandbox's and the SMPP worker's).
    this.label = `${database} connection ${++connections}`;
    this.timer = setInterval(() => this.write(), WRITE_EVERY_MS);
    this.timer.unref();
  }

  record(sql: string, params: number, ms: number): void {
    let key = this.shapeOf.get(sql);
    if (key === undefined) {
      key = statementShape(sql);
      // Texts with inlined values would grow it without end; past the bound, fold anew each time.
      if (this.shapeOf.size < MAX_REMEMBERED_TEXTS) this.shapeOf.set(sql, key);
    }
    const entry = this.shapes.get(key);
    if (entry) {
      entry.ms += ms;
      entry.count++;
      entry.params += params;
    } else this.shapes.set(key, { ms, count: 1, params });
  }

  close(): void {
    clearInterval(this.timer);
    this.write();
  }

  private write(): void {
    if (this.shapes.size === 0) return;
    const rows = [...this.shapes].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP);
    const lines = rows.map(([shape, s]) =>
      `${s.ms.toFixed(0).padStart(8)} ms ${String(s.count).padStart(8)}x ${((1000 * s.ms) / s.count).toFixed(0).padStart(7)} us/stmt ${(s.params / s.count).toFixed(0).padStart(5)} params  ${shape}`);
    appendFileSync(this.file, `--- pid ${process.pid} thread ${threadId} ${this.label} ${new Date().toISOString()}\n${lines.join('\n')}\n`);
  }
}

/** One line per statement shape: whitespace collapsed, runs of placeholders and of value rows folded, cut at 140 characters. */
export function statementShape(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\?(?:\s*,\s*\?)+/g, '?…')
    .replace(/\(([^()]*)\)(?:\s*,\s*\(\1\))+/g, '($1)…')
    .slice(0, 140);
}
