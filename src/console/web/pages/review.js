// The review queue (operators): every pending template and sender, approved in one click or rejected with a reason.
import { api, seg } from '../lib/api.js';
import { accountIdOf, useApp } from '../lib/app-context.js';
import { ErrorAlert, Loading, Notice, Page, TableScroll, useAction, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useEffect, useId, useRef, useState } from '../lib/preact.js';

export function ReviewPage() {
  const app = useApp();
  const { t } = app;
  const queue = useLoad(() => api.get('/review'), []);
  const decide = useAction();
  const templates = rowsOf(queue.data?.Templates);
  const senders = rowsOf(queue.data?.Senders);

  async function decision(kind, item, id, verdict, reason = '') {
    const done = await decide.run(() =>
      api.post(`/review/${kind}/${seg(accountIdOf(item))}/${seg(id)}`, { Decision: verdict, Reason: reason }).then(() => ({ verdict, name: kind === 'templates' ? field(item, 'TemplateName') : field(item, 'SigContent') })),
    );
    if (done) queue.reload(true);
  }

  return html`<${Page} title=${t('nav.review')} testid="page-review">
    <${ErrorAlert} error=${decide.error || queue.error} />
    <${Notice} testid="review-notice">${decide.result && t(decide.result.verdict === 'approve' ? 'review.approvedOne' : 'review.rejectedOne', { name: decide.result.name })}<//>
    ${queue.loading && html`<${Loading} />`}

    <h2>${t('review.templates', { n: templates.length })}</h2>
    ${queue.data && templates.length === 0 && html`<p class="muted" data-testid="review-no-templates">${t('review.empty')}</p>`}
    ${templates.length > 0 && html`<${TableScroll} label=${t('review.templates', { n: templates.length })}>
      <table data-testid="review-templates">
        <thead><tr>
          <th scope="col">${t('templates.name')}<div class="muted small">${t('account.id')}</div></th>
          <th scope="col">${t('templates.content')}<div class="muted small">${t('templates.remark')}</div></th>
          <th scope="col">${t('templates.purpose')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col">${t('review.decision')}</th>
        </tr></thead>
        <tbody>${templates.map((tpl) => html`<tr data-testid="review-template-row">
          <th scope="row">${field(tpl, 'TemplateName')}<div class="mono small muted">${accountIdOf(tpl)}</div></th>
          <td class="content">${field(tpl, 'Template')}
            ${field(tpl, 'Remark') && html`<div class="muted small">${field(tpl, 'Remark')}</div>`}</td>
          <td>${t(`purpose.${field(tpl, 'Purpose')}`)}</td>
          <td class="time">${formatTime(field(tpl, 'CreateTime'))}</td>
          <td><${Decide} name=${field(tpl, 'TemplateName')} busy=${decide.busy}
            onDecide=${(verdict, reason) => decision('templates', tpl, field(tpl, 'TemplateId'), verdict, reason)} /></td>
        </tr>`)}</tbody>
      </table>
    <//>`}

    <h2>${t('review.senders', { n: senders.length })}</h2>
    ${queue.data && senders.length === 0 && html`<p class="muted" data-testid="review-no-senders">${t('review.empty')}</p>`}
    ${senders.length > 0 && html`<${TableScroll} label=${t('review.senders', { n: senders.length })}>
      <table data-testid="review-senders">
        <thead><tr>
          <th scope="col">${t('senders.content')}<div class="muted small">${t('account.id')}</div></th>
          <th scope="col">${t('senders.type')}</th>
          <th scope="col">${t('senders.description')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col">${t('review.decision')}</th>
        </tr></thead>
        <tbody>${senders.map((s) => html`<tr data-testid="review-sender-row">
          <th scope="row">${field(s, 'SigContent')}<div class="mono small muted">${accountIdOf(s)}</div></th>
          <td>${field(s, 'SigType') !== undefined && t(`sigType.${field(s, 'SigType')}`)}</td>
          <td>${field(s, 'Description')}</td>
          <td class="time">${formatTime(field(s, 'CreateTime'))}</td>
          <td><${Decide} name=${field(s, 'SigContent')} busy=${decide.busy}
            onDecide=${(verdict, reason) => decision('senders', s, field(s, 'SigId'), verdict, reason)} /></td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}

/** Approve (one click) or Reject, which first asks for the reason the customer will see. */
function Decide({ name, busy, onDecide }) {
  const { t } = useApp();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const input = useRef(null);
  const id = useId();
  useEffect(() => {
    if (rejecting && input.current) input.current.focus();
  }, [rejecting]);
  if (!rejecting) {
    return html`<span class="row-actions">
      <button type="button" class="primary" disabled=${busy} data-testid="review-approve" aria-label=${t('review.approveName', { name })}
        onClick=${() => onDecide('approve')}>${t('review.approve')}</button>
      <button type="button" class="danger" disabled=${busy} data-testid="review-reject" aria-label=${t('review.rejectName', { name })}
        onClick=${() => setRejecting(true)}>${t('review.reject')}</button>
    </span>`;
  }
  return html`<form class="reject-form" onSubmit=${(e) => { e.preventDefault(); if (reason.trim()) onDecide('reject', reason.trim()); }}>
    <label for=${id}>${t('review.reason')}</label>
    <input id=${id} ref=${input} required value=${reason} data-testid="review-reason" onInput=${(e) => setReason(e.currentTarget.value)} />
    <button type="submit" class="danger" disabled=${busy || !reason.trim()} data-testid="review-reject-confirm">${t('review.reject')}</button>
    <button type="button" data-testid="review-reject-cancel" onClick=${() => setRejecting(false)}>${t('common.cancel')}</button>
  </form>`;
}
