// The callback URL that receipts and replies are pushed to: set it, send a test push, and retry failed pushes.
import { api } from '../lib/api.js';
import { accountQuery, can, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatNumber, formatTime, show } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/preact.js';

const COUNTS = ['Pending', 'Retrying', 'Delivered', 'Failed'];

export function CallbackPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.callback')}><${Callback} /><//>`;
}

function Callback() {
  const app = useApp();
  const { t, lang } = app;
  const state = useLoad(() => api.get('/callback', accountQuery(app)), []);
  const [url, setUrl] = useState('');
  useEffect(() => {
    if (state.data) setUrl(state.data.Url ?? '');
  }, [state.data]);
  const save = useAction();
  const test = useAction();
  const retry = useAction();
  const writer = can(app.user, 'write');
  const options = { query: accountQuery(app) };
  const failed = Array.isArray(state.data?.Failed) ? state.data.Failed : [];

  // One result at a time in the notice: starting an action clears the others' results.
  const clearOthers = (keep) => [save, test, retry].forEach((a) => a !== keep && a.clear());
  async function submit() {
    clearOthers(save);
    if (await save.run(() => api.put('/callback', { Url: url.trim() }, options))) state.reload(true);
  }
  async function retryPushes(ids) {
    clearOthers(retry);
    const answer = await retry.run(() => api.post('/callback/retry', ids ? { Ids: ids } : {}, options));
    if (answer) state.reload(true);
  }

  return html`<${Page} title=${t('nav.callback')} testid="page-callback">
    <${ErrorAlert} error=${state.error} testid="callback-load-error" />
    ${state.loading && !state.data && html`<${Loading} />`}
    ${state.data && html`
      <${Form} onSubmit=${submit} testid="callback-form" label=${t('callback.url')}>
        <${TextField} id="callback-url" label=${t('callback.url')} type="url" value=${url} onValue=${setUrl} placeholder="https://"
          hint=${t('callback.urlHint')} testid="callback-url" wide=${true} disabled=${!writer} />
        ${writer && html`<div class="actions">
          <button type="submit" class="primary" disabled=${save.busy} data-testid="callback-save">${t('common.save')}</button>
          <button type="button" disabled=${test.busy || !state.data.Url} data-testid="callback-test"
            onClick=${() => { clearOthers(test); test.run(() => api.post('/callback/test', {}, options)); }}>${t('callback.test')}</button>
        </div>`}
      <//>
      <${ErrorAlert} error=${save.error || test.error || retry.error} />
      <${Notice} testid="callback-result">
        ${save.result && t('common.saved')}
        ${test.busy && t('callback.testing')}
        ${test.result && html`<${TestResult} answer=${test.result} />`}
        ${retry.result && t('callback.retried', { n: retry.result.Requeued })}
      <//>

      <h2>${t('callback.counts')}</h2>
      <ul class="tiles" data-testid="callback-counts">
        ${COUNTS.map((name) => html`<li class="tile"><span class="tile-label">${t(`callback.count.${name}`)}</span>
          <span class="tile-value">${formatNumber(lang, state.data.Counts?.[name] ?? 0)}</span></li>`)}
      </ul>

      <h2>${t('callback.failed')}</h2>
      ${failed.length === 0
        ? html`<p class="muted" data-testid="callback-no-failed">${t('common.none')}</p>`
        : html`
          ${writer && html`<div class="actions"><button type="button" disabled=${retry.busy} onClick=${() => retryPushes()} data-testid="callback-retry-all">${t('callback.retryAll')}</button></div>`}
          <${TableScroll} label=${t('callback.failed')}>
            <table data-testid="callback-failed">
              <thead><tr>
                <th scope="col">${t('callback.id')}</th>
                <th scope="col">${t('callback.kind')}</th>
                <th scope="col" class="num">${t('callback.attempts')}</th>
                <th scope="col">${t('callback.lastError')}</th>
                <th scope="col">${t('callback.time')}</th>
                <th scope="col">${t('callback.data')}</th>
                <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
              </tr></thead>
              <tbody>${failed.map((item) => html`<tr data-testid="callback-failed-row">
                <th scope="row">${field(item, 'Id')}</th>
                <td>${t(`callback.msgType.${field(item, 'MsgType')}`)}</td>
                <td class="num">${field(item, 'Attempts')}</td>
                <td>${field(item, 'LastError')}</td>
                <td class="time">${formatTime(field(item, 'FailedTime'))}</td>
                <td class="mono small">${show(field(item, 'Data'))}</td>
                <td>${writer && html`<button type="button" disabled=${retry.busy} data-testid="callback-retry" onClick=${() => retryPushes([field(item, 'Id')])}>${t('callback.retry')}</button>`}</td>
              </tr>`)}</tbody>
            </table>
          <//>`}
    `}
  <//>`;
}

/** The test push's outcome: `{Delivered, Url, Status (the receiver's HTTP status or null), Error}`. */
function TestResult({ answer }) {
  const { t } = useApp();
  const shown = ['Url', 'Status', 'Error'].filter((k) => answer[k] !== undefined && answer[k] !== null && answer[k] !== '');
  return html`<div data-testid="callback-test-result">
    <strong class=${answer.Delivered ? 'ok' : 'bad'}>${answer.Delivered ? t('callback.testOk') : t('callback.testFailed')}</strong>
    <dl class="details compact">
      ${shown.map((k) => html`<dt>${t(`callback.result.${k}`)}</dt><dd>${show(answer[k])}</dd>`)}
    </dl>
  </div>`;
}
