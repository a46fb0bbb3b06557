// The message log: search by phone, SessionNo, UserId, template, status and time; newest first, a page
// at a time by the server's cursor. A row's time links to the message's timeline.
import { api } from '../lib/api.js';
import { accountQuery, isOperator, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, Page, SelectField, StatusTag, TableScroll, TextField, useLoad } from '../lib/components.js';
import { field, formatTime, localInputToMs, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'expired', 'failed', 'unknown'];
const PAGE_SIZE = 50;
const EMPTY = { phone: '', session: '', userId: '', template: '', status: '', from: '', to: '' };

export function MessagesPage({ query }) {
  const app = useApp();
  const { t } = app;
  // A link may preset a filter, e.g. #/messages?session=...
  const preset = { ...EMPTY };
  for (const key of Object.keys(EMPTY)) if (query?.get(key)) preset[key] = query.get(key);
  const [form, setForm] = useState(preset);
  const [search, setSearch] = useState(preset);
  // Cursors of the pages before this one, for "previous page".
  const [cursors, setCursors] = useState([]);
  const [cursor, setCursor] = useState(undefined);

  const { data, error, loading } = useLoad(
    () =>
      api.get('/messages', {
        phone: search.phone.trim(),
        session: search.session.trim(),
        userId: search.userId.trim(),
        template: search.template.trim(),
        status: search.status,
        from: localInputToMs(search.from),
        to: localInputToMs(search.to),
        cursor,
        limit: PAGE_SIZE,
        ...accountQuery(app),
      }),
    [search, cursor],
  );
  const messages = rowsOf(data, 'Messages');
  const set = (key) => (value) => setForm({ ...form, [key]: value });

  function submit() {
    setCursors([]);
    setCursor(undefined);
    setSearch({ ...form });
  }
  function clear() {
    setForm({ ...EMPTY });
    setCursors([]);
    setCursor(undefined);
    setSearch({ ...EMPTY });
  }
  const next = () => {
    setCursors([...cursors, cursor]);
    setCursor(data.Next);
  };
  const previous = () => {
    setCursor(cursors[cursors.length - 1]);
    setCursors(cursors.slice(0, -1));
  };
  const showAccount = isOperator(app.user) && !app.account;

  return html`<${Page} title=${t('nav.messages')} testid="page-messages">
    <${Form} onSubmit=${submit} testid="messages-search" label=${t('messages.search')} class="form filters">
      <${TextField} id="m-phone" label=${t('messages.phone')} type="search" value=${form.phone} onValue=${set('phone')} testid="messages-phone" />
      <${TextField} id="m-session" label=${t('messages.session')} type="search" value=${form.session} onValue=${set('session')} testid="messages-session" />
      <${TextField} id="m-user" label=${t('messages.userId')} type="search" value=${form.userId} onValue=${set('userId')} testid="messages-userid" />
      <${TextField} id="m-template" label=${t('messages.template')} type="search" value=${form.template} onValue=${set('template')} testid="messages-template" />
      <${SelectField} id="m-status" label=${t('messages.status')} value=${form.status} onValue=${set('status')} testid="messages-status"
        options=${[{ value: '', label: t('common.any') }, ...MESSAGE_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]} />
      <${TextField} id="m-from" label=${t('messages.from')} type="datetime-local" value=${form.from} onValue=${set('from')} testid="messages-from" />
      <${TextField} id="m-to" label=${t('messages.to')} type="datetime-local" value=${form.to} onValue=${set('to')} testid="messages-to" />
      <div class="actions">
        <button type="submit" class="primary" data-testid="messages-submit">${t('common.search')}</button>
        <button type="button" data-testid="messages-clear" onClick=${clear}>${t('common.clear')}</button>
      </div>
    <//>
    <${ErrorAlert} error=${error} />
    ${loading && html`<${Loading} />`}
    ${data && messages.length === 0 && html`<p class="muted" data-testid="messages-empty">${t('messages.none')}</p>`}
    ${messages.length > 0 && html`<${TableScroll} label=${t('nav.messages')}>
      <table class="compact" data-testid="messages-table">
        <thead><tr>
          <th scope="col">${t('messages.time')}</th>
          ${showAccount && html`<th scope="col">${t('account.id')}</th>`}
          <th scope="col">${t('messages.phone')}</th>
          <th scope="col">${t('messages.status')}</th>
          <th scope="col">${t('messages.template')}</th>
          <th scope="col">${t('messages.sender')}</th>
          <th scope="col">${t('messages.session')}</th>
          <th scope="col">${t('messages.userId')}</th>
          <th scope="col" class="num">${t('messages.segments')}</th>
          <th scope="col">${t('messages.receipt')}</th>
        </tr></thead>
        <tbody>
          ${messages.map((m) => html`<tr data-testid="message-row">
            <th scope="row"><a href=${`#/messages/${encodeURIComponent(field(m, 'Id'))}`} data-testid="message-link">${formatTime(field(m, 'CreateTime')) || field(m, 'Id')}</a></th>
            ${showAccount && html`<td>${field(m, 'AccountId')}</td>`}
            <td>${field(m, 'Phone')}</td>
            <td><${StatusTag} group="status" value=${field(m, 'Status')} /></td>
            <td>${field(m, 'TemplateId')}</td>
            <td>${field(m, 'Sender')}</td>
            <td class="mono session">${field(m, 'SessionNo')}</td>
            <td>${field(m, 'UserId')}</td>
            <td class="num">${field(m, 'Segments')}</td>
            <td>${field(m, 'ReceiptCode')}</td>
          </tr>`)}
        </tbody>
      </table>
    <//>`}
    <div class="pager">
      <button type="button" disabled=${cursors.length === 0 || loading} onClick=${previous} data-testid="messages-prev">${t('common.previousPage')}</button>
      <button type="button" disabled=${!data?.Next || loading} onClick=${next} data-testid="messages-next">${t('common.nextPage')}</button>
    </div>
  <//>`;
}
