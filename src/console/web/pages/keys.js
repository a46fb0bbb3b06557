// API keys: create one (its secret is shown this once), revoke one after a confirmation.
import { api, seg } from '../lib/api.js';
import { accountQuery, can, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Loading, NeedsAccount, Notice, Page, SecretBox, StatusTag, TableScroll, useAction, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html } from '../lib/preact.js';

export function KeysPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.keys')}><${Keys} /><//>`;
}

function Keys() {
  const app = useApp();
  const { t } = app;
  const list = useLoad(() => api.get('/keys', accountQuery(app)), []);
  const create = useAction();
  const revoke = useAction();
  const keys = rowsOf(list.data, 'Keys');
  const writer = can(app.user, 'write');

  async function createKey() {
    revoke.clear();
    if (await create.run(() => api.post('/keys', {}, { query: accountQuery(app) }))) list.reload(true);
  }
  async function revokeKey(publicKey) {
    create.clear();
    if (await revoke.run(() => api.post(`/keys/${seg(publicKey)}/revoke`, {}, { query: accountQuery(app) }))) list.reload(true);
  }
  const created = create.result;
  const secret = created?.PrivateKey;

  return html`<${Page} title=${t('nav.keys')} testid="page-keys">
    ${writer && html`<div class="actions">
      <button type="button" class="primary" disabled=${create.busy} onClick=${createKey} data-testid="key-create">${t('keys.create')}</button>
    </div>`}
    <${ErrorAlert} error=${create.error || revoke.error || list.error} />
    ${created && html`<div class="panel" data-testid="key-created">
      <p>${t('keys.created', { key: created.PublicKey ?? '' })}</p>
      <${SecretBox} label=${t('keys.publicKey')} value=${created.PublicKey ?? ''} testid="key-public" />
      <${SecretBox} label=${t('keys.secret')} value=${secret ?? ''} warning=${t('keys.secretWarning')} testid="key-secret" />
    </div>`}
    <${Notice}>${revoke.result && t('keys.revoked')}<//>
    ${list.loading && html`<${Loading} />`}
    ${list.data && keys.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${keys.length > 0 && html`<${TableScroll} label=${t('nav.keys')}>
      <table data-testid="keys-table">
        <thead><tr>
          <th scope="col">${t('keys.publicKey')}</th>
          <th scope="col">${t('common.status')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${keys.map((k) => html`<tr data-testid="key-row">
          <th scope="row" class="mono">${field(k, 'PublicKey')}</th>
          <td><${StatusTag} group="keyStatus" value=${field(k, 'Status')} /></td>
          <td class="time">${formatTime(field(k, 'CreateTime'))}</td>
          <td>${writer && field(k, 'Status') !== 'revoked' && html`<${ConfirmButton} label=${t('keys.revoke')}
            question=${t('keys.revokeConfirm', { key: field(k, 'PublicKey') })} testid="key-revoke"
            onConfirm=${() => revokeKey(field(k, 'PublicKey'))} />`}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
  <//>`;
}
