// Console users: create one (the generated password is shown once), change a role, disable or enable;
// operators also issue password reset links.
import { api, seg } from '../lib/api.js';
import { accountQuery, isOperator, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Form, Loading, Page, SecretBox, SelectField, StatusTag, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatTime, rowsOf } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

const CUSTOMER_ROLES = ['admin', 'developer', 'viewer'];

export function UsersPage() {
  const app = useApp();
  const { t } = app;
  const operator = isOperator(app.user);
  const list = useLoad(() => api.get('/users', accountQuery(app)), []);
  const users = rowsOf(list.data, 'Users');
  const create = useAction();
  const change = useAction();
  const link = useAction();
  const [email, setEmail] = useState('');
  // Bumped after a save: a fresh form, without the emptied field marked invalid.
  const [formCount, setFormCount] = useState(0);
  // An operator without a chosen account creates operators; with one, that account's users.
  const roles = operator && !app.account ? ['operator'] : CUSTOMER_ROLES;
  const [role, setRole] = useState(roles[roles.length - 1]);
  const [roleEdits, setRoleEdits] = useState({});
  const clearAll = () => [create, change, link].forEach((a) => a.clear());

  async function submit() {
    clearAll();
    const body = { Email: email.trim(), Role: roles.includes(role) ? role : roles[0] };
    if (operator && app.account) body.AccountId = app.account;
    if (await create.run(() => api.post('/users', body))) {
      setEmail('');
      setFormCount((n) => n + 1);
      list.reload(true);
    }
  }
  async function update(user, changes) {
    clearAll();
    if (await change.run(() => api.put(`/users/${seg(field(user, 'UserId'))}`, changes, { query: accountQuery(app) }))) list.reload(true);
  }
  async function resetLink(user) {
    clearAll();
    await link.run(() => api.post(`/users/${seg(field(user, 'UserId'))}/reset-link`, {}));
  }
  const created = create.result;
  const resetUrl = link.result && absoluteUrl(link.result.Url);

  return html`<${Page} title=${t('nav.users')} testid="page-users">
    <h2>${t('users.create')}</h2>
    ${operator && html`<p class="muted">${app.account ? t('users.forAccount', { id: app.account }) : t('users.operatorsOnly')}</p>`}
    <${Form} key=${formCount} onSubmit=${submit} testid="user-form" label=${t('users.create')}>
      <${TextField} id="user-email" label=${t('users.email')} type="email" value=${email} onValue=${setEmail} required testid="user-email" />
      <${SelectField} id="user-role" label=${t('users.role')} value=${roles.includes(role) ? role : roles[0]} onValue=${setRole} testid="user-role"
        options=${roles.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
      <div class="actions"><button type="submit" class="primary" disabled=${create.busy} data-testid="user-create">${t('users.submit')}</button></div>
    <//>
    <${ErrorAlert} error=${create.error || change.error || link.error || list.error} />
    ${created && html`<div class="panel" data-testid="user-created">
      <p>${t('users.created', { email: created.Email ?? '' })}</p>
      <${SecretBox} label=${t('users.password')} value=${created.Password ?? ''} warning=${t('users.passwordWarning')} testid="user-password" />
    </div>`}
    ${link.result && html`<div class="panel" data-testid="user-reset">
      <${SecretBox} label=${t('users.resetLink')} value=${resetUrl} testid="user-reset-link"
        warning=${t('users.resetWarning', { time: formatTime(link.result.ExpiresAt) })} />
    </div>`}

    <h2>${t('users.list')}</h2>
    ${list.loading && html`<${Loading} />`}
    ${list.data && users.length === 0 && html`<p class="muted">${t('common.none')}</p>`}
    ${users.length > 0 && html`<${TableScroll} label=${t('users.list')}>
      <table data-testid="users-table">
        <thead><tr>
          <th scope="col">${t('users.email')}</th>
          ${operator && html`<th scope="col">${t('account.id')}</th>`}
          <th scope="col">${t('users.role')}</th>
          <th scope="col">${t('common.status')}</th>
          <th scope="col">${t('common.created')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${users.map((u) => {
          const id = field(u, 'UserId');
          const self = id === app.user.UserId;
          const userRoles = field(u, 'Role') === 'operator' ? ['operator'] : CUSTOMER_ROLES;
          const chosen = roleEdits[id] ?? field(u, 'Role');
          const disabled = field(u, 'Status') === 'disabled';
          return html`<tr data-testid="user-row">
            <th scope="row">${field(u, 'Email')}</th>
            ${operator && html`<td>${field(u, 'AccountId') ?? '–'}</td>`}
            <td>${self || userRoles.length === 1
              ? t(`role.${field(u, 'Role')}`)
              : html`<span class="inline-edit">
                  <label class="visually-hidden" for=${`role-${id}`}>${t('users.roleOf', { email: field(u, 'Email') })}</label>
                  <select id=${`role-${id}`} data-testid="user-role-select" value=${chosen} onChange=${(e) => setRoleEdits({ ...roleEdits, [id]: e.currentTarget.value })}>
                    ${userRoles.map((r) => html`<option value=${r} selected=${r === chosen}>${t(`role.${r}`)}</option>`)}
                  </select>
                  <button type="button" data-testid="user-role-save" disabled=${chosen === field(u, 'Role') || change.busy}
                    onClick=${() => update(u, { Role: chosen })}>${t('users.changeRole')}</button>
                </span>`}</td>
            <td><${StatusTag} group="userStatus" value=${field(u, 'Status') ?? 'active'} />
              ${field(u, 'LockedUntil') && html` <${StatusTag} group="userStatus" value="locked" />`}</td>
            <td class="time">${formatTime(field(u, 'CreateTime'))}</td>
            <td><div class="row-actions">${!self && html`
              ${disabled
                ? html`<button type="button" data-testid="user-enable" onClick=${() => update(u, { Status: 'active' })}>${t('users.enable')}</button>`
                : html`<${ConfirmButton} label=${t('users.disable')} question=${t('users.disableConfirm', { email: field(u, 'Email') })}
                    testid="user-disable" onConfirm=${() => update(u, { Status: 'disabled' })} />`}
              ${operator && html`<button type="button" data-testid="user-reset-link-create" onClick=${() => resetLink(u)}>${t('users.makeResetLink')}</button>`}`}
            </div></td>
          </tr>`;
        })}</tbody>
      </table>
    <//>`}
  <//>`;
}

/** The server may answer the reset link as a path (/console/#/reset/...): made absolute for copying. */
function absoluteUrl(url) {
  if (!url) return '';
  try {
    return new URL(url, location.origin).href;
  } catch {
    return String(url);
  }
}
