// SMPP (operators): the logins customers bind to usms's SMPP server with (created with a password shown
// once, revoked after a confirmation), filtered by account; the live binds in the cluster with their
// counters, and the outbox of receipts and replies waiting for a bind (both refreshed every 2 s).
import { api, seg } from '../lib/api.js';
import { accountIdOf, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Form, Loading, Notice, Page, SecretBox, SelectField, StatusTag, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatNumber, formatTime, rowsOf } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/preact.js';

const REFRESH_MS = 2000;
/** The operator layer's defaults and bounds (operator/smpp-users.ts), so the browser flags a wrong value before sending. */
const BLANK = { SystemId: '', MaxBinds: '1', Window: '100', Throughput: '100', AllowedSources: '' };
const NUMBERS = { MaxBinds: { min: 1, max: 100 }, Window: { min: 1, max: 1000 }, Throughput: { min: 0, max: 100000 } };

/** "Acme (3)" for a known account, else its id. */
function accountLabel(accounts, id) {
  const a = accounts.find((row) => String(accountIdOf(row)) === String(id));
  return a?.Name ? `${a.Name} (${id})` : String(id ?? '');
}

export function SmppPage() {
  const app = useApp();
  const { t, lang } = app;
  // Starts on the account chosen in the header; '' = every account.
  const [account, setAccount] = useState(app.account ? String(app.account) : '');
  const users = useLoad(() => api.get('/smpp/users', { account }), [account]);
  const status = useLoad(() => api.get('/smpp/status'), []);
  const [updatedAt, setUpdatedAt] = useState(null);
  const [adding, setAdding] = useState(false);
  const create = useAction();
  const revoke = useAction();

  useEffect(() => {
    if (status.data) setUpdatedAt(Date.now());
  }, [status.data]);
  // Live counters without a page reload; paused while the tab is hidden.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.hidden) return;
      status.reload(true);
      users.reload(true);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [status.reload, users.reload]);

  const refresh = () => {
    status.reload(true);
    users.reload(true);
  };
  const created = create.result;
  async function submit(body) {
    revoke.clear();
    const done = await create.run(() => api.post('/smpp/users', body));
    if (done) {
      setAdding(false);
      users.reload(true);
    }
  }
  async function revokeUser(systemId) {
    // The password shown once goes with any other change on the page.
    create.clear();
    if (await revoke.run(() => api.post(`/smpp/users/${seg(systemId)}/revoke`))) refresh();
  }

  const userRows = rowsOf(users.data, 'Users');
  const allBinds = rowsOf(status.data, 'Binds');
  const binds = account ? allBinds.filter((b) => String(field(b, 'AccountId')) === account) : allBinds;
  const outbox = status.data?.Outbox ?? {};
  const accountOptions = [{ value: '', label: t('account.all') }, ...app.accounts.map((a) => ({ value: String(accountIdOf(a)), label: accountLabel(app.accounts, accountIdOf(a)) }))];
  if (account && !accountOptions.some((o) => o.value === account)) accountOptions.push({ value: account, label: account });

  return html`<${Page} title=${t('nav.smpp')} testid="page-smpp">
    <div class="toolbar">
      <${SelectField} id="smpp-account" label=${t('smpp.filterAccount')} value=${account} testid="smpp-account" options=${accountOptions}
        onValue=${(v) => { create.clear(); revoke.clear(); setAccount(v); }} />
      <button type="button" data-testid="smpp-refresh" onClick=${refresh}>${t('common.refresh')}</button>
    </div>
    <p class="muted" data-testid="smpp-updated">${updatedAt && t('smpp.updated', { time: formatTime(updatedAt), s: REFRESH_MS / 1000 })}</p>

    <h2>${t('smpp.users')}</h2>
    <p class="muted small">${t('smpp.contentHint')}</p>
    ${!adding && html`<div class="actions">
      <button type="button" class="primary" data-testid="smpp-user-add" onClick=${() => { create.clear(); revoke.clear(); setAdding(true); }}>${t('smpp.add')}</button>
    </div>`}
    ${adding && html`<${SmppUserForm} account=${account} busy=${create.busy} error=${create.error} onSubmit=${submit}
      onCancel=${() => { create.clear(); setAdding(false); }} />`}
    ${created && html`<div class="panel" data-testid="smpp-user-created">
      <p>${t('smpp.created', { id: created.SystemId ?? '' })}</p>
      <${SecretBox} label=${t('smpp.password')} value=${created.Password ?? ''} warning=${t('smpp.passwordWarning')} testid="smpp-password" />
    </div>`}
    <${ErrorAlert} error=${revoke.error || users.error || status.error} />
    <${Notice}>${revoke.result && t('smpp.revoked', { id: revoke.result.Revoked ?? '' })}<//>
    ${users.loading && !users.data && html`<${Loading} />`}
    ${users.data && userRows.length === 0 && html`<p class="muted" data-testid="smpp-users-empty">${t('smpp.noUsers')}</p>`}
    ${userRows.length > 0 && html`<${TableScroll} label=${t('smpp.users')}>
      <table data-testid="smpp-users-table">
        <thead><tr>
          <th scope="col">${t('smpp.systemId')}</th>
          <th scope="col">${t('account.id')}</th>
          <th scope="col">${t('common.status')}</th>
          <th scope="col" class="num">${t('smpp.binds')}</th>
          <th scope="col" class="num">${t('smpp.window')}</th>
          <th scope="col" class="num">${t('smpp.throughput')}</th>
          <th scope="col">${t('smpp.allowedSources')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${userRows.map((u) => {
          const systemId = field(u, 'SystemId');
          const active = field(u, 'Status') !== 'revoked';
          const sources = [].concat(field(u, 'AllowedSources') ?? []);
          const throughput = Number(field(u, 'Throughput'));
          return html`<tr data-testid="smpp-user-row">
            <th scope="row"><span class="mono">${systemId}</span>
              <div class="muted small">${t('common.created')} ${formatTime(field(u, 'CreateTime'))}</div></th>
            <td>${accountLabel(app.accounts, field(u, 'AccountId'))}</td>
            <td><${StatusTag} group="keyStatus" value=${field(u, 'Status')} />
              ${!active && html`<div class="muted small">${formatTime(field(u, 'RevokeTime'))}</div>`}</td>
            <td class="num" data-testid="smpp-user-binds">${formatNumber(lang, field(u, 'Binds') ?? 0)}/${formatNumber(lang, field(u, 'MaxBinds'))}</td>
            <td class="num">${formatNumber(lang, field(u, 'Window'))}</td>
            <td class="num">${throughput > 0 ? `${formatNumber(lang, throughput)}/s` : t('smpp.noCap')}</td>
            <td class="small">${sources.length ? sources.join(', ') : html`<span class="muted">${t('smpp.anySource')}</span>`}</td>
            <td>${active && html`<${ConfirmButton} label=${t('smpp.revoke')} question=${t('smpp.revokeConfirm', { id: systemId })}
              testid="smpp-user-revoke" onConfirm=${() => revokeUser(systemId)} />`}</td>
          </tr>`;
        })}</tbody>
      </table>
    <//>`}

    <h2>${t('smpp.liveBinds')}</h2>
    ${status.loading && !status.data && html`<${Loading} />`}
    ${status.data && binds.length === 0 && html`<p class="muted" data-testid="smpp-binds-empty">${t('smpp.noBinds')}</p>`}
    ${binds.length > 0 && html`<${TableScroll} label=${t('smpp.liveBinds')}>
      <table data-testid="smpp-binds-table">
        <thead><tr>
          <th scope="col">${t('smpp.systemId')}</th>
          <th scope="col">${t('account.id')}</th>
          <th scope="col">${t('smpp.bindType')}</th>
          <th scope="col">${t('smpp.node')}</th>
          <th scope="col">${t('smpp.remote')}</th>
          <th scope="col">${t('smpp.since')}</th>
          <th scope="col" class="num">${t('smpp.window')}</th>
          <th scope="col" class="num">${t('smpp.rate')}</th>
          <th scope="col" class="num">${t('smpp.submits')}</th>
          <th scope="col" class="num">${t('smpp.throttled')}</th>
          <th scope="col" class="num">${t('smpp.badPdus')}</th>
          <th scope="col" class="num">${t('smpp.delivers')}</th>
          <th scope="col" class="num">${t('smpp.deliverErrors')}</th>
          <th scope="col" class="num">${t('smpp.deliversInFlight')}</th>
        </tr></thead>
        <tbody>${binds.map((b) => {
          const n = (name) => formatNumber(lang, field(b, name) ?? 0);
          return html`<tr data-testid="smpp-bind-row">
            <th scope="row" class="mono">${field(b, 'SystemId')}</th>
            <td>${accountLabel(app.accounts, field(b, 'AccountId'))}</td>
            <td data-testid="smpp-bind-type">${field(b, 'BindType')}</td>
            <td class="mono small">${field(b, 'Node')}</td>
            <td class="mono small">${field(b, 'Remote')}</td>
            <td class="time">${formatTime(field(b, 'Since'))}</td>
            <td class="num" data-testid="smpp-bind-window">${n('WindowUsed')}/${n('Window')}</td>
            <td class="num" data-testid="smpp-bind-rate">${n('SubmitsPerSecond')}/s${Number(field(b, 'RateLimit')) > 0 ? ` (≤ ${n('RateLimit')})` : ''}</td>
            <td class="num" data-testid="smpp-bind-submits">${n('Submits')}</td>
            <td class="num" data-testid="smpp-bind-throttled">${n('Throttled')}</td>
            <td class="num" data-testid="smpp-bind-bad-pdus">${n('BadPdus')}</td>
            <td class="num" data-testid="smpp-bind-delivers">${n('Delivers')}</td>
            <td class="num" data-testid="smpp-bind-deliver-errors">${n('DeliverErrors')}</td>
            <td class="num" data-testid="smpp-bind-delivers-in-flight">${n('DeliversInFlight')}</td>
          </tr>`;
        })}</tbody>
      </table>
    <//>`}

    <h2>${t('smpp.outbox')}</h2>
    <p class="muted">${t('smpp.outboxHint')}</p>
    ${status.data && html`<ul class="tiles" data-testid="smpp-outbox">
      ${[['Pending', t('smpp.outboxPending')], ['Delivered', t('smpp.outboxDelivered')], ['Expired', t('smpp.outboxExpired')]].map(([name, label]) => html`
        <li class="tile" data-testid=${`smpp-outbox-${name}`}>
          <span class="tile-label">${label}</span>
          <span class="tile-value">${formatNumber(lang, outbox[name] ?? 0)}</span>
        </li>`)}
    </ul>`}
  <//>`;
}

/** A new SMPP user: the account (the filter's, if one is chosen), system_id and the bind settings. */
function SmppUserForm({ account, busy, error, onSubmit, onCancel }) {
  const app = useApp();
  const { t } = app;
  const [form, setForm] = useState({ ...BLANK, AccountId: account || String(accountIdOf(app.accounts[0]) ?? '') });
  const set = (key) => (value) => setForm({ ...form, [key]: value });

  function submit() {
    const body = { AccountId: Number(form.AccountId), SystemId: form.SystemId.trim() };
    for (const key of Object.keys(NUMBERS)) if (form[key].trim() !== '') body[key] = Number(form[key]);
    // Comma-separated as typed: an alphanumeric source address may hold a space.
    if (form.AllowedSources.trim()) body.AllowedSources = form.AllowedSources.trim();
    onSubmit(body);
  }

  const number = (key, label, hint) => html`<${TextField} id=${`smpp-user-${key}`} label=${label} type="number" value=${form[key]} onValue=${set(key)}
    testid=${`smpp-user-${key}`} min=${NUMBERS[key].min} max=${NUMBERS[key].max} hint=${hint} />`;
  return html`<div class="panel">
    <h3>${t('smpp.add')}</h3>
    <${Form} onSubmit=${submit} testid="smpp-user-form" label=${t('smpp.add')}>
      ${app.accounts.length > 0
        ? html`<${SelectField} id="smpp-user-AccountId" label=${t('smpp.f.AccountId')} value=${form.AccountId} onValue=${set('AccountId')} testid="smpp-user-AccountId"
            options=${app.accounts.map((a) => ({ value: String(accountIdOf(a)), label: accountLabel(app.accounts, accountIdOf(a)) }))} />`
        : html`<${TextField} id="smpp-user-AccountId" label=${t('smpp.f.AccountId')} type="number" min="1" required value=${form.AccountId}
            onValue=${set('AccountId')} testid="smpp-user-AccountId" />`}
      <${TextField} id="smpp-user-SystemId" label=${t('smpp.f.SystemId')} value=${form.SystemId} onValue=${set('SystemId')} testid="smpp-user-SystemId"
        required maxlength="15" pattern="[!-~]{1,15}" autocomplete="off" hint=${t('smpp.systemIdHint')} />
      ${number('MaxBinds', t('smpp.f.MaxBinds'), t('smpp.maxBindsHint'))}
      ${number('Window', t('smpp.f.Window'), t('smpp.windowHint'))}
      ${number('Throughput', t('smpp.f.Throughput'), t('smpp.throughputHint'))}
      <${TextField} id="smpp-user-AllowedSources" label=${t('smpp.f.AllowedSources')} value=${form.AllowedSources} onValue=${set('AllowedSources')}
        testid="smpp-user-AllowedSources" hint=${t('smpp.allowedSourcesHint')} wide />
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy} data-testid="smpp-user-submit">${t('smpp.create')}</button>
        <button type="button" data-testid="smpp-user-cancel" onClick=${onCancel}>${t('common.cancel')}</button>
      </div>
    <//>
    <${ErrorAlert} error=${error} testid="smpp-user-error" />
  </div>`;
}
