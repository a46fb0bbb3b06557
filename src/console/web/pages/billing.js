// Billing: an account's balance, how it pays, its low-balance alert and its ledger; the prices. A customer
// sees its own (account admins and developers set the alert). An operator picks an account in the header
// to top it up, correct it or change how it pays, and keeps the price lists (the platform's, or one
// account's own prices over it).
import { api, seg } from '../lib/api.js';
import { accountQuery, can, isOperator, useApp } from '../lib/app-context.js';
import { ConfirmButton, ErrorAlert, Field, Form, Loading, Notice, Page, SelectField, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { formatAmount, formatTime } from '../lib/format.js';
import { html, useState } from '../lib/preact.js';

const MODES = ['prepaid', 'postpaid', 'free'];
/** What the server takes as an amount: at most 6 decimals. */
const AMOUNT = '-?[0-9]{1,12}([.][0-9]{1,6})?';
const PRICE = '[0-9]{1,12}([.][0-9]{1,6})?';

export function BillingPage() {
  const app = useApp();
  const { t } = app;
  const operator = isOperator(app.user);
  return html`<${Page} title=${t('nav.billing')} testid="page-billing">
    ${operator && !app.account
      ? html`<p class="notice" data-testid="billing-choose-account">${t('billing.chooseAccount')}</p>`
      : html`<${AccountBilling} />`}
    <${Prices} />
  <//>`;
}

/** The chosen (operator) or own (customer) account: summary, the forms the role may use, the ledger. */
function AccountBilling() {
  const app = useApp();
  const { t, lang } = app;
  const operator = isOperator(app.user);
  const settings = useLoad(() => api.get('/billing', accountQuery(app)), []);
  // Bumped after a movement: the ledger loads its last page again.
  const [ledgerVersion, setLedgerVersion] = useState(0);
  const s = settings.data;
  const money = (v) => (v === null || v === undefined ? t('billing.noLimit') : formatAmount(lang, v, s?.Currency));
  const changed = () => {
    settings.reload(true);
    setLedgerVersion((n) => n + 1);
  };

  return html`
    <h2 id="billing-summary-title">${t('billing.summary')}</h2>
    <${ErrorAlert} error=${settings.error} />
    ${settings.loading && !s && html`<${Loading} />`}
    ${s && html`<ul class="tiles" data-testid="billing-summary" aria-labelledby="billing-summary-title">
      <li class="tile" data-testid="billing-balance"><span class="tile-label">${t('billing.balance')}</span><span class="tile-value">${formatAmount(lang, s.Balance, s.Currency)}</span></li>
      <li class="tile" data-testid="billing-mode"><span class="tile-label">${t('billing.mode')}</span><span class="tile-value">${t(`billingMode.${s.Mode}`)}</span></li>
      ${s.Mode === 'postpaid' && html`<li class="tile" data-testid="billing-credit"><span class="tile-label">${t('billing.creditLimit')}</span><span class="tile-value">${money(s.CreditLimit)}</span></li>`}
      <li class="tile" data-testid="billing-threshold"><span class="tile-label">${t('billing.threshold')}</span><span class="tile-value">${s.LowBalanceThreshold === null ? t('billing.off') : formatAmount(lang, s.LowBalanceThreshold, s.Currency)}</span></li>
    </ul>`}
    ${s && operator && html`<${MoneyForm} currency=${s.Currency} onDone=${changed} />`}
    ${s && operator && html`<${ModeForm} settings=${s} onDone=${() => settings.reload(true)} />`}
    ${s && can(app.user, 'write') && html`<${ThresholdForm} settings=${s} onDone=${() => settings.reload(true)} />`}
    <${Ledger} key=${ledgerVersion} />
  `;
}

/** Operators: money in (a top-up) or a correction (an adjustment, either sign, with a note saying why). */
function MoneyForm({ currency, onDone }) {
  const app = useApp();
  const { t, lang } = app;
  const [kind, setKind] = useState('topup');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [formCount, setFormCount] = useState(0);
  const move = useAction();
  async function submit() {
    const path = kind === 'topup' ? '/billing/topup' : '/billing/adjust';
    if (await move.run(() => api.post(path, { Amount: amount.trim(), Note: note.trim() || undefined }, { query: accountQuery(app) }))) {
      setAmount('');
      setNote('');
      setFormCount((n) => n + 1);
      onDone();
    }
  }
  return html`
    <h2>${t('billing.moveTitle')}</h2>
    <${Form} key=${formCount} onSubmit=${submit} testid="billing-money-form" label=${t('billing.moveTitle')}>
      <${SelectField} id="billing-money-kind" label=${t('billing.kind')} value=${kind} onValue=${setKind} testid="billing-money-kind"
        options=${['topup', 'adjustment'].map((k) => ({ value: k, label: t(`ledgerKind.${k}`) }))} />
      <${TextField} id="billing-amount" label=${t('billing.amountIn', { currency })} value=${amount} onValue=${setAmount} required inputmode="decimal"
        pattern=${kind === 'topup' ? PRICE : AMOUNT} hint=${kind === 'topup' ? t('billing.topupHint') : t('billing.adjustHint')} testid="billing-amount" />
      <${TextField} id="billing-note" label=${t('billing.note')} value=${note} onValue=${setNote} maxlength="200" required=${kind === 'adjustment'}
        hint=${t('billing.noteHint')} testid="billing-note" />
      <div class="actions"><button type="submit" class="primary" disabled=${move.busy} data-testid="billing-money-submit">${kind === 'topup' ? t('billing.topup') : t('billing.adjust')}</button></div>
    <//>
    <${ErrorAlert} error=${move.error} testid="billing-money-error" />
    <${Notice} testid="billing-money-notice">${move.result && t('billing.balanceNow', { balance: formatAmount(lang, move.result.Balance, move.result.Currency) })}<//>`;
}

/** Operators: prepaid, postpaid (with or without a credit limit) or free. */
function ModeForm({ settings, onDone }) {
  const app = useApp();
  const { t } = app;
  const [mode, setMode] = useState(settings.Mode);
  const [credit, setCredit] = useState(settings.CreditLimit ?? '');
  const save = useAction();
  async function submit() {
    // Only what changed: the audit log then says what the operator meant to change.
    const changes = {};
    if (mode !== settings.Mode) changes.Mode = mode;
    if (credit.trim() !== (settings.CreditLimit ?? '')) changes.CreditLimit = credit.trim();
    if (await save.run(() => api.put('/billing', changes, { query: accountQuery(app) }))) onDone();
  }
  return html`
    <h2>${t('billing.modeTitle')}</h2>
    <${Form} onSubmit=${submit} testid="billing-settings-form" label=${t('billing.modeTitle')}>
      <${SelectField} id="billing-mode-select" label=${t('billing.mode')} value=${mode} onValue=${setMode} testid="billing-mode-select"
        options=${MODES.map((m) => ({ value: m, label: t(`billingMode.${m}`) }))} hint=${t(`billingMode.${mode}Hint`)} />
      <${TextField} id="billing-credit-input" label=${t('billing.creditLimit')} value=${credit} onValue=${setCredit} inputmode="decimal" pattern=${PRICE}
        hint=${t('billing.creditHint')} testid="billing-credit-input" />
      <div class="actions"><button type="submit" class="primary" disabled=${save.busy} data-testid="billing-settings-save">${t('common.save')}</button></div>
    <//>
    <${ErrorAlert} error=${save.error} testid="billing-settings-error" />
    <${Notice} testid="billing-settings-notice">${save.result && t('common.saved')}<//>`;
}

/** The balance under which the account's callback URL gets an alert (once, until it is topped up again). */
function ThresholdForm({ settings, onDone }) {
  const app = useApp();
  const { t } = app;
  const [value, setValue] = useState(settings.LowBalanceThreshold ?? '');
  const save = useAction();
  async function submit() {
    if (await save.run(() => api.put('/billing', { LowBalanceThreshold: value.trim() }, { query: accountQuery(app) }))) onDone();
  }
  return html`
    <h2>${t('billing.thresholdTitle')}</h2>
    <${Form} onSubmit=${submit} testid="billing-threshold-form" label=${t('billing.thresholdTitle')}>
      <${TextField} id="billing-threshold-input" label=${t('billing.threshold')} value=${value} onValue=${setValue} inputmode="decimal" pattern=${PRICE}
        hint=${t('billing.thresholdHint')} testid="billing-threshold-input" />
      <div class="actions"><button type="submit" class="primary" disabled=${save.busy} data-testid="billing-threshold-save">${t('common.save')}</button></div>
    <//>
    <${ErrorAlert} error=${save.error} testid="billing-threshold-error" />
    <${Notice} testid="billing-threshold-notice">${save.result && t('common.saved')}<//>`;
}

/** Local midnight of a `<input type="date">` value in unix seconds, `days` later; undefined when empty. */
function dayStart(value, days = 0) {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  return Math.floor(new Date(y, m - 1, d + days).getTime() / 1000);
}

/** Every movement, oldest first, a page at a time; the dates narrow it (the last day included). */
function Ledger() {
  const app = useApp();
  const { t, lang } = app;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [range, setRange] = useState({ from: undefined, to: undefined });
  const [afters, setAfters] = useState([]);
  const [after, setAfter] = useState(undefined);
  const list = useLoad(() => api.get('/ledger', { ...accountQuery(app), after, from: range.from, to: range.to }), [after, range]);
  const entries = list.data?.Entries ?? [];
  const currency = list.data?.Currency;
  function search() {
    setAfters([]);
    setAfter(undefined);
    setRange({ from: dayStart(from), to: dayStart(to, 1) });
  }

  return html`
    <h2 id="ledger-title">${t('billing.ledger')}</h2>
    <${Form} class="form filters" onSubmit=${search} testid="ledger-filter" label=${t('billing.ledgerFilter')}>
      <${TextField} id="ledger-from" type="date" label=${t('billing.fromDay')} value=${from} onValue=${setFrom} testid="ledger-from" />
      <${TextField} id="ledger-to" type="date" label=${t('billing.toDay')} value=${to} onValue=${setTo} testid="ledger-to" />
      <div class="actions"><button type="submit" data-testid="ledger-submit">${t('common.search')}</button></div>
    <//>
    <${ErrorAlert} error=${list.error} testid="ledger-error" />
    ${list.loading && html`<${Loading} />`}
    ${list.data && entries.length === 0 && html`<p class="muted" data-testid="ledger-empty">${t('billing.ledgerEmpty')}</p>`}
    ${entries.length > 0 && html`<${TableScroll} label=${t('billing.ledger')}>
      <table data-testid="ledger-table" aria-labelledby="ledger-title">
        <thead><tr>
          <th scope="col">${t('billing.time')}</th>
          <th scope="col">${t('billing.kind')}</th>
          <th scope="col" class="num">${t('billing.amount')}</th>
          <th scope="col" class="num">${t('billing.balanceAfter')}</th>
          <th scope="col">${t('billing.ref')}</th>
          <th scope="col">${t('billing.note')}</th>
          <th scope="col">${t('billing.actor')}</th>
        </tr></thead>
        <tbody>${entries.map((e) => html`<tr data-testid="ledger-row">
          <th scope="row" class="time">${formatTime(e.Time)}</th>
          <td><span class=${`tag ledger-${e.Kind}`}>${t(`ledgerKind.${e.Kind}`)}</span></td>
          <td class="num">${formatAmount(lang, e.Amount, currency)}</td>
          <td class="num">${formatAmount(lang, e.BalanceAfter, currency)}</td>
          <td class="mono small">${e.Ref}</td>
          <td>${e.Note}</td>
          <td>${e.Actor}</td>
        </tr>`)}</tbody>
      </table>
    <//>`}
    <div class="pager">
      <button type="button" disabled=${afters.length === 0 || list.loading} data-testid="ledger-prev"
        onClick=${() => { setAfter(afters[afters.length - 1]); setAfters(afters.slice(0, -1)); }}>${t('common.previousPage')}</button>
      <button type="button" disabled=${!list.data?.Next || list.loading} data-testid="ledger-next"
        onClick=${() => { setAfters([...afters, after]); setAfter(list.data.Next); }}>${t('common.nextPage')}</button>
    </div>`;
}

/**
 * A customer: the prices it pays. An operator: the platform's list, or (an account chosen) that account's
 * own prices over it, with set, remove and CSV import.
 */
function Prices() {
  const app = useApp();
  const { t, lang } = app;
  const operator = isOperator(app.user);
  const [scope, setScope] = useState('platform');
  const own = operator && app.account && scope === 'account';
  // An operator names the account only for its own list; a customer's is implied by the session.
  const query = operator ? (own ? { account: app.account } : {}) : {};
  const list = useLoad(() => api.get('/prices', query), [scope]);
  const prices = list.data?.Prices ?? [];
  const currency = list.data?.Currency;
  const remove = useAction();
  async function removePrice(prefix) {
    if (await remove.run(() => api.del(`/prices/${prefix === '' ? 'default' : seg(prefix)}`, query))) list.reload(true);
  }
  const destination = (prefix) => (prefix === '' ? t('prices.default') : `+${prefix}`);

  return html`
    <h2 id="prices-title">${operator ? t('prices.title') : t('prices.yours')}</h2>
    ${operator && app.account && html`<div class="toolbar"><${SelectField} id="prices-scope" label=${t('prices.list')} value=${scope} onValue=${setScope} testid="prices-scope"
      options=${[{ value: 'platform', label: t('prices.platform') }, { value: 'account', label: t('prices.accountOwn', { id: app.account }) }]} /></div>`}
    ${list.data && !list.data.BillingEnabled && html`<p class="muted" data-testid="prices-off">${operator ? t('prices.offOperator') : t('prices.off')}</p>`}
    ${operator && list.data && html`<${PriceForm} key=${scope} query=${query} billingEnabled=${list.data.BillingEnabled} currency=${currency} onDone=${() => list.reload(true)} />`}
    <${ErrorAlert} error=${list.error || remove.error} testid="prices-error" />
    <${Notice} testid="prices-notice">${remove.result && t('prices.removed')}<//>
    ${list.loading && html`<${Loading} />`}
    ${list.data && prices.length === 0 && html`<p class="muted" data-testid="prices-empty">${own ? t('prices.noneOwn') : t('common.none')}</p>`}
    ${prices.length > 0 && html`<${TableScroll} label=${operator ? t('prices.title') : t('prices.yours')}>
      <table data-testid="prices-table" aria-labelledby="prices-title">
        <thead><tr>
          <th scope="col">${t('prices.prefix')}</th>
          <th scope="col" class="num">${t('prices.price')}</th>
          ${operator && html`<th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>`}
        </tr></thead>
        <tbody>${prices.map((p) => html`<tr data-testid="price-row">
          <th scope="row" class="mono">${destination(p.Prefix)}</th>
          <td class="num">${formatAmount(lang, p.Price, currency)}</td>
          ${operator && html`<td><${ConfirmButton} label=${t('common.remove')} question=${t('prices.removeConfirm', { prefix: destination(p.Prefix) })}
            testid="price-remove" onConfirm=${() => removePrice(p.Prefix)} /></td>`}
        </tr>`)}</tbody>
      </table>
    <//>`}`;
}

/** Operators: one price (per segment) for a prefix, or many from a CSV file of `prefix,price` lines. */
function PriceForm({ query, billingEnabled, currency, onDone }) {
  const app = useApp();
  const { t } = app;
  const [prefix, setPrefix] = useState('');
  const [price, setPrice] = useState('');
  const [newCurrency, setNewCurrency] = useState('');
  const [formCount, setFormCount] = useState(0);
  const [csv, setCsv] = useState(null);
  const set = useAction();
  const load = useAction();
  // The currency is chosen with the first price and never changes after.
  const currencyField = billingEnabled ? undefined : newCurrency.trim().toUpperCase() || undefined;

  async function submit() {
    load.clear();
    const body = { Prefix: prefix.trim(), Price: price.trim(), ...(currencyField && { Currency: currencyField }) };
    if (await set.run(() => api.post('/prices', body, { query }))) {
      setPrefix('');
      setPrice('');
      setFormCount((n) => n + 1);
      onDone();
    }
  }
  async function importFile() {
    set.clear();
    if (!csv) return;
    const text = await csv.text();
    if (await load.run(() => api.post('/prices/import', undefined, { text, query: { ...query, currency: currencyField } }))) onDone();
  }

  return html`
    <${Form} key=${formCount} onSubmit=${submit} testid="price-form" label=${t('prices.set')}>
      <${TextField} id="price-prefix" label=${t('prices.prefix')} value=${prefix} onValue=${setPrefix} inputmode="numeric" pattern="[+]?[0-9]{0,15}"
        hint=${t('prices.prefixHint')} testid="price-prefix" />
      <${TextField} id="price-value" label=${t('prices.priceIn', { currency: billingEnabled ? currency : currencyField || currency })} value=${price} onValue=${setPrice}
        required inputmode="decimal" pattern=${PRICE} hint=${t('prices.priceHint')} testid="price-value" />
      ${!billingEnabled && html`<${TextField} id="price-currency" label=${t('prices.currency')} value=${newCurrency} onValue=${setNewCurrency} maxlength="3"
        pattern="[A-Za-z]{3}" placeholder=${currency} hint=${t('prices.currencyHint', { currency })} testid="price-currency" />`}
      <div class="actions"><button type="submit" class="primary" disabled=${set.busy} data-testid="price-set">${t('prices.set')}</button></div>
    <//>
    <div class="toolbar">
      <${Field} id="price-csv" label=${t('prices.csv')} hint=${t('prices.csvHint')}>
        <input id="price-csv" type="file" accept=".csv,text/csv" data-testid="price-csv" aria-describedby="price-csv-hint"
          onChange=${(e) => setCsv(e.currentTarget.files?.[0] ?? null)} />
      <//>
      <button type="button" disabled=${!csv || load.busy} data-testid="price-import" onClick=${importFile}>${t('prices.import')}</button>
    </div>
    <${ErrorAlert} error=${set.error || load.error} testid="price-error" />
    <${Notice} testid="price-notice">
      ${set.result && t('prices.saved', { prefix: set.result.Prefix === '' ? t('prices.default') : `+${set.result.Prefix}`, price: set.result.Price, currency: set.result.Currency })}
      ${load.result && t('prices.imported', { n: load.result.Imported })}
      ${(set.result?.BillingTurnedOn || load.result?.BillingTurnedOn) && ` ${t('prices.turnedOn')}`}
    <//>`;
}
