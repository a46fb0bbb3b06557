// Pumping protection of one account: the countries it may send to, and per template purpose the most
// messages to one phone (e.g. 5/1h) and the burst to one number range that is held for the operator.
// Everyone of the account reads them; account admins and operators change them.
import { api } from '../lib/api.js';
import { accountQuery, can, useApp } from '../lib/app-context.js';
import { ErrorAlert, Form, Loading, NeedsAccount, Notice, Page, TableScroll, TextField, useAction, useLoad } from '../lib/components.js';
import { html, useState } from '../lib/preact.js';

export function LimitsPage() {
  const { t } = useApp();
  return html`<${NeedsAccount} title=${t('nav.limits')}><${Limits} /><//>`;
}

/** "5/1h, 10/1d" -> ['5/1h', '10/1d']. */
const rates = (text) => text.split(/[,\s]+/).filter(Boolean);

function Limits() {
  const app = useApp();
  const { t } = app;
  const manager = can(app.user, 'manage-users');
  const settings = useLoad(() => api.get('/limits', accountQuery(app)), []);
  const save = useAction();
  const s = settings.data;
  const [countries, setCountries] = useState(null);
  const [edits, setEdits] = useState({});
  const countriesValue = countries ?? (s ? s.Countries.join(', ') : '');
  const edit = (purpose, name, fallback) => edits[purpose]?.[name] ?? fallback;
  const setEdit = (purpose, name, value) => setEdits({ ...edits, [purpose]: { ...edits[purpose], [name]: value } });

  async function put(changes) {
    const answer = await save.run(() => api.put('/limits', changes, { query: accountQuery(app) }));
    if (answer) {
      setCountries(null);
      setEdits({});
      settings.reload(true);
    }
  }
  const saveCountries = () => put({ Countries: countriesValue.trim() ? rates(countriesValue.toUpperCase()) : 'all' });
  function saveLimit(l) {
    const perPhone = rates(edit(l.Purpose, 'perPhone', l.PerPhone.join(', ')));
    const burst = edit(l.Purpose, 'burst', l.RangeBurst ?? '').trim();
    put({ PerPhone: { [l.Purpose]: perPhone.length ? perPhone : 'off' }, RangeBurst: { [l.Purpose]: burst || 'off' } });
  }
  const useDefaults = (l) => put({ PerPhone: { [l.Purpose]: 'default' }, RangeBurst: { [l.Purpose]: 'default' } });

  return html`<${Page} title=${t('nav.limits')} testid="page-limits">
    <${ErrorAlert} error=${save.error || settings.error} />
    <${Notice}>${save.result && t('common.saved')}<//>
    ${settings.loading && !s && html`<${Loading} />`}
    ${s && html`
      <h2>${t('limits.countries')}</h2>
      <p data-testid="limits-countries-now">${s.AllCountries ? t('limits.allCountries') : t('limits.onlyCountries', { list: s.Countries.join(', ') })}</p>
      ${manager && html`<${Form} onSubmit=${saveCountries} testid="limits-countries-form" label=${t('limits.countries')}>
        <${TextField} id="limits-countries" label=${t('limits.countryList')} value=${countriesValue} onValue=${setCountries} maxlength="1200"
          hint=${t('limits.countriesHint')} testid="limits-countries" />
        <div class="actions"><button type="submit" class="primary" disabled=${save.busy} data-testid="limits-countries-save">${t('common.save')}</button></div>
      <//>`}

      <h2 id="limits-title">${t('limits.perPurpose')}</h2>
      <p class="muted">${t('limits.intro')}</p>
      <${TableScroll} label=${t('limits.perPurpose')}>
        <table data-testid="limits-table" aria-labelledby="limits-title">
          <thead><tr>
            <th scope="col">${t('limits.purpose')}</th>
            <th scope="col">${t('limits.perPhone')}</th>
            <th scope="col">${t('limits.rangeBurst')}</th>
            <th scope="col">${t('limits.source')}</th>
            ${manager && html`<th scope="col"><span class="visually-hidden">${t('common.actions')}</span></th>`}
          </tr></thead>
          <tbody>${s.Limits.map((l) => {
            const purpose = t(`purpose.${l.Purpose}`);
            return html`<tr data-testid="limit-row">
              <th scope="row">${purpose}</th>
              <td>${manager
                ? html`<label class="visually-hidden" for=${`limit-perphone-${l.Purpose}`}>${t('limits.perPhoneOf', { purpose })}</label>
                  <input id=${`limit-perphone-${l.Purpose}`} data-testid="limit-perphone" value=${edit(l.Purpose, 'perPhone', l.PerPhone.join(', '))}
                    placeholder=${t('limits.off')} onInput=${(e) => setEdit(l.Purpose, 'perPhone', e.currentTarget.value)} />`
                : l.PerPhone.join(', ') || t('limits.off')}</td>
              <td>${manager
                ? html`<label class="visually-hidden" for=${`limit-burst-${l.Purpose}`}>${t('limits.rangeBurstOf', { purpose })}</label>
                  <input id=${`limit-burst-${l.Purpose}`} data-testid="limit-burst" value=${edit(l.Purpose, 'burst', l.RangeBurst ?? '')}
                    placeholder=${t('limits.off')} onInput=${(e) => setEdit(l.Purpose, 'burst', e.currentTarget.value)} />`
                : l.RangeBurst ?? t('limits.off')}</td>
              <td>${l.Custom ? t('limits.custom') : t('limits.defaults')}</td>
              ${manager && html`<td><div class="row-actions">
                <button type="button" disabled=${save.busy} data-testid="limit-save" onClick=${() => saveLimit(l)}>${t('common.save')}</button>
                <button type="button" disabled=${save.busy || !l.Custom} data-testid="limit-default" onClick=${() => useDefaults(l)}>${t('limits.useDefaults')}</button>
              </div></td>`}
            </tr>`;
          })}</tbody>
        </table>
      <//>
      <p class="hint">${t('limits.rateHint')}</p>
    `}
  <//>`;
}
