// The account's blacklist: numbers that are never sent to.
import { api, seg } from '../lib/api.js';
import { accountQuery, can, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

export function BlacklistPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.blacklist')}><${Blacklist} /><//>`;
}

function Blacklist() {
  const app = useApp();
  const { t } = app;
  const list = useLoad(() => api.get('/blacklist', accountQuery(app)), []);
  const [phone, setPhone] = useState('');
  // Bumped after a save: a fresh form, without the emptied field marked invalid.
  const [formCount, setFormCount] = useState(0);
  const add = useAction();
  const remove = useAction();
  const writer = can(app.user, 'write');
  const options = { query: accountQuery(app) };
  // `Phones`: the numbers in E.164, in order; `OptedOut`: those that replied STOP, with when (unix s).
  const phones = rowsOf(list.data, 'Phones');
  const optedOut = new Map(rowsOf(list.data, 'OptedOut').map((o) => [o.Phone, o.OptedOutAt]));

  async function submit() {
    remove.clear();
    if (await add.run(() => api.post('/blacklist', { Phone: phone.trim() }, options))) {
      setPhone('');
      setFormCount((n) => n + 1);
      list.reload(true);
    }
  }
  async function removePhone(p) {
    add.clear();
    if (await remove.run(() => api.del(`/blacklist/${seg(p)}`, accountQuery(app)))) list.reload(true);
  }

  return html`<${Page} title=${t('nav.blacklist')} testid="page-blacklist">
    ${writer && html`<${Form} key=${formCount} onSubmit=${submit} testid="blacklist-form" label=${t('blacklist.add')}>
      <${TextField} id="blacklist-phone" label=${t('blacklist.phone')} type="tel" value=${phone} onValue=${setPhone} required
        hint=${t('blacklist.phoneHint')} testid="blacklist-phone" />
      <div class="actions"><button type="submit" class="primary" disabled=${add.busy} data-testid="blacklist-add">${t('blacklist.add')}</button></div>
    <//>`}
    <${ErrorAlert} error=${add.error || remove.error || list.error} />
    <${Notice}>${add.result && t('blacklist.added')}${remove.result && t('blacklist.removed')}<//>
    ${list.loading && html`<${Loading} />`}
    ${list.data && phones.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${phones.length > 0 && html`<${TableScroll} label=${t('nav.blacklist')}>
      <table data-testid="blacklist-table">
        <thead><tr>
          <th scope="col">${t('blacklist.phone')}</th>
          <th scope="col">${t('blacklist.why')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${phones.map((p) => html`<tr data-testid="blacklist-row">
          <th scope="row">${p}</th>
          <td data-testid="blacklist-why">${optedOut.has(p) ? t('blacklist.optedOut', { time: formatTime(optedOut.get(p)) }) : t('blacklist.blocked')}</td>
          <td>${writer && html`<${ConfirmButton} label=${t('common.remove')} question=${t('blacklist.removeConfirm', { phone: p })}
            testid="blacklist-remove" onConfirm=${() => removePhone(p)} />`}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}
