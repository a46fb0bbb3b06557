// The sandbox carrier's inbox (operators): what it "delivered", newest first.
import { api } from '../lib/api.js';
import { useApp } from '../lib/app-context.js';
import { ErrorAlert, Loading, Page, SelectField, StatusTag, TableScroll, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

const LIMITS = [20, 50, 100, 500];

export function SandboxPage() {
  const { t } = useApp();
  const [limit, setLimit] = useState('50');
  const inbox = useLoad(() => api.get('/sandbox', { limit }), [limit]);
  const rows = rowsOf(inbox.data, 'Messages');

  return html`<${Page} title=${t('nav.sandbox')} testid="page-sandbox">
    <div class="toolbar">
      <${SelectField} id="sandbox-limit" label=${t('sandbox.limit')} value=${limit} onValue=${setLimit} testid="sandbox-limit"
        options=${LIMITS.map((n) => ({ value: String(n), label: String(n) }))} />
      <button type="button" data-testid="sandbox-refresh" onClick=${() => inbox.reload()}>${t('common.refresh')}</button>
    </div>
    <${ErrorAlert} error=${inbox.error} />
    ${inbox.loading && html`<${Loading} />`}
    ${inbox.data && rows.length === 0 && html`<p class="muted">${t('sandbox.empty')}</p>`}
    ${rows.length > 0 && html`<${TableScroll} label=${t('nav.sandbox')}>
      <table data-testid="sandbox-table">
        <thead><tr>
          <th scope="col">${t('sandbox.sentAt')}</th>
          <th scope="col">${t('account.id')}</th>
          <th scope="col">${t('messages.phone')}</th>
          <th scope="col">${t('messages.sender')}</th>
          <th scope="col">${t('sandbox.text')}</th>
          <th scope="col">${t('messages.status')}</th>
          <th scope="col">${t('messages.receipt')}</th>
        </tr></thead>
        <tbody>${rows.map((m) => html`<tr data-testid="sandbox-row">
          <th scope="row"><a href=${`#/messages/${encodeURIComponent(field(m, 'Id'))}`}>${formatTime(field(m, 'SentAt'))}</a></th>
          <td>${field(m, 'AccountId')}</td>
          <td>${field(m, 'Phone')}</td>
          <td>${field(m, 'Sender')}</td>
          <td class="content">${field(m, 'Text') ?? field(m, 'Content')}</td>
          <td><${StatusTag} group="status" value=${field(m, 'Status')} /></td>
          <td>${field(m, 'ReceiptCode')}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}
