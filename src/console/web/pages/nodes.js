// The live server processes sharing the database (operators), refreshed every 5 s.
import { api } from '../lib/api.js';
import { useApp } from '../lib/app-context.js';
import { ErrorAlert, Loading, Page, TableScroll, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useEffect } from '../lib/preact.js';

const REFRESH_MS = 5000;

export function NodesPage() {
  const { t } = useApp();
  const nodes = useLoad(() => api.get('/nodes'), []);
  useEffect(() => {
    const timer = setInterval(() => document.hidden || nodes.reload(true), REFRESH_MS);
    return () => clearInterval(timer);
  }, [nodes.reload]);
  const rows = rowsOf(nodes.data, 'Nodes');

  return html`<${Page} title=${t('nav.nodes')} testid="page-nodes">
    <${ErrorAlert} error=${nodes.error} />
    ${nodes.loading && !nodes.data && html`<${Loading} />`}
    ${nodes.data && rows.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${rows.length > 0 && html`<${TableScroll} label=${t('nav.nodes')}>
      <table data-testid="nodes-table">
        <thead><tr>
          <th scope="col">${t('nodes.id')}</th>
          <th scope="col">${t('nodes.role')}</th>
          <th scope="col">${t('nodes.host')}</th>
          <th scope="col" class="num">${t('nodes.pid')}</th>
          <th scope="col">${t('nodes.started')}</th>
          <th scope="col">${t('nodes.heartbeat')}</th>
        </tr></thead>
        <tbody>${rows.map((n) => html`<tr data-testid="node-row">
          <th scope="row" class="mono">${field(n, 'NodeId')}</th>
          <td>${field(n, 'Role')}</td>
          <td>${field(n, 'Host')}</td>
          <td class="num">${field(n, 'Pid')}</td>
          <td class="time">${formatTime(field(n, 'StartedAt'))}</td>
          <td class="time">${formatTime(field(n, 'HeartbeatAt'))}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}
