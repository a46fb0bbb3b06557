// Batch send from a CSV file: the server parses it (the `usms batch` column rule), then the rows go out in
// chunks of its ChunkSize. Each chunk carries an Idempotency-Key (batch id + chunk number), so a chunk
// resent after a lost connection is answered with its first answer instead of being sent twice.
import { api, ApiError } from '../lib/api.js';
import { accountQuery, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, TableScroll, useAction } from '../lib/components.js';
import { csvBlob } from '../lib/csv.js';
import { formatNumber, randomHex } from '../lib/format.js';
import { html, useEffect, useRef, useState } from '../lib/preact.js';
import { TemplateSenderFields, useApproved } from './send.js';

const RETRY_DELAYS_S = [1, 2, 4, 8, 15];

/** Worth sending again with the same key: no answer at all, a server error, or a rate limit. */
function retryable(error) {
  return !(error instanceof ApiError) || error.status >= 500 || error.status === 429;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function BatchPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.batch')}><${Batch} /><//>`;
}

function Batch() {
  const app = useApp();
  const { t, lang } = app;
  const choices = useApproved(app);
  const [fileName, setFileName] = useState('');
  const [parsed, setParsed] = useState(null);
  const parse = useAction();
  const [templateId, setTemplateId] = useState('');
  const [sender, setSender] = useState('');
  // { phase: 'sending'|'done'|'stopped'|'failed', done, total, chunk, chunks, retryIn, results, error }
  const [run, setRun] = useState(null);
  const stopRequested = useRef(false);
  const alive = useRef(true);
  useEffect(() => () => {
    alive.current = false;
  }, []);

  async function pickFile(e) {
    const file = e.currentTarget.files?.[0];
    setParsed(null);
    setRun(null);
    if (!file) return setFileName('');
    setFileName(file.name);
    const text = await file.text();
    const answer = await parse.run(() => api.post('/batch/parse', undefined, { text, query: accountQuery(app) }));
    if (answer) setParsed(answer);
  }

  const rows = parsed?.Rows ?? [];
  const invalid = rows.filter((r) => r.Invalid);
  const valid = rows.filter((r) => !r.Invalid);
  const chunkSize = Math.max(1, Number(parsed?.ChunkSize) || 100);

  async function start() {
    stopRequested.current = false;
    const batchId = randomHex(12);
    const chunks = [];
    for (let i = 0; i < valid.length; i += chunkSize) chunks.push(valid.slice(i, i + chunkSize));
    const results = new Map(invalid.map((r) => [r.Line, { line: r.Line, phone: r.Phone, status: 'failed', reason: r.Invalid, sessionNo: '' }]));
    let done = 0;
    const update = (patch) => alive.current && setRun((s) => ({ ...s, ...patch }));
    setRun({ phase: 'sending', done: 0, total: valid.length, chunk: 0, chunks: chunks.length, retryIn: 0, error: null, results: null });

    let stopReason = null;
    let fatal = null;
    let unconfirmed = [];
    for (let n = 0; n < chunks.length; n++) {
      if (stopRequested.current || !alive.current) {
        stopReason = t('batch.notSentStopped');
        break;
      }
      const chunk = chunks[n];
      update({ chunk: n + 1 });
      const key = `${batchId}-${n + 1}`;
      const body = { TemplateId: templateId, SigContent: sender, Rows: chunk.map(({ Invalid, ...row }) => row) };
      let answer;
      for (let attempt = 0; ; attempt++) {
        try {
          answer = await api.post('/batch/chunk', body, { headers: { 'Idempotency-Key': key }, query: accountQuery(app) });
          update({ retryIn: 0 });
          break;
        } catch (error) {
          if (stopRequested.current || !alive.current) {
            // Stopped while retrying: an earlier attempt may have reached the server.
            unconfirmed = chunk;
            break;
          }
          if (!retryable(error)) {
            fatal = error;
            break;
          }
          const wait = RETRY_DELAYS_S[Math.min(attempt, RETRY_DELAYS_S.length - 1)];
          update({ retryIn: wait, error });
          await sleep(wait * 1000);
        }
      }
      if (!answer) {
        stopReason = fatal ? `${t('batch.notSentError')}: ${fatal.message}` : t('batch.notSentStopped');
        break;
      }
      const failures = new Map((answer.Failures ?? []).map(([index, reason]) => [Number(index), String(reason)]));
      const nothingAccepted = !answer.SessionNo && answer.RetCode !== 0;
      chunk.forEach((row, i) => {
        const reason = failures.get(i) ?? (nothingAccepted ? `RetCode ${answer.RetCode}${answer.Message ? `: ${answer.Message}` : ''}` : undefined);
        results.set(row.Line, { line: row.Line, phone: row.Phone, status: reason === undefined ? 'ok' : 'failed', reason: reason ?? '', sessionNo: answer.SessionNo ?? '' });
      });
      done += chunk.length;
      update({ done, error: null });
    }
    // Rows of chunks never sent are in the result too, so the file accounts for every line.
    for (const row of unconfirmed) results.set(row.Line, { line: row.Line, phone: row.Phone, status: 'failed', reason: t('batch.unconfirmed'), sessionNo: '' });
    for (const row of valid) {
      if (!results.has(row.Line)) results.set(row.Line, { line: row.Line, phone: row.Phone, status: 'failed', reason: stopReason ?? '', sessionNo: '' });
    }
    const ordered = [...results.values()].sort((a, b) => a.line - b.line);
    update({ phase: fatal ? 'failed' : stopReason ? 'stopped' : 'done', results: ordered, error: fatal, retryIn: 0 });
  }

  const sending = run?.phase === 'sending';
  return html`<${Page} title=${t('nav.batch')} testid="page-batch">
    <p class="muted">${t('batch.columns')}</p>
    <${ErrorAlert} error=${choices.error} testid="batch-load-error" />
    ${choices.loading && html`<${Loading} />`}
    ${choices.data && html`<${Form} onSubmit=${start} testid="batch-form" label=${t('nav.batch')}>
      <div class="field wide">
        <label for="batch-file">${t('batch.file')}</label>
        <input id="batch-file" type="file" accept=".csv,text/csv" data-testid="batch-file" disabled=${sending} onChange=${pickFile} />
      </div>
      ${parse.busy && html`<p class="muted wide" aria-busy="true">${t('batch.parsing', { file: fileName })}</p>`}
      ${parsed && html`<div class="wide" data-testid="batch-summary">
        <p role="status">${t('batch.summary', { rows: formatNumber(lang, rows.length), valid: formatNumber(lang, valid.length), invalid: formatNumber(lang, invalid.length), chunk: chunkSize })}</p>
        ${invalid.length > 0 && html`<details open=${invalid.length <= 20}>
          <summary>${t('batch.invalidRows', { n: invalid.length })}</summary>
          <${TableScroll} label=${t('batch.invalidRows', { n: invalid.length })}>
            <table data-testid="batch-invalid">
              <thead><tr><th scope="col">${t('batch.line')}</th><th scope="col">${t('batch.phone')}</th><th scope="col">${t('batch.reason')}</th></tr></thead>
              <tbody>${invalid.map((r) => html`<tr data-testid="batch-invalid-row"><th scope="row">${r.Line}</th><td>${r.Phone}</td><td>${r.Invalid}</td></tr>`)}</tbody>
            </table>
          <//>
        </details>`}
      </div>`}
      ${parsed && html`<${TemplateSenderFields} choices=${choices.data} templateId=${templateId} setTemplateId=${setTemplateId}
        sender=${sender} setSender=${setSender} idPrefix="batch" />`}
      ${parsed && html`<div class="actions">
        <button type="submit" class="primary" disabled=${sending || valid.length === 0 || !templateId || !sender} data-testid="batch-start">
          ${t('batch.start', { n: formatNumber(lang, valid.length) })}</button>
        ${sending && html`<button type="button" class="danger" data-testid="batch-stop" onClick=${() => { stopRequested.current = true; }}>${t('batch.stop')}</button>`}
      </div>`}
    <//>`}
    <${ErrorAlert} error=${parse.error || (run && !sending ? run.error : null)} testid="batch-error" />
    ${run && html`<div class="panel" data-testid="batch-progress-panel">
      <label for="batch-progress">${t('batch.progress')}</label>
      <progress id="batch-progress" max=${Math.max(run.total, 1)} value=${run.done} data-testid="batch-progress"></progress>
      <p aria-live="polite" role="status" data-testid="batch-count">
        ${t('batch.count', { done: formatNumber(lang, run.done), total: formatNumber(lang, run.total) })}
        ${sending && run.chunks > 0 && ` · ${t('batch.chunk', { n: run.chunk, of: run.chunks })}`}
        ${sending && run.retryIn > 0 && ` · ${t('batch.retrying', { s: run.retryIn })}`}
      </p>
      ${run.results && html`<${BatchResult} run=${run} fileName=${fileName} />`}
    </div>`}
  <//>`;
}

function BatchResult({ run, fileName }) {
  const { t, lang } = useApp();
  const ok = run.results.filter((r) => r.status === 'ok').length;
  const failed = run.results.length - ok;
  const [url, setUrl] = useState('');
  useEffect(() => {
    // A file for programs as much as for people: fixed column names and status words in every language.
    const header = ['line', 'phone', 'status', 'reason', 'SessionNo'];
    const blobUrl = URL.createObjectURL(csvBlob([header, ...run.results.map((r) => [r.line, r.phone, r.status, r.reason, r.sessionNo])]));
    setUrl(blobUrl);
    return () => URL.revokeObjectURL(blobUrl);
  }, [run.results]);
  const base = (fileName || 'batch').replace(/\.csv$/i, '');
  return html`<${Notice} testid="batch-result">
    <p><strong>${t(`batch.phase.${run.phase}`)}</strong> ${t('batch.outcome', { ok: formatNumber(lang, ok), failed: formatNumber(lang, failed) })}</p>
    ${url && html`<p><a href=${url} download=${`${base}-result.csv`} class="button" data-testid="batch-download">${t('batch.download')}</a></p>`}
  <//>`;
}
