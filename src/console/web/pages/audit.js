// The audit log: who changed what and when, newest first.
import { api } from '../lib/api.js';
import { accountQuery, isOperator, useApp } from '../lib/app-context.js';
import { ErrorAlert, Loading, Page, TableScroll, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf, show } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

export function AuditPage() {
  const app = useApp();
  const { t } = app;
  const [befores, setBefores] = useState([]);
  const [before, setBefore] = useState(undefined);
  const { data, error, loading } = useLoad(() => api.get('/audit', { before, ...accountQuery(app) }), [before]);
  const entries = rowsOf(data, 'Entries');
  const showAccount = isOperator(app.user) && !app.account;

  return html`<${Page} title=${t('nav.audit')} testid="page-audit">
    <${ErrorAlert} error=${error} />
    ${loading && html`<${Loading} />`}
    ${data && entries.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${entries.length > 0 && html`<${TableScroll} label=${t('nav.audit')}>
      <table data-testid="audit-table">
        <thead><tr>
          <th scope="col">${t('audit.time')}</th>
          <th scope="col">${t('audit.actor')}</th>
          ${showAccount && html`<th scope="col">${t('account.id')}</th>`}
          <th scope="col">${t('audit.action')}</th>
          <th scope="col">${t('audit.target')}</th>
          <th scope="col">${t('audit.detail')}</th>
        </tr></thead>
        <tbody>${entries.map((e) => html`<tr data-testid="audit-row">
          <th scope="row">${formatTime(field(e, 'Time'))}</th>
          <td>${field(e, 'Actor')}</td>
          ${showAccount && html`<td>${field(e, 'AccountId') ?? '–'}</td>`}
          <td class="mono">${field(e, 'Action')}</td>
          <td class="mono">${field(e, 'Target')}</td>
          <td class="mono small">${detailText(field(e, 'Detail'))}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
    <div class="pager">
      <button type="button" disabled=${befores.length === 0 || loading} data-testid="audit-newer"
        onClick=${() => { setBefore(befores[befores.length - 1]); setBefores(befores.slice(0, -1)); }}>${t('audit.newer')}</button>
      <button type="button" disabled=${!data?.Next || loading} data-testid="audit-older"
        onClick=${() => { setBefores([...befores, before]); setBefore(data.Next); }}>${t('audit.older')}</button>
    </div>
  <//>`;
}

function detailText(detail) {
  if (!detail || typeof detail !== 'object') return show(detail);
  const entries = Object.entries(detail);
  return entries.length ? entries.map(([k, v]) => `${k}=${show(v)}`).join(' ') : '';
}
