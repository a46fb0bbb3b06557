// Pumping alarms: a burst to one number range whose messages wait, held, for someone to look. Operators
// release them (they go out) or drop them; the account's own writers may drop them (they fail and are
// refunded). Newest first, a page at a time.
import { api, seg } from '../lib/api.js';
import { accountQuery, can, isOperator, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Loading, Notice, Page, SelectField, StatusTag, TableScroll, useAction, useLoad } from '../lib/components.js';
import { formatNumber, formatTime } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

const STATUSES = ['open', 'released', 'dropped'];

export function AlarmsPage() {
  const app = useApp();
  const { t, lang } = app;
  const operator = isOperator(app.user);
  const writer = can(app.user, 'write');
  const [status, setStatus] = useState('open');
  const [befores, setBefores] = useState([]);
  const [before, setBefore] = useState(undefined);
  const list = useLoad(() => api.get('/alarms', { ...accountQuery(app), status, before }), [status, before]);
  const alarms = list.data?.Alarms ?? [];
  const close = useAction();
  const showAccount = operator && !app.account;

  function choose(value) {
    setBefores([]);
    setBefore(undefined);
    setStatus(value);
  }
  async function act(alarm, what) {
    if (await close.run(() => api.post(`/alarms/${seg(alarm.AlarmId)}/${what}`))) list.reload(true);
  }

  return html`<${Page} title=${t('nav.alarms')} testid="page-alarms">
    <p class="muted">${t('alarms.intro')}</p>
    <div class="toolbar">
      <${SelectField} id="alarms-status" label=${t('common.status')} value=${status} onValue=${choose} testid="alarms-status"
        options=${[...STATUSES.map((s) => ({ value: s, label: t(`alarmStatus.${s}`) })), { value: '', label: t('common.any') }]} />
      <button type="button" data-testid="alarms-refresh" onClick=${() => list.reload(false)}>${t('common.refresh')}</button>
    </div>
    <${ErrorAlert} error=${close.error || list.error} />
    <${Notice}>${close.result && t(`alarms.${close.result.Alarm.Status}`, { n: formatNumber(lang, close.result.Messages) })}<//>
    ${list.loading && html`<${Loading} />`}
    ${list.data && alarms.length === 0 && html`<p class="muted" data-testid="alarms-empty">${t('alarms.none')}</p>`}
    ${alarms.length > 0 && html`<${TableScroll} label=${t('nav.alarms')}>
      <table data-testid="alarms-table">
        <thead><tr>
          <th scope="col">${t('alarms.opened')}</th>
          ${showAccount && html`<th scope="col">${t('account.id')}</th>`}
          <th scope="col">${t('alarms.range')}</th>
          <th scope="col">${t('common.status')}</th>
          <th scope="col" class="num">${t('alarms.held')}</th>
          <th scope="col">${t('alarms.detail')}</th>
          <th scope="col">${t('alarms.closed')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${alarms.map((a) => html`<tr data-testid="alarm-row">
          <th scope="row" class="time">${formatTime(a.OpenTime)}</th>
          ${showAccount && html`<td class="mono">${a.AccountId}</td>`}
          <td class="mono">${a.Range}…</td>
          <td><${StatusTag} group="alarmStatus" value=${a.Status} /></td>
          <td class="num">${formatNumber(lang, a.Held)}</td>
          <td>${a.Detail}</td>
          <td>${a.CloseTime ? `${formatTime(a.CloseTime)} · ${a.ClosedBy ?? ''}` : '–'}</td>
          <td>${a.Status === 'open' && html`<div class="row-actions">
            ${operator && html`<${ConfirmButton} label=${t('alarms.release')} question=${t('alarms.releaseConfirm', { n: formatNumber(lang, a.Held), range: a.Range })}
              danger=${false} testid="alarm-release" onConfirm=${() => act(a, 'release')} />`}
            ${writer && html`<${ConfirmButton} label=${t('alarms.drop')} question=${t('alarms.dropConfirm', { n: formatNumber(lang, a.Held), range: a.Range })}
              testid="alarm-drop" onConfirm=${() => act(a, 'drop')} />`}
          </div>`}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
    <div class="pager">
      <button type="button" disabled=${befores.length === 0 || list.loading} data-testid="alarms-newer"
        onClick=${() => { setBefore(befores[befores.length - 1]); setBefores(befores.slice(0, -1)); }}>${t('common.previousPage')}</button>
      <button type="button" disabled=${!list.data?.Next || list.loading} data-testid="alarms-older"
        onClick=${() => { setBefores([...befores, before]); setBefore(list.data.Next); }}>${t('common.nextPage')}</button>
    </div>
  <//>`;
}
