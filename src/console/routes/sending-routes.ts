import { MAX_CHUNK_ROWS, chunkResult } from '../../batch/chunks.ts';
import { CsvError, parseCsv } from '../../batch/csv.ts';
import { rowsFromCsv, type BatchRow } from '../../batch/rows.ts';
import { keyedRest } from '../../http/idempotency.ts';
import { badInput } from '../../operator/actor.ts';
import { CONSOLE_CHUNK, consoleCaller, consoleSend } from '../../operator/send.ts';
import type { ConsoleKit } from '../kit.ts';
import { accountParam } from '../router.ts';

/** Rows one uploaded CSV may hold; a bigger file goes through `usms batch`. */
export const MAX_CSV_ROWS = 50_000;

/** A message from the send form, and a CSV batch sent chunk by chunk with `usms batch`'s rules. */
export function registerSendingRoutes({ router, services, idem }: ConsoleKit): void {
  router.post('/send', async (c) => {
    const caller = await consoleCaller(services, c.op.actor, accountParam(c));
    const target = { Phone: c.body.Phone, TemplateParams: c.body.TemplateParams ?? [], UserId: c.body.UserId };
    return consoleSend(services, caller, c.req.id, { TemplateId: c.body.TemplateId, SigContent: c.body.SigContent, Targets: [target] });
  });

  router.post('/batch/parse', async (c) => {
    if (typeof c.req.body !== 'string') throw badInput('send the CSV file as the body, with Content-Type text/csv');
    await consoleCaller(services, c.op.actor, accountParam(c));
    let parsed: ReturnType<typeof rowsFromCsv>;
    try {
      parsed = rowsFromCsv(parseCsv(c.req.body));
    } catch (err) {
      if (err instanceof CsvError) throw badInput(`CSV: ${err.message}`);
      throw err;
    }
    if (parsed.rows.length > MAX_CSV_ROWS) throw badInput(`CSV: at most ${MAX_CSV_ROWS} rows in the console; use \`usms batch\` for bigger files`);
    return {
      Header: parsed.header,
      ChunkSize: CONSOLE_CHUNK,
      Rows: parsed.rows.map((r) => ({ Line: r.line, Phone: r.phone, Params: r.params, UserId: r.userId, ExtendCode: r.extendCode, Invalid: r.invalid })),
    };
  });

  /**
   * One chunk of a batch. The page sends each chunk with its own Idempotency-Key (batch id + chunk
   * number), so a chunk sent again after a lost answer is answered with its first answer, not sent twice.
   */
  router.post('/batch/chunk', async (c) => {
    if (!c.req.headers['idempotency-key']) throw badInput('send each chunk with an Idempotency-Key header');
    const rows = chunkRows(c.body.Rows);
    const caller = await consoleCaller(services, c.op.actor, accountParam(c));
    const answer = await keyedRest(
      idem,
      c.req,
      'SendBatchUSMSMessage',
      { caller, services },
      async (ctx) => {
        const targets = rows.map((r) => ({ Phone: r.phone, TemplateParams: r.params, UserId: r.userId, ExtendCode: r.extendCode }));
        return consoleSend(ctx.services, ctx.caller, c.req.id, { TemplateId: c.body.TemplateId, SigContent: c.body.SigContent, Targets: targets });
      },
      (code) => code,
    );
    const result = chunkResult(rows, answer);
    return { ...answer, SessionNo: result.sessionNo ?? answer.SessionNo ?? '', Failures: result.failures };
  });
}

function chunkRows(raw: unknown): BatchRow[] {
  if (!Array.isArray(raw) || raw.length === 0) throw badInput('Rows: give the chunk\'s rows');
  if (raw.length > MAX_CHUNK_ROWS.ucloud) throw badInput(`Rows: at most ${MAX_CHUNK_ROWS.ucloud} a chunk`);
  return raw.map((r: Record<string, unknown>, i) => {
    if (typeof r !== 'object' || r === null || typeof r.Phone !== 'string') throw badInput(`Rows[${i}]: an object with Phone`);
    const params = Array.isArray(r.Params) ? r.Params.map(String) : [];
    const row: BatchRow = { line: Number(r.Line) || i + 1, phone: r.Phone, params };
    if (typeof r.UserId === 'string' && r.UserId) row.userId = r.UserId;
    if (typeof r.ExtendCode === 'string' && r.ExtendCode) row.extendCode = r.ExtendCode;
    return row;
  });
}
