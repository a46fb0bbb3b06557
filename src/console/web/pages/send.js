// Send one message: phone, an approved template and sender, the template's parameters.
import { api } from '../lib/api.js';
import { accountQuery, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, SelectField, TextField, useAction, useLoad } from '../lib/components.js';
import { field, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

const APPROVED = 2;

/** How many parameters a template takes: its highest {n}. */
export function paramCount(content) {
  let max = 0;
  for (const m of String(content ?? '').matchAll(/\{(\d{1,2})\}/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** The account's approved templates and senders, for the send and batch forms. */
export function useApproved(app) {
  return useLoad(async () => {
    const [templates, senders] = await Promise.all([api.get('/templates', accountQuery(app)), api.get('/senders', accountQuery(app))]);
    const approved = (rows) => rows.filter((r) => Number(field(r, 'Status')) === APPROVED);
    return { templates: approved(rowsOf(templates, 'Templates')), senders: approved(rowsOf(senders, 'Senders')) };
  }, []);
}

/** Template and sender choosers shared by the send and batch pages. */
export function TemplateSenderFields({ choices, templateId, setTemplateId, sender, setSender, idPrefix }) {
  const { t } = useApp();
  const templateOptions = [{ value: '', label: t('send.chooseTemplate') }, ...choices.templates.map((tpl) => {
    const id = field(tpl, 'TemplateId');
    const name = field(tpl, 'TemplateName');
    // A template created without a name is named by its id: shown once.
    return { value: id, label: name && name !== id ? `${name} (${id})` : id };
  })];
  const senderOptions = [{ value: '', label: t('send.chooseSender') }, ...choices.senders.map((s) => {
    const name = field(s, 'SigContent');
    return { value: name, label: name };
  })];
  return html`
    <${SelectField} id=${`${idPrefix}-template`} label=${t('send.template')} value=${templateId} onValue=${setTemplateId} options=${templateOptions} testid=${`${idPrefix}-template`} />
    <${SelectField} id=${`${idPrefix}-sender`} label=${t('send.sender')} value=${sender} onValue=${setSender} options=${senderOptions} testid=${`${idPrefix}-sender`} />
    ${(choices.templates.length === 0 || choices.senders.length === 0) && html`<p class="notice wide">${t('send.needApproved')}</p>`}`;
}

export function SendPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.send')}><${Send} /><//>`;
}

function Send() {
  const app = useApp();
  const { t } = app;
  const choices = useApproved(app);
  const [phone, setPhone] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [sender, setSender] = useState('');
  const [params, setParams] = useState([]);
  const [userId, setUserId] = useState('');
  const action = useAction();
  const template = choices.data?.templates.find((tpl) => field(tpl, 'TemplateId') === templateId);
  const count = template ? paramCount(field(template, 'Template')) : 0;

  async function submit() {
    const body = { Phone: phone.trim(), TemplateId: templateId, SigContent: sender, TemplateParams: Array.from({ length: count }, (_, i) => params[i] ?? '') };
    if (userId.trim()) body.UserId = userId.trim();
    await action.run(() => api.post('/send', body, { query: accountQuery(app) }));
  }
  const answer = action.result;

  return html`<${Page} title=${t('nav.send')} testid="page-send">
    <${ErrorAlert} error=${choices.error} testid="send-load-error" />
    ${choices.loading && html`<${Loading} />`}
    ${choices.data && html`<${Form} onSubmit=${submit} testid="send-form" label=${t('nav.send')}>
      <${TextField} id="send-phone" label=${t('send.phone')} type="tel" value=${phone} onValue=${setPhone} required hint=${t('send.phoneHint')} testid="send-phone" />
      <${TemplateSenderFields} choices=${choices.data} templateId=${templateId} setTemplateId=${(v) => { setTemplateId(v); setParams([]); }}
        sender=${sender} setSender=${setSender} idPrefix="send" />
      ${template && html`<p class="wide template-preview" data-testid="send-preview"><span class="muted">${t('send.preview')}</span> ${field(template, 'Template')}</p>`}
      ${Array.from({ length: count }, (_, i) => html`<${TextField} id=${`send-param-${i + 1}`} label=${t('send.param', { n: i + 1 })}
        value=${params[i] ?? ''} onValue=${(v) => { const next = [...params]; next[i] = v; setParams(next); }} testid=${`send-param-${i + 1}`} />`)}
      <${TextField} id="send-userid" label=${t('send.userId')} value=${userId} onValue=${setUserId} hint=${t('send.userIdHint')} testid="send-userid" />
      <div class="actions"><button type="submit" class="primary" disabled=${action.busy || !templateId || !sender} data-testid="send-submit">${t('send.submit')}</button></div>
    <//>`}
    <${ErrorAlert} error=${action.error} testid="send-error" />
    <${Notice} testid="send-result">${answer && html`
      <p><strong class=${answer.RetCode === 0 ? 'ok' : 'bad'}>${answer.RetCode === 0 ? t('send.accepted') : t('send.refused')}</strong></p>
      <dl class="details compact">
        <dt>${t('field.RetCode')}</dt><dd data-testid="send-retcode">${answer.RetCode}</dd>
        ${answer.Message && html`<dt>${t('send.message')}</dt><dd>${answer.Message}</dd>`}
        ${answer.SessionNo && html`<dt>${t('field.SessionNo')}</dt><dd class="mono" data-testid="send-session">
          <a href=${`#/messages?session=${encodeURIComponent(answer.SessionNo)}`}>${answer.SessionNo}</a></dd>`}
      </dl>`}<//>
  <//>`;
}
