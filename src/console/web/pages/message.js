// One message: its fields, its timeline (accepted, submitted with the carrier's id, receipts, pushes),
// its parts and the pushes of its receipt to the customer's callback.
import { api, seg } from '../lib/api.js';
import { accountQuery, useApp } from '../lib/app-context.js';
import { ErrorAlert, labelOr, Loading, Page, StatusTag, TableScroll, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf, show, toDate } from '../lib/format.js';
import { html } from '../lib/preact.js';

// What the message is and what became of it first, the technical fields after.
const FIELDS = ['Phone', 'Content', 'TemplateId', 'Sender', 'SessionNo', 'UserId', 'CreateTime', 'SentTime', 'ReceiptTime',
  'ReceiptCode', 'ReceiptDesc', 'Carrier', 'CarrierMsgId', 'Segments', 'Encoding', 'Region', 'AccountId', 'Id'];
// Unix ms.
const TIMES = ['CreateTime', 'SentTime', 'ReceiptTime'];

export function MessagePage({ params }) {
  const app = useApp();
  const { t } = app;
  const { data, error, loading } = useLoad(() => api.get(`/messages/${seg(params.id)}`, accountQuery(app)), [params.id]);
  const message = data?.Message;
  const timeline = rowsOf(data?.Timeline);
  const parts = rowsOf(data?.Parts);
  const pushes = rowsOf(data?.Pushes);
  const label = (name) => labelOr(t, 'message', name);

  return html`<${Page} title=${t('nav.message')} testid="page-message">
    <p><a href="#/messages" data-testid="message-back">${t('message.back')}</a></p>
    <${ErrorAlert} error=${error} />
    ${loading && html`<${Loading} />`}
    ${message && html`
      <dl class="pairs" data-testid="message-fields">
        <div><dt>${label('Status')}</dt><dd><${StatusTag} group="status" value=${field(message, 'Status')} /></dd></div>
        ${FIELDS.filter((f) => field(message, f) !== undefined && field(message, f) !== null && field(message, f) !== '').map(
          (f) => html`<div><dt>${label(f)}</dt><dd class=${f === 'Content' ? 'content' : ''}>
            ${TIMES.includes(f) ? formatTime(field(message, f)) : show(field(message, f))}</dd></div>`,
        )}
      </dl>

      <h2>${t('message.timeline')}</h2>
      ${timeline.length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<ol class="timeline" data-testid="message-timeline">
            ${timeline.map((e) => html`<li data-testid="timeline-event">
              <time datetime=${toDate(e.Time)?.toISOString()}>${formatTime(e.Time)}</time>
              <strong>${labelOr(t, 'event', e.Event)}</strong>
              ${e.Detail !== undefined && e.Detail !== null && e.Detail !== '' && html`<span class="detail">${detailText(e.Detail)}</span>`}
            </li>`)}
          </ol>`}

      <h2>${t('message.parts')}</h2>
      ${parts.length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<${TableScroll} label=${t('message.parts')}>
            <table data-testid="message-parts">
              <thead><tr>
                <th scope="col">${t('message.part')}</th>
                <th scope="col">${label('Carrier')}</th>
                <th scope="col">${label('CarrierMsgId')}</th>
                <th scope="col">${label('Status')}</th>
                <th scope="col">${label('SentTime')}</th>
                <th scope="col">${label('ReceiptCode')}</th>
                <th scope="col">${label('ReceiptTime')}</th>
              </tr></thead>
              <tbody>${parts.map((p) => html`<tr data-testid="part-row">
                <th scope="row">${field(p, 'PartNo')}/${field(p, 'Total')}</th>
                <td>${field(p, 'Carrier')}</td>
                <td class="mono">${field(p, 'CarrierMsgId')}</td>
                <td><${StatusTag} group="status" value=${field(p, 'Status')} /></td>
                <td class="time">${formatTime(field(p, 'SubmitTime'))}</td>
                <td>${field(p, 'ReceiptCode')} ${field(p, 'ReceiptDesc') && html`<span class="muted">${field(p, 'ReceiptDesc')}</span>`}</td>
                <td class="time">${formatTime(field(p, 'ReceiptTime'))}</td>
              </tr>`)}</tbody>
            </table>
          <//>`}

      <h2>${t('message.pushes')}</h2>
      ${pushes.length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<${TableScroll} label=${t('message.pushes')}>
            <table data-testid="message-pushes">
              <thead><tr>
                <th scope="col">${t('callback.id')}</th>
                <th scope="col">${label('Status')}</th>
                <th scope="col" class="num">${t('callback.attempts')}</th>
                <th scope="col">${t('callback.lastError')}</th>
                <th scope="col">${t('callback.time')}</th>
              </tr></thead>
              <tbody>${pushes.map((p) => html`<tr data-testid="push-row">
                <th scope="row">${field(p, 'Id')}</th>
                <td><${StatusTag} group="push" value=${field(p, 'Status')} /></td>
                <td class="num">${field(p, 'Attempts')}</td>
                <td>${field(p, 'LastError')}</td>
                <td class="time">${formatTime(field(p, 'DeliveredTime') ?? field(p, 'QueuedTime'))}</td>
              </tr>`)}</tbody>
            </table>
          <//>`}
    `}
  <//>`;
}

/** A Detail may be text or an object ({CarrierMsgId: ..., Parts: 2}): shown as "key: value" pairs. */
function detailText(detail) {
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail).map(([k, v]) => `${k}: ${show(v)}`).join(', ');
}
