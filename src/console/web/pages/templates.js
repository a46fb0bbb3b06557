// Templates: create one, see its review status and the reviewer's reason, edit it while it is not approved.
import { api, seg } from '../lib/api.js';
import { accountQuery, can, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, SelectField, StatusTag, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

/** 0 pending, 1 under review, 3 rejected: the server takes changes (and reviews again); approved and disabled are fixed. */
export const EDITABLE = [0, 1, 3];
const PURPOSES = [1, 2, 3];
const MARKETING = 3;
const BLANK = { TemplateName: '', Template: '', Purpose: '2', Remark: '', UnsubscribeInfo: '' };

export function TemplatesPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.templates')}><${Templates} /><//>`;
}

function Templates() {
  const app = useApp();
  const { t } = app;
  const list = useLoad(() => api.get('/templates', accountQuery(app)), []);
  const [editing, setEditing] = useState(null);
  // A fresh form after each save (no stale "invalid" marks on its emptied fields); the notice lives here so it outlasts the form.
  const [formCount, setFormCount] = useState(0);
  const [notice, setNotice] = useState('');
  const templates = rowsOf(list.data, 'Templates');
  const edit = (tpl) => {
    setNotice('');
    setEditing(tpl);
  };

  return html`<${Page} title=${t('nav.templates')} testid="page-templates">
    ${can(app.user, 'write') && html`<${TemplateForm} key=${editing ? field(editing, 'TemplateId') : `new-${formCount}`} editing=${editing}
      onStart=${() => setNotice('')}
      onDone=${(text) => { setEditing(null); setFormCount(formCount + 1); setNotice(text); list.reload(true); }} onCancel=${() => setEditing(null)} />`}
    <${Notice} testid="template-notice">${notice}<//>
    <h2>${t('templates.list')}</h2>
    <${ErrorAlert} error=${list.error} testid="templates-error" />
    ${list.loading && html`<${Loading} />`}
    ${list.data && templates.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${templates.length > 0 && html`<${TableScroll} label=${t('templates.list')}>
      <table data-testid="templates-table">
        <thead><tr>
          <th scope="col">${t('templates.name')}<div class="muted small">${t('templates.id')}</div></th>
          <th scope="col">${t('templates.content')}</th>
          <th scope="col">${t('templates.purpose')}</th>
          <th scope="col">${t('review.status')}</th>
          <th scope="col">${t('review.reason')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${templates.map((tpl) => html`<tr data-testid="template-row">
          <th scope="row">${field(tpl, 'TemplateName')}
            ${field(tpl, 'TemplateName') !== field(tpl, 'TemplateId') && html`<div class="mono small muted">${field(tpl, 'TemplateId')}</div>`}</th>
          <td class="content">${field(tpl, 'Template')}</td>
          <td>${t(`purpose.${field(tpl, 'Purpose')}`)}</td>
          <td><${StatusTag} group="review" value=${field(tpl, 'Status')} /></td>
          <td>${field(tpl, 'ErrDesc')}</td>
          <td class="time">${formatTime(field(tpl, 'CreateTime'))}</td>
          <td>${can(app.user, 'write') && EDITABLE.includes(Number(field(tpl, 'Status'))) &&
            html`<button type="button" data-testid="template-edit" onClick=${() => edit(tpl)}>${t('common.edit')}</button>`}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}

function TemplateForm({ editing, onStart, onDone, onCancel }) {
  const app = useApp();
  const { t } = app;
  const [form, setForm] = useState(
    editing
      ? { TemplateName: field(editing, 'TemplateName') ?? '', Template: field(editing, 'Template') ?? '', Purpose: String(field(editing, 'Purpose') ?? 2), Remark: field(editing, 'Remark') ?? '', UnsubscribeInfo: field(editing, 'UnsubscribeInfo') ?? '' }
      : BLANK,
  );
  const action = useAction();
  const set = (key) => (value) => setForm({ ...form, [key]: value });

  async function submit() {
    const body = { TemplateName: form.TemplateName, Template: form.Template, Purpose: Number(form.Purpose), Remark: form.Remark };
    if (Number(form.Purpose) === MARKETING) body.UnsubscribeInfo = form.UnsubscribeInfo;
    const options = { query: accountQuery(app) };
    onStart();
    const done = await action.run(() =>
      editing ? api.put(`/templates/${seg(field(editing, 'TemplateId'))}`, body, options) : api.post('/templates', body, options),
    );
    if (done) onDone(editing ? t('common.saved') : t('templates.created', { id: done.TemplateId ?? '' }));
  }

  const title = editing ? t('templates.editing', { name: field(editing, 'TemplateName') }) : t('templates.create');
  return html`<h2>${title}</h2>
    <${Form} onSubmit=${submit} testid="template-form" label=${title}>
      <${TextField} id="tpl-name" label=${t('templates.name')} value=${form.TemplateName} onValue=${set('TemplateName')} required maxlength="32" testid="template-name" />
      <${SelectField} id="tpl-purpose" label=${t('templates.purpose')} value=${form.Purpose} onValue=${set('Purpose')} testid="template-purpose"
        options=${PURPOSES.map((p) => ({ value: String(p), label: t(`purpose.${p}`) }))} />
      <div class="field wide">
        <label for="tpl-content">${t('templates.content')}</label>
        <textarea id="tpl-content" rows="3" required maxlength="500" aria-describedby="tpl-content-hint" data-testid="template-content"
          value=${form.Template} onInput=${(e) => set('Template')(e.currentTarget.value)}></textarea>
        <small id="tpl-content-hint" class="hint">${t('templates.contentHint')}</small>
      </div>
      ${Number(form.Purpose) === MARKETING && html`<${TextField} id="tpl-unsubscribe" label=${t('templates.unsubscribe')} value=${form.UnsubscribeInfo}
        onValue=${set('UnsubscribeInfo')} required hint=${t('templates.unsubscribeHint')} testid="template-unsubscribe" wide=${true} />`}
      <${TextField} id="tpl-remark" label=${t('templates.remark')} value=${form.Remark} onValue=${set('Remark')} testid="template-remark" wide=${true} />
      <div class="actions">
        <button type="submit" class="primary" disabled=${action.busy} data-testid="template-submit">${editing ? t('common.save') : t('templates.submit')}</button>
        ${editing && html`<button type="button" onClick=${onCancel} data-testid="template-cancel">${t('common.cancel')}</button>`}
      </div>
    <//>
    <${ErrorAlert} error=${action.error} testid="template-error" />`;
}
