// A uPlot line chart over days. The chart is a picture for sighted users; every page that draws one also
// offers its numbers as a table.
import uPlot from '/console/vendor/uplot.mjs';
import { localeOf } from './i18n.js';
import { html, useEffect, useRef } from './preact.js';

/** Colours with at least 4.5:1 against white, told apart by dash pattern too (not by colour alone). */
export const SERIES_STYLE = {
  sent: { stroke: '#1d4ed8', dash: [] },
  delivered: { stroke: '#15803d', dash: [8, 4] },
  failed: { stroke: '#b91c1c', dash: [2, 3] },
  unknown: { stroke: '#92400e', dash: [10, 3, 2, 3] },
  rate: { stroke: '#6d28d9', dash: [] },
};

/**
 * `days`: ['2026-01-31', ...]; `series`: [{ key, label, values }]. `percent` formats the y axis as %
 * (values are fractions).
 */
export function DayChart({ title, days, series, lang, dayLabel, percent = false, height = 240, testid }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const dayFormat = new Intl.DateTimeFormat(localeOf(lang), { month: 'numeric', day: 'numeric', timeZone: 'UTC' });
    const yFormat = percent
      ? new Intl.NumberFormat(localeOf(lang), { style: 'percent', maximumFractionDigits: 0 })
      : new Intl.NumberFormat(localeOf(lang), { notation: 'compact' });
    const xs = days.map((d) => Date.parse(`${String(d).slice(0, 10)}T00:00:00Z`) / 1000);
    const opts = {
      width: Math.max(el.clientWidth, 280),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // The legend names the lines; the numbers are in the table beside the chart, not under the cursor.
      legend: { live: false },
      scales: { x: { time: true }, y: percent ? { range: [0, 1] } : { range: (u, min, max) => [0, Math.max(max, 1)] } },
      axes: [
        { values: (u, splits) => splits.map((s) => dayFormat.format(new Date(s * 1000))) },
        { values: (u, splits) => splits.map((s) => yFormat.format(s)), size: 60 },
      ],
      series: [
        { label: dayLabel, value: (u, v) => (v === null || v === undefined ? '' : dayFormat.format(new Date(v * 1000))) },
        ...series.map((s) => ({
          label: s.label,
          stroke: SERIES_STYLE[s.key].stroke,
          dash: SERIES_STYLE[s.key].dash,
          width: 2,
          points: { show: true, size: 5 },
          value: (u, v) => (v === null || v === undefined ? '' : yFormat.format(v)),
        })),
      ],
    };
    const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days, series, lang, dayLabel, percent, height]);
  return html`<figure class="chart" data-testid=${testid}>
    <figcaption>${title}</figcaption>
    <div ref=${box} class="chart-box" aria-hidden="true"></div>
  </figure>`;
}
