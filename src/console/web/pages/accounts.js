// Accounts (operators): create one (its first API key's secret is shown this once), suspend or resume it,
// set its region, whether its templates are approved without review and how its SMPP submits are checked;
// "open" makes it the account the customer pages work on.
import { api, seg } from '../lib/api.js';
import { accountIdOf, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Form, Loading, Notice, Page, SecretBox, StatusTag, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';
import { navigate } from '../lib/router.js';

const REGION = /^[A-Za-z]{2}$/;

export function AccountsPage() {
  const app = useApp();
  const { t } = app;
  const list = useLoad(() => api.get('/accounts'), []);
  const accounts = rowsOf(list.data, 'Accounts');
  const create = useAction();
  const change = useAction();
  const [name, setName] = useState('');
  // Bumped after a save: a fresh form, without the emptied field marked invalid.
  const [formCount, setFormCount] = useState(0);
  const [region, setRegion] = useState('CN');
  const [regionEdits, setRegionEdits] = useState({});

  const refresh = () => {
    list.reload(true);
    app.reloadAccounts();
  };
  async function submit() {
    change.clear();
    if (await create.run(() => api.post('/accounts', { Name: name.trim(), Region: region.trim().toUpperCase() }))) {
      setName('');
      setFormCount((n) => n + 1);
      refresh();
    }
  }
  async function update(account, changes) {
    create.clear();
    if (await change.run(() => api.put(`/accounts/${seg(accountIdOf(account))}`, changes))) refresh();
  }
  function open(account) {
    app.setAccount(accountIdOf(account));
    navigate('/overview');
  }

  return html`<${Page} title=${t('nav.accounts')} testid="page-accounts">
    <h2>${t('accounts.create')}</h2>
    <${Form} key=${formCount} onSubmit=${submit} testid="account-form" label=${t('accounts.create')}>
      <${TextField} id="account-name" label=${t('accounts.name')} value=${name} onValue=${setName} required testid="account-name" />
      <${TextField} id="account-region" label=${t('accounts.region')} value=${region} onValue=${setRegion} required maxlength="2" pattern="[A-Za-z]{2}"
        hint=${t('accounts.regionHint')} testid="account-region" />
      <div class="actions"><button type="submit" class="primary" disabled=${create.busy} data-testid="account-create">${t('accounts.submit')}</button></div>
    <//>
    <${ErrorAlert} error=${create.error || change.error || list.error} />
    <${Notice} testid="account-notice">${change.result && t('common.saved')}<//>
    ${create.result && html`<div class="panel" data-testid="account-created">
      <p>${t('accounts.created', { id: accountIdOf(create.result) ?? '' })}</p>
      <p>${t('accounts.projectId')}: <span class="mono">${create.result.ProjectId}</span></p>
      <${SecretBox} label=${t('keys.publicKey')} value=${create.result.PublicKey ?? ''} testid="account-public" />
      <${SecretBox} label=${t('keys.secret')} value=${create.result.PrivateKey ?? ''} warning=${t('keys.secretWarning')} testid="account-secret" />
    </div>`}

    <h2>${t('accounts.list')}</h2>
    ${list.loading && html`<${Loading} />`}
    ${list.data && accounts.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${accounts.length > 0 && html`<${TableScroll} label=${t('accounts.list')}>
      <table data-testid="accounts-table">
        <thead><tr>
          <th scope="col">${t('account.id')}</th>
          <th scope="col">${t('accounts.name')}</th>
          <th scope="col">${t('accounts.region')}</th>
          <th scope="col">${t('common.status')}</th>
          <th scope="col">${t('accounts.autoApprove')}</th>
          <th scope="col" title=${t('accounts.smppContentHint')}>${t('accounts.smppContent')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${accounts.map((a) => {
          const id = accountIdOf(a);
          const status = field(a, 'Status') ?? 'active';
          const active = status === 'active';
          const regionValue = regionEdits[id] ?? field(a, 'Region') ?? '';
          const auto = Boolean(field(a, 'TemplateAutoApprove'));
          const smppContent = field(a, 'SmppContent') === 'free' ? 'free' : 'template';
          return html`<tr data-testid="account-row">
            <th scope="row" class="mono">${id}</th>
            <td>${field(a, 'Name')}</td>
            <td><span class="inline-edit">
              <label class="visually-hidden" for=${`region-${id}`}>${t('accounts.regionOf', { name: field(a, 'Name') })}</label>
              <input id=${`region-${id}`} class="short" value=${regionValue} maxlength="2" data-testid="account-region-input"
                onInput=${(e) => setRegionEdits({ ...regionEdits, [id]: e.currentTarget.value })} />
              <button type="button" data-testid="account-region-save" disabled=${regionValue === field(a, 'Region') || !REGION.test(regionValue) || change.busy}
                onClick=${() => update(a, { Region: regionValue.toUpperCase() })}>${t('common.save')}</button>
            </span></td>
            <td><${StatusTag} group="accountStatus" value=${status} /></td>
            <td>
              <input type="checkbox" id=${`auto-${id}`} checked=${auto} disabled=${change.busy} data-testid="account-auto-approve"
                onChange=${(e) => update(a, { AutoApprove: e.currentTarget.checked })} />
              <label for=${`auto-${id}`} class="visually-hidden">${t('accounts.autoApproveOf', { name: field(a, 'Name') })}</label>
            </td>
            <td><span class="inline-edit">
              <label for=${`smpp-content-${id}`} class="visually-hidden">${t('accounts.smppContentOf', { name: field(a, 'Name') })}</label>
              <select id=${`smpp-content-${id}`} value=${smppContent} disabled=${change.busy} data-testid="account-smpp-content"
                onChange=${(e) => update(a, { SmppContent: e.currentTarget.value })}>
                <option value="template" selected=${smppContent === 'template'}>${t('accounts.smppTemplate')}</option>
                <option value="free" selected=${smppContent === 'free'}>${t('accounts.smppFree')}</option>
              </select>
            </span></td>
            <td class="time">${formatTime(field(a, 'CreateTime'))}</td>
            <td><div class="row-actions">
              <button type="button" data-testid="account-open" onClick=${() => open(a)}>${t('accounts.open')}</button>
              ${active
                ? html`<${ConfirmButton} label=${t('accounts.suspend')} question=${t('accounts.suspendConfirm', { name: field(a, 'Name') })}
                    testid="account-suspend" onConfirm=${() => update(a, { Status: 'disabled' })} />`
                : html`<button type="button" data-testid="account-resume" onClick=${() => update(a, { Status: 'active' })}>${t('accounts.resume')}</button>`}
            </div></td>
          </tr>`;
        })}</tbody>
      </table>
    <//>`}
  <//>`;
}
