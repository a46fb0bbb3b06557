// Senders (signatures): apply for one, see its review status and the reviewer's reason, edit while not approved.
import { api, seg } from '../lib/api.js';
import { accountQuery, can, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, SelectField, StatusTag, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';
import { EDITABLE } from './templates.js';

const SIG_TYPES = [0, 1, 2, 3, 4, 5];
const SIG_PURPOSES = [0, 1];
const BLANK = { SigContent: '', SigType: '0', SigPurpose: '0', Description: '' };

export function SendersPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.senders')}><${Senders} /><//>`;
}

function Senders() {
  const app = useApp();
  const { t } = app;
  const list = useLoad(() => api.get('/senders', accountQuery(app)), []);
  const [editing, setEditing] = useState(null);
  // A fresh form after each save (no stale "invalid" marks on its emptied fields); the notice lives here so it outlasts the form.
  const [formCount, setFormCount] = useState(0);
  const [notice, setNotice] = useState('');
  const senders = rowsOf(list.data, 'Senders');
  const edit = (s) => {
    setNotice('');
    setEditing(s);
  };

  return html`<${Page} title=${t('nav.senders')} testid="page-senders">
    ${can(app.user, 'write') && html`<${SenderForm} key=${editing ? field(editing, 'SigId') : `new-${formCount}`} editing=${editing}
      onStart=${() => setNotice('')}
      onDone=${(text) => { setEditing(null); setFormCount(formCount + 1); setNotice(text); list.reload(true); }} onCancel=${() => setEditing(null)} />`}
    <${Notice} testid="sender-notice">${notice}<//>
    <h2>${t('senders.list')}</h2>
    <${ErrorAlert} error=${list.error} testid="senders-error" />
    ${list.loading && html`<${Loading} />`}
    ${list.data && senders.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${senders.length > 0 && html`<${TableScroll} label=${t('senders.list')}>
      <table data-testid="senders-table">
        <thead><tr>
          <th scope="col">${t('senders.content')}<div class="muted small">${t('senders.id')}</div></th>
          <th scope="col">${t('senders.type')}</th>
          <th scope="col">${t('review.status')}</th>
          <th scope="col">${t('review.reason')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${senders.map((s) => html`<tr data-testid="sender-row">
          <th scope="row">${field(s, 'SigContent')}<div class="mono small muted">${field(s, 'SigId')}</div></th>
          <td>${field(s, 'SigType') !== undefined && t(`sigType.${field(s, 'SigType')}`)}</td>
          <td><${StatusTag} group="review" value=${field(s, 'Status')} /></td>
          <td>${field(s, 'ErrDesc')}</td>
          <td class="time">${formatTime(field(s, 'CreateTime'))}</td>
          <td>${can(app.user, 'write') && EDITABLE.includes(Number(field(s, 'Status'))) &&
            html`<button type="button" data-testid="sender-edit" onClick=${() => edit(s)}>${t('common.edit')}</button>`}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}

function SenderForm({ editing, onStart, onDone, onCancel }) {
  const app = useApp();
  const { t } = app;
  const [form, setForm] = useState(
    editing
      ? {
          SigContent: field(editing, 'SigContent') ?? '',
          SigType: String(field(editing, 'SigType') ?? 0),
          SigPurpose: String(field(editing, 'SigPurpose') ?? 0),
          Description: field(editing, 'Description') ?? '',
        }
      : BLANK,
  );
  const action = useAction();
  const set = (key) => (value) => setForm({ ...form, [key]: value });

  async function submit() {
    const body = { SigContent: form.SigContent.trim(), SigType: Number(form.SigType), SigPurpose: Number(form.SigPurpose), Description: form.Description };
    const options = { query: accountQuery(app) };
    onStart();
    const done = await action.run(() => (editing ? api.put(`/senders/${seg(field(editing, 'SigId'))}`, body, options) : api.post('/senders', body, options)));
    if (done) onDone(editing ? t('common.saved') : t('senders.created'));
  }

  const title = editing ? t('senders.editing', { name: form.SigContent }) : t('senders.create');
  return html`<h2>${title}</h2>
    <${Form} onSubmit=${submit} testid="sender-form" label=${title}>
      <${TextField} id="sig-content" label=${t('senders.content')} value=${form.SigContent} onValue=${set('SigContent')} required minlength="2" maxlength="20"
        hint=${t('senders.contentHint')} testid="sender-content" />
      <${SelectField} id="sig-type" label=${t('senders.type')} value=${form.SigType} onValue=${set('SigType')} testid="sender-type"
        options=${SIG_TYPES.map((v) => ({ value: String(v), label: t(`sigType.${v}`) }))} />
      <${SelectField} id="sig-purpose" label=${t('senders.purpose')} value=${form.SigPurpose} onValue=${set('SigPurpose')} testid="sender-purpose"
        options=${SIG_PURPOSES.map((v) => ({ value: String(v), label: t(`sigPurpose.${v}`) }))} />
      <${TextField} id="sig-description" label=${t('senders.description')} value=${form.Description} onValue=${set('Description')} testid="sender-description" wide=${true} />
      <div class="actions">
        <button type="submit" class="primary" disabled=${action.busy} data-testid="sender-submit">${editing ? t('common.save') : t('senders.submit')}</button>
        ${editing && html`<button type="button" onClick=${onCancel} data-testid="sender-cancel">${t('common.cancel')}</button>`}
      </div>
    <//>
    <${ErrorAlert} error=${action.error} testid="sender-error" />`;
}
