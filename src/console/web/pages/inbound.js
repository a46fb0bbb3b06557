// Inbound replies (MO): newest first, a page at a time.
import { api } from '../lib/api.js';
import { accountQuery, useApp } from '../lib/app-context.js';
import { ErrorAlert, Loading, NeedsAccount, Page, TableScroll, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

export function InboundPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.inbound')}><${Inbound} /><//>`;
}

function Inbound() {
  const app = useApp();
  const { t } = app;
  const [cursors, setCursors] = useState([]);
  const [cursor, setCursor] = useState(undefined);
  const { data, error, loading } = useLoad(() => api.get('/inbound', { cursor, ...accountQuery(app) }), [cursor]);
  const replies = rowsOf(data, 'Messages');

  return html`<${Page} title=${t('nav.inbound')} testid="page-inbound">
    <${ErrorAlert} error=${error} />
    ${loading && html`<${Loading} />`}
    ${data && replies.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${replies.length > 0 && html`<${TableScroll} label=${t('nav.inbound')}>
      <table data-testid="inbound-table">
        <thead><tr>
          <th scope="col">${t('inbound.received')}</th>
          <th scope="col">${t('inbound.from')}</th>
          <th scope="col">${t('inbound.to')}</th>
          <th scope="col">${t('inbound.content')}</th>
          <th scope="col">${t('messages.userId')}</th>
          <th scope="col">${t('inbound.extendCode')}</th>
        </tr></thead>
        <tbody>${replies.map((r) => html`<tr data-testid="inbound-row">
          <th scope="row">${formatTime(field(r, 'ReceivedAt'))}</th>
          <td>${field(r, 'Phone')}</td>
          <td>${field(r, 'To')}</td>
          <td class="content">${field(r, 'Content')}</td>
          <td>${field(r, 'UserId')}</td>
          <td>${field(r, 'ExtendCode')}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
    <div class="pager">
      <button type="button" disabled=${cursors.length === 0 || loading} data-testid="inbound-prev"
        onClick=${() => { setCursor(cursors[cursors.length - 1]); setCursors(cursors.slice(0, -1)); }}>${t('common.previousPage')}</button>
      <button type="button" disabled=${!data?.Next || loading} data-testid="inbound-next"
        onClick=${() => { setCursors([...cursors, cursor]); setCursor(data.Next); }}>${t('common.nextPage')}</button>
    </div>
  <//>`;
}
