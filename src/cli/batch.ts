import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsmsApiError, UsmsRequestError, type UsmsClient } from '../client/index.ts';
import { chunkResult, chunkRows, MAX_CHUNK_ROWS, type ChunkResult } from '../batch/chunks.ts';
import { csvLine, parseCsv } from '../batch/csv.ts';
import { rowsFromCsv, type BatchRow } from '../batch/rows.ts';
import { printResult } from './output.ts';
import { clientFrom, withConnection, type ConnectionOpts } from './connection.ts';

/*
 * `usms batch FILE.csv`: one template and sender, a row per number, sent with SendBatchUSMSMessage in
 * chunks. Rows come from the CSV by the column rule of src/batch/rows.ts (a header row naming phone,
 * userid, extendcode and parameter columns, or phone,param1,... without one); rows without a phone,
 * or with a wrong field count, fail locally and are not sent. Empty lines are skipped.
 *
 * Resuming: `<out>.state.jsonl` (JSON lines, appended and fsynced) records the run (input hash, template,
 * sender, dialect, key, chunk size), each chunk's Idempotency-Key before it is sent, and each chunk's
 * result. Run the same command again after an interruption: finished chunks are skipped and unfinished
 * ones resent with their recorded key, which the server answers with its first answer (nothing sent twice),
 * for 24 h. The result CSV is written once every chunk is done.
 */

const KEY_TTL_MS = 24 * 3600 * 1000;
/** Answers that say nothing about the rows: stop (resumable) instead of recording the chunk as failed. */
const STOP_RETCODES = new Set([160, 161, 170, 171, 172, 173, 200, 290, 291, 292, 294, 18004, 18007, 215398, 215400]);

interface RunHeader {
  type: 'run';
  version: 1;
  runId: string;
  input: string;
  inputSha256: string;
  template: string;
  sender: string;
  dialect: string;
  publicKey: string;
  chunkSize: number;
  chunks: number;
  createdAt: number;
}
type JournalLine = RunHeader | { type: 'start'; chunk: number; key: string; at: number } | ({ type: 'done'; chunk: number; key: string; at: number } & ChunkResult);

/** The state file: JSON lines, each appended and fsynced; a torn last line (crash mid-write) is ignored. */
class Journal {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  static read(path: string): JournalLine[] {
    if (!existsSync(path)) return [];
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const out: JournalLine[] = [];
    lines.forEach((l, i) => {
      try {
        out.push(JSON.parse(l) as JournalLine);
      } catch (err) {
        if (i !== lines.length - 1) throw new Error(`state file ${path} is damaged at line ${i + 1}`, { cause: err });
      }
    });
    return out;
  }
  append(line: JournalLine): void {
    writeSync(this.fd, JSON.stringify(line) + '\n');
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

export interface BatchOptions extends ConnectionOpts {
  template: string;
  sender: string;
  out?: string;
  chunk?: string;
  resendExpired?: boolean;
  json?: boolean;
}

export function registerBatch(program: Command): void {
  withConnection(program.command('batch'))
    .description('send a CSV file (phone,param1,param2,...) with SendBatchUSMSMessage in chunks; resumable')
    .argument('<file>', 'CSV: a header row naming phone, userid, extendcode and parameter columns, or phone,param1,... without one')
    .requiredOption('--template <id>', 'approved TemplateId for every row')
    .requiredOption('--sender <name>', 'sender name (SenderId / SigContent)')
    .option('--out <file>', 'result CSV (default: FILE.result.csv); the state file is <out>.state.jsonl')
    .option('--chunk <n>', 'rows per request (default and maximum: 1000; 200 for --dialect ucloud)')
    .option('--resend-expired', 'resend chunks whose idempotency key has expired (older than 24 h) even if they may have been sent')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: BatchOptions) => {
      printResult(await runBatch(file, opts, clientFrom(opts)), Boolean(opts.json));
    });
}

export async function runBatch(file: string, opts: BatchOptions, client: UsmsClient) {
  const input = resolve(file);
  const bytes = readFileSync(input);
  const inputSha256 = createHash('sha256').update(bytes).digest('hex');
  const { rows } = rowsFromCsv(parseCsv(bytes.toString('utf8')));
  const max = MAX_CHUNK_ROWS[client.dialect];
  const chunkSize = opts.chunk === undefined ? max : Number(opts.chunk);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > max) throw new Error(`--chunk must be 1 to ${max} for the ${client.dialect} dialect`);
  const out = resolve(opts.out ?? input.replace(/(\.csv)?$/i, '.result.csv'));
  const statePath = out + '.state.jsonl';

  const sendable = rows.filter((r) => !r.invalid);
  const chunks = chunkRows(sendable, chunkSize);

  // A new run, or the interrupted one with the same input and settings.
  const previous = Journal.read(statePath);
  const wanted = { input, inputSha256, template: opts.template, sender: opts.sender, dialect: client.dialect, publicKey: opts.key, chunkSize, chunks: chunks.length };
  let header = previous[0]?.type === 'run' ? previous[0] : undefined;
  if (previous.length && !header) throw new Error(`${statePath} is not a usms batch state file`);
  if (header) {
    const differs = (Object.keys(wanted) as Array<keyof typeof wanted>).filter((k) => k !== 'input' && header![k] !== wanted[k]);
    if (differs.length) {
      throw new Error(
        `${statePath} belongs to another run (${differs.join(', ')} differ${differs.includes('inputSha256') ? ': the input file changed' : ''}); ` +
          'restore the original settings to resume it, or use another --out to start a new run',
      );
    }
  }
  const journal = new Journal(statePath);
  const started = new Map<number, { key: string; at: number }>();
  const done = new Map<number, ChunkResult>();
  for (const l of previous) {
    if (l.type === 'start' && !started.has(l.chunk)) started.set(l.chunk, { key: l.key, at: l.at });
    if (l.type === 'done') done.set(l.chunk, { sessionNo: l.sessionNo, failures: l.failures });
  }
  if (!header) {
    header = { type: 'run', version: 1, runId: randomUUID(), ...wanted, createdAt: Date.now() };
    journal.append(header);
  }
  const keyOf = (i: number) => started.get(i)?.key ?? `usms-batch-${header!.runId}-${i}`;

  const resumedChunks = done.size;
  const bar =
    process.stderr.isTTY && chunks.length > 0
      ? new cliProgress.SingleBar(
          { format: 'usms batch |{bar}| {value}/{total} rows | chunk {chunk}/{chunks}', hideCursor: true, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const doneRows = () => [...done.keys()].reduce((n, i) => n + chunks[i]!.length, 0);
  bar?.start(sendable.length, doneRows(), { chunk: done.size, chunks: chunks.length });
  let sentNow = 0;
  try {
    for (let i = 0; i < chunks.length; i++) {
      if (done.has(i)) continue;
      const key = keyOf(i);
      const first = started.get(i);
      if (first && Date.now() - first.at > KEY_TTL_MS - 5 * 60_000 && !opts.resendExpired) {
        throw new Error(
          `chunk ${i + 1} was first sent ${new Date(first.at).toISOString()}: its idempotency key has expired on the server, so resending ` +
            'could send it twice. Check its numbers with GetUSMSSendReceipt, then re-run with --resend-expired to send it anyway',
        );
      }
      if (!first) {
        const at = Date.now();
        journal.append({ type: 'start', chunk: i, key, at });
        started.set(i, { key, at });
      }
      const result = await sendChunk(client, chunks[i]!, opts, key);
      journal.append({ type: 'done', chunk: i, key, at: Date.now(), ...result });
      done.set(i, result);
      sentNow++;
      bar?.update(doneRows(), { chunk: done.size, chunks: chunks.length });
    }
  } finally {
    bar?.stop();
    journal.close();
  }

  // Every chunk is done: the result CSV, rows in input order.
  const outcome = new Map<BatchRow, { sessionNo?: string; reason?: string }>();
  chunks.forEach((rowsOf, i) => {
    const r = done.get(i)!;
    const failures = new Map(r.failures);
    rowsOf.forEach((row, j) => outcome.set(row, failures.has(j) ? { reason: failures.get(j) } : { sessionNo: r.sessionNo }));
  });
  let accepted = 0;
  let text = csvLine(['line', 'phone', 'userid', 'status', 'session_no', 'reason']);
  for (const row of rows) {
    const o = row.invalid ? { reason: row.invalid } : outcome.get(row)!;
    if (o.sessionNo) accepted++;
    text += csvLine([String(row.line), row.phone, row.userId ?? '', o.sessionNo ? 'accepted' : 'failed', o.sessionNo ?? '', o.reason ?? '']);
  }
  writeFileSync(out + '.tmp', text);
  renameSync(out + '.tmp', out);
  return {
    Input: input,
    Output: out,
    State: statePath,
    Rows: rows.length,
    Accepted: accepted,
    Failed: rows.length - accepted,
    Chunks: chunks.length,
    ChunksSent: sentNow,
    ChunksAlreadyDone: resumedChunks,
  };
}

async function sendChunk(client: UsmsClient, rows: BatchRow[], opts: BatchOptions, key: string): Promise<ChunkResult> {
  const senderField = client.dialect === 'ucloud' ? 'SigContent' : 'SenderId';
  const Target = rows.map((r) => ({
    Phone: r.phone,
    TemplateParams: r.params,
    ...(r.userId ? { UserId: r.userId } : {}),
    ...(r.extendCode ? { ExtendCode: r.extendCode } : {}),
  }));
  try {
    const answer = await client.sendBatchUSMSMessage({ TaskContent: [{ TemplateId: opts.template, [senderField]: opts.sender, Target }] }, { idempotencyKey: key });
    return chunkResult(rows, answer);
  } catch (err) {
    if (err instanceof UsmsApiError && !STOP_RETCODES.has(err.retCode)) return chunkResult(rows, err.response);
    const why = err instanceof UsmsApiError ? `RetCode ${err.retCode}: ${err.message}` : (err as Error).message;
    const hint = err instanceof UsmsRequestError || (err instanceof UsmsApiError && STOP_RETCODES.has(err.retCode)) ? '; run the same command again to resume (nothing is sent twice)' : '';
    throw new Error(`batch stopped: ${why}${hint}`, { cause: err });
  }
}
