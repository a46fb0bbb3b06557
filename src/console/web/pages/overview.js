// Today's totals, the last 30 days as charts (and as a table), and the totals by region; once billing is on,
// what the messages cost beside how many they were.
import { api } from '../lib/api.js';
import { accountQuery, useApp } from '../lib/app-context.js';
import { DayChart } from '../lib/chart.js';
import { ErrorAlert, Loading, Page, TableScroll, useLoad } from '../lib/components.js';
import { formatAmount, formatNumber, formatRate } from '../lib/format.js';
import { html, useMemo } from '../lib/preact.js';

const DAYS = 30;
const COUNTS = ['Sent', 'Delivered', 'Failed', 'Unknown', 'Pending'];

export function OverviewPage() {
  const app = useApp();
  const { t, lang } = app;
  const { data, error, loading } = useLoad(() => api.get('/overview', { days: DAYS, ...accountQuery(app) }), []);
  const days = data?.Days ?? [];
  const dates = useMemo(() => days.map((d) => d.Date), [data]);
  const counts = useMemo(
    () => ['Sent', 'Delivered', 'Failed', 'Unknown'].map((name) => ({ key: name.toLowerCase(), label: t(`totals.${name}`), values: days.map((d) => Number(d[name]) || 0) })),
    [data, t],
  );
  const rates = useMemo(
    // A day without messages has no rate (the server answers 0): a gap in the line, not a drop to 0 %.
    () => [{ key: 'rate', label: t('totals.SuccessRate'), values: days.map((d) => (Number(d.Sent) > 0 ? Number(d.SuccessRate) : null)) }],
    [data, t],
  );
  const scope = app.user.Role === 'operator' ? (app.account ? t('overview.oneAccount', { id: app.account }) : t('overview.allAccounts')) : '';

  return html`<${Page} title=${t('nav.overview')} testid="page-overview">
    ${scope && html`<p class="muted">${scope}</p>`}
    <${ErrorAlert} error=${error} />
    ${loading && !data && html`<${Loading} />`}
    ${data && html`
      <h2>${t('overview.today')}</h2>
      <ul class="tiles" data-testid="overview-today">
        ${[...COUNTS, 'SuccessRate'].map((name) => html`<li class="tile" data-testid=${`today-${name}`}>
          <span class="tile-label">${t(`totals.${name}`)}</span>
          <span class="tile-value">${name === 'SuccessRate' ? (data.Today?.Sent > 0 ? formatRate(lang, data.Today.SuccessRate) : '–') : formatNumber(lang, data.Today?.[name] ?? 0)}</span>
        </li>${name === 'Sent' && data.Currency && html`<li class="tile" data-testid="today-Spend">
          <span class="tile-label">${t('totals.Spend')}</span>
          <span class="tile-value">${formatAmount(lang, data.Today?.Spend ?? '0', data.Currency)}</span>
        </li>`}`)}
      </ul>

      <h2>${t('overview.lastDays', { n: DAYS })}</h2>
      <div class="charts">
        <${DayChart} title=${t('overview.perDay')} days=${dates} series=${counts} lang=${lang} dayLabel=${t('overview.date')} testid="chart-counts" />
        <${DayChart} title=${t('totals.SuccessRate')} days=${dates} series=${rates} lang=${lang} dayLabel=${t('overview.date')} percent=${true} testid="chart-rate" />
      </div>
      <details class="data-table">
        <summary>${t('overview.asTable')}</summary>
        <${TotalsTable} label=${t('overview.lastDays', { n: DAYS })} first=${t('overview.date')} rows=${days} keyOf=${(d) => d.Date} currency=${data.Currency} testid="overview-days" />
      </details>

      <h2>${t('overview.byRegion')}</h2>
      ${(data.Regions ?? []).length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<${TotalsTable} label=${t('overview.byRegion')} first=${t('overview.region')} rows=${data.Regions} keyOf=${(r) => r.Region} currency=${data.Currency} testid="overview-regions" />`}
    `}
  <//>`;
}

/** `currency`: billing is on, and each row has its `Spend`. */
function TotalsTable({ label, first, rows, keyOf, currency, testid }) {
  const { t, lang } = useApp();
  return html`<${TableScroll} label=${label}>
    <table data-testid=${testid}>
      <thead><tr>
        <th scope="col">${first}</th>
        ${COUNTS.map((name) => html`<th scope="col" class="num">${t(`totals.${name}`)}</th>${name === 'Sent' && currency && html`<th scope="col" class="num">${t('overview.spendIn', { currency })}</th>`}`)}
        <th scope="col" class="num">${t('totals.SuccessRate')}</th>
      </tr></thead>
      <tbody>
        ${rows.map((r) => html`<tr data-testid=${`${testid}-row`}>
          <th scope="row">${keyOf(r)}</th>
          ${COUNTS.map((name) => html`<td class="num">${formatNumber(lang, r[name] ?? 0)}</td>${name === 'Sent' && currency && html`<td class="num" data-testid=${`${testid}-spend`}>${formatAmount(lang, r.Spend ?? '0')}</td>`}`)}
          <td class="num">${Number(r.Sent) > 0 ? formatRate(lang, r.SuccessRate) : '–'}</td>
        </tr>`)}
      </tbody>
    </table>
  <//>`;
}
