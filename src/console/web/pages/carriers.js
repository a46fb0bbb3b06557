// Carriers (operators): the SMPP connections with their live state (refreshed every 2 s), added, edited, removed.
import { api, seg } from '../lib/api.js';
import { useApp } from '../lib/app-context.js';
import { CheckboxField, ConfirmButton, ErrorAlert, Form, Loading, Notice, Page, SelectField, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { field, formatNumber, formatTime, rowsOf, show } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/preact.js';

const REFRESH_MS = 2000;
const BIND_TYPES = ['transceiver', 'transmitter', 'transmitter+receiver'];
const SPLITS = ['udh8', 'udh16', 'sar', 'payload'];
const POLICIES = ['at-most-once', 'at-least-once'];
const BLANK = {
  Name: '', Host: '', Port: '2775', SystemId: '', Password: '', SystemType: '', Tls: false, BindType: 'transceiver', Window: '50', Binds: '1',
  Throughput: '0', Split: 'udh8', IdFormat: 'string', Policy: 'at-most-once', RoutePrefixes: '', RouteAccounts: '', Default: false, SourceAddr: '',
};
const NUMBERS = ['Port', 'Window', 'Binds', 'Throughput'];

/** The states a carrier's delivery thread reports, with the colour of their tag; anything else is shown as it comes. */
const STATES = { bound: 'good', 'partly bound': 'warn', connecting: 'warn', closed: 'bad' };

/** A state's tag: a known one translated, "not running (...)" and "stale: ..." by their first words, the server's text in the tooltip. */
function stateTag(t, state) {
  if (!state) return { label: '–', tone: '' };
  if (STATES[state]) return { label: t(`carrierState.${state.replace(' ', '-')}`), tone: STATES[state] };
  if (state.startsWith('not running')) return { label: t('carrierState.not-running'), tone: '', title: state };
  if (state.startsWith('stale')) return { label: t('carrierState.stale'), tone: 'bad', title: state };
  return { label: state, tone: '' };
}

/** "86, 44" -> ['86', '44']; accounts as numbers. */
const list = (text, asNumber) => text.split(/[\s,]+/).filter(Boolean).map((s) => (asNumber ? Number(s) : s));

export function CarriersPage() {
  const { t, lang } = useApp();
  const carriers = useLoad(() => api.get('/carriers'), []);
  const [updatedAt, setUpdatedAt] = useState(null);
  const [editing, setEditing] = useState(null);
  const [adding, setAdding] = useState(false);
  // What the last add or edit answered, for the notice.
  const [saved, setSaved] = useState(null);
  const remove = useAction();

  useEffect(() => {
    if (carriers.data) setUpdatedAt(Date.now());
  }, [carriers.data]);
  // Live state without a page reload; paused while the tab is hidden.
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) carriers.reload(true);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [carriers.reload]);

  const rows = rowsOf(carriers.data, 'Carriers');
  async function removeCarrier(name) {
    setSaved(null);
    if (await remove.run(() => api.del(`/carriers/${seg(name)}`))) carriers.reload(true);
  }
  const closeForm = (answer) => {
    setEditing(null);
    setAdding(false);
    setSaved(answer ?? null);
    carriers.reload(true);
  };
  const open = (next) => {
    remove.clear();
    setSaved(null);
    next();
  };

  return html`<${Page} title=${t('nav.carriers')} testid="page-carriers">
    ${!adding && !editing && html`<div class="actions">
      <button type="button" class="primary" data-testid="carrier-add" onClick=${() => open(() => setAdding(true))}>${t('carriers.add')}</button>
    </div>`}
    ${(adding || editing) && html`<${CarrierForm} key=${editing ? field(editing, 'Name') : 'new'} editing=${editing} onDone=${closeForm}
      onCancel=${() => { setEditing(null); setAdding(false); }} />`}
    <${ErrorAlert} error=${remove.error || carriers.error} />
    <${Notice}>
      ${remove.result && t('carriers.removed')}
      ${saved && (saved.Added ? t('carriers.added', { name: saved.Added }) : t('carriers.saved', { name: saved.Updated }))}
      ${saved && saved.Routed === false && ` ${t('carriers.unrouted')}`}
      ${saved && saved.Rebind && ` ${t('carriers.rebinding')}`}
    <//>
    ${carriers.loading && !carriers.data && html`<${Loading} />`}
    <p class="muted" data-testid="carriers-updated">${updatedAt && t('carriers.updated', { time: formatTime(updatedAt), s: REFRESH_MS / 1000 })}</p>
    ${carriers.data && rows.length === 0 && html`<p class="muted">${t('carriers.none')}</p>`}
    ${rows.length > 0 && html`<${TableScroll} label=${t('nav.carriers')}>
      <table data-testid="carriers-table">
        <thead><tr>
          <th scope="col">${t('carriers.name')}</th>
          <th scope="col">${t('carriers.state')}</th>
          <th scope="col">${t('carriers.binds')}</th>
          <th scope="col" class="num">${t('carriers.window')}</th>
          <th scope="col" class="num">${t('carriers.rate')}</th>
          <th scope="col" class="num">${t('carriers.queued')}</th>
          <th scope="col" class="num">${t('carriers.errors')}</th>
          <th scope="col">${t('carriers.routes')}</th>
          <th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>${rows.map((c) => {
          const s = field(c, 'Status') ?? {};
          const binds = Array.isArray(field(s, 'Binds')) ? field(s, 'Binds') : [];
          const up = binds.filter((b) => field(b, 'State') === 'bound').length;
          const state = stateTag(t, field(s, 'State'));
          return html`<tr data-testid="carrier-row">
            <th scope="row">${field(c, 'Name')}
              <div class="mono small muted">${field(c, 'Host')}:${field(c, 'Port')}${field(c, 'Tls') ? ' (TLS)' : ''}</div></th>
            <td><span class=${`tag ${state.tone}`} title=${state.title} data-testid="carrier-state">${state.label}</span>
              ${field(s, 'LastError') && html`<div class="small bad" data-testid="carrier-last-error">${t('carriers.lastError')}: ${field(s, 'LastError')}</div>`}</td>
            <td data-testid="carrier-binds">${formatNumber(lang, up)}/${formatNumber(lang, binds.length)}
              ${binds.length > 0 && html`<div class="muted small">${binds.map((b) => `${show(field(b, 'Mode'))}: ${show(field(b, 'State'))}`).join(', ')}</div>`}</td>
            <td class="num" data-testid="carrier-window">${formatNumber(lang, field(s, 'WindowUsed') ?? 0)}/${formatNumber(lang, field(s, 'WindowSize') ?? field(c, 'Window'))}</td>
            <td class="num" data-testid="carrier-rate">${formatNumber(lang, field(s, 'SentPerSecond') ?? 0)}/s${Number(field(s, 'RateLimit')) > 0 ? ` (≤ ${formatNumber(lang, field(s, 'RateLimit'))})` : ''}</td>
            <td class="num">${formatNumber(lang, field(s, 'Queued') ?? 0)}</td>
            <td class="num" data-testid="carrier-errors">${formatNumber(lang, field(s, 'Errors') ?? 0)}</td>
            <td class="small">${routes(t, c)}</td>
            <td><div class="row-actions">
              <button type="button" data-testid="carrier-edit" onClick=${() => open(() => { setAdding(false); setEditing(c); })}>${t('common.edit')}</button>
              <${ConfirmButton} label=${t('common.remove')} question=${t('carriers.removeConfirm', { name: field(c, 'Name') })}
                testid="carrier-remove" onConfirm=${() => removeCarrier(field(c, 'Name'))} />
            </div></td>
          </tr>`;
        })}</tbody>
      </table>
    <//>`}
  <//>`;
}

function routes(t, c) {
  const parts = [];
  if (field(c, 'Default')) parts.push(t('carriers.default'));
  const prefixes = field(c, 'RoutePrefixes');
  const accounts = field(c, 'RouteAccounts');
  if (prefixes?.length) parts.push(`+${[].concat(prefixes).join(', +')}`);
  if (accounts?.length) parts.push(`${t('account.id')} ${[].concat(accounts).join(', ')}`);
  return parts.join(' · ') || t('carriers.noRoute');
}

function CarrierForm({ editing, onDone, onCancel }) {
  const { t } = useApp();
  // The values the form starts with: an edit sends only the fields changed from these, so a setting the
  // list does not show (e.g. Binds) is never overwritten with the form's default.
  const [initial] = useState(() => {
    if (!editing) return BLANK;
    const values = { ...BLANK };
    for (const key of Object.keys(BLANK)) {
      const v = field(editing, key);
      if (v === undefined || v === null) continue;
      values[key] = Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? v : String(v);
    }
    values.Password = '';
    return values;
  });
  const [form, setForm] = useState(initial);
  const action = useAction();
  const set = (key) => (value) => setForm({ ...form, [key]: value });

  async function submit() {
    const body = {};
    for (const [key, value] of Object.entries(form)) {
      if (editing && value === initial[key]) continue;
      if (NUMBERS.includes(key)) body[key] = Number(value);
      else if (key === 'RoutePrefixes') body[key] = list(value, false);
      else if (key === 'RouteAccounts') body[key] = list(value, true);
      else body[key] = typeof value === 'string' ? value.trim() : value;
    }
    // Editing: an empty password keeps the current one.
    if (editing && !body.Password) delete body.Password;
    if (editing) delete body.Name;
    if (editing && Object.keys(body).length === 0) return onCancel();
    const done = await action.run(() => (editing ? api.put(`/carriers/${seg(field(editing, 'Name'))}`, body) : api.post('/carriers', body)));
    if (done) onDone(done);
  }

  const title = editing ? t('carriers.editing', { name: field(editing, 'Name') }) : t('carriers.add');
  const text = (key, extra = {}) => html`<${TextField} id=${`carrier-${key}`} label=${t(`carriers.f.${key}`)} value=${form[key]} onValue=${set(key)}
    testid=${`carrier-${key}`} ...${extra} />`;
  return html`<div class="panel">
    <h2>${title}</h2>
    <${Form} onSubmit=${submit} testid="carrier-form" label=${title}>
      ${!editing && text('Name', { required: true, pattern: '[A-Za-z0-9_.\\-]+' })}
      ${text('Host', { required: true })}
      ${text('Port', { type: 'number', min: 1, max: 65535, required: true })}
      ${text('SystemId', { required: true })}
      ${text('Password', { type: 'password', autocomplete: 'new-password', required: !editing, hint: editing ? t('carriers.passwordKeep') : undefined })}
      ${text('SystemType')}
      <${SelectField} id="carrier-BindType" label=${t('carriers.f.BindType')} value=${form.BindType} onValue=${set('BindType')} testid="carrier-BindType"
        options=${BIND_TYPES.map((v) => ({ value: v, label: v }))} />
      ${text('Window', { type: 'number', min: 1 })}
      ${text('Binds', { type: 'number', min: 1, hint: t('carriers.bindsHint') })}
      ${text('Throughput', { type: 'number', min: 0, hint: t('carriers.throughputHint') })}
      <${SelectField} id="carrier-Split" label=${t('carriers.f.Split')} value=${form.Split} onValue=${set('Split')} testid="carrier-Split"
        options=${SPLITS.map((v) => ({ value: v, label: v }))} />
      ${text('IdFormat', { hint: t('carriers.idFormatHint') })}
      <${SelectField} id="carrier-Policy" label=${t('carriers.f.Policy')} value=${form.Policy} onValue=${set('Policy')} testid="carrier-Policy"
        options=${POLICIES.map((v) => ({ value: v, label: t(`carriers.policy.${v}`) }))} />
      ${text('RoutePrefixes', { hint: t('carriers.prefixesHint') })}
      ${text('RouteAccounts', { hint: t('carriers.accountsHint') })}
      ${text('SourceAddr', { hint: t('carriers.sourceHint') })}
      <${CheckboxField} id="carrier-Tls" label=${t('carriers.f.Tls')} checked=${form.Tls} onValue=${set('Tls')} testid="carrier-Tls" />
      <${CheckboxField} id="carrier-Default" label=${t('carriers.f.Default')} checked=${form.Default} onValue=${set('Default')} testid="carrier-Default" />
      <div class="actions">
        <button type="submit" class="primary" disabled=${action.busy} data-testid="carrier-submit">${t('common.save')}</button>
        <button type="button" data-testid="carrier-cancel" onClick=${onCancel}>${t('common.cancel')}</button>
      </div>
    <//>
    <${ErrorAlert} error=${action.error} testid="carrier-error" />
  </div>`;
}
