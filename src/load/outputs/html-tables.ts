/** The tables of the HTML report: thresholds, checks, error breakdown and every metric's summary values. */
import type { ErrorBreakdownRow, SummaryData, SummaryGroup, SummaryMetric } from '../summary/types.ts';
import { humanizeRate, humanizeTrendStat, humanizeValue, nonTrendColumns, sortMetricNames, submetricLabel } from '../summary/format.ts';
import { esc } from './html-util.ts';

/** A table in the report's style; cells are HTML already, `numeric` columns are right-aligned. */
export function table(head: string[], rows: string[][], empty: string, numeric: number[] = []): string {
  if (rows.length === 0) return `<p class="none">${esc(empty)}</p>`;
  const th = head.map((h, i) => `<th${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const mark = (ok: boolean): string => (ok ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>');

/** The value a threshold tests, formatted like the text summary: `p(95)=148.21ms`, `rate=0.00%`. */
export function observedValue(metric: SummaryMetric, source: string, timeUnit?: string): string | undefined {
  const agg = source.split(/[=><!]/)[0].trim();
  const v = metric.values ?? {};
  switch (metric.type) {
    case 'trend':
      return v[agg] === undefined ? undefined : `${agg}=${humanizeTrendStat(v[agg], agg, metric, timeUnit)}`;
    case 'counter':
      if (agg === 'count') return `count=${humanizeValue(v.count ?? 0, metric, timeUnit)}`;
      return `${agg}=${humanizeValue(v.rate ?? 0, metric, timeUnit)}/s`;
    case 'rate':
      return `${agg}=${humanizeRate(v.rate ?? v.value ?? 0)}`;
    default:
      return `${agg}=${humanizeValue(v[agg] ?? v.value ?? 0, metric, timeUnit)}`;
  }
}

export interface ThresholdCount {
  total: number;
  failed: number;
}

export function countThresholds(summary: SummaryData): ThresholdCount {
  let total = 0;
  let failed = 0;
  for (const m of Object.values(summary.metrics)) {
    for (const t of Object.values(m.thresholds ?? {})) {
      total++;
      if (!t.ok) failed++;
    }
  }
  return { total, failed };
}

export function thresholdsTable(summary: SummaryData): string {
  const rows: string[][] = [];
  for (const name of sortMetricNames(Object.keys(summary.metrics))) {
    const metric = summary.metrics[name];
    for (const [source, { ok }] of Object.entries(metric.thresholds ?? {})) {
      rows.push([
        mark(ok),
        `<code>${esc(name)}</code>`,
        `<code>${esc(source.trim())}</code>`,
        esc(observedValue(metric, source, summary.options?.summaryTimeUnit) ?? '—'),
      ]);
    }
  }
  return table(['', 'Metric', 'Threshold', 'Observed'], rows, 'No thresholds were defined.');
}

function groupLabel(path: string): string {
  return path === '' ? '(root)' : path.split('::').filter((p) => p !== '').join(' › ');
}

export function checksTable(root: SummaryGroup): string {
  const rows: string[][] = [];
  const walk = (g: SummaryGroup): void => {
    for (const c of g.checks) {
      const total = c.passes + c.fails;
      const pct = total > 0 ? (100 * c.passes) / total : 0;
      const bar = `<span class="bar"><b style="width:${pct.toFixed(1)}%"></b></span>`;
      rows.push([
        mark(c.fails === 0),
        esc(groupLabel(g.path)),
        esc(c.name),
        String(c.passes),
        String(c.fails),
        `${esc(`${(Math.trunc(pct * 100) / 100).toFixed(2)}%`)}${bar}`,
      ]);
    }
    for (const sub of g.groups) walk(sub);
  };
  walk(root);
  return table(['', 'Group', 'Check', 'Passes', 'Fails', 'Pass rate'], rows, 'No checks ran.', [3, 4, 5]);
}

export function errorsTable(errors: readonly ErrorBreakdownRow[]): string {
  const rows = [...errors]
    .sort((a, b) => b.count - a.count)
    .map((e) => [esc(e.kind), esc(e.method), `<code>${esc(e.name)}</code>`, String(e.count), esc(e.message ?? '')]);
  return table(['Kind', 'Method', 'Request', 'Count', 'First message'], rows, 'No failed requests.', [3]);
}

export function metricsTable(summary: SummaryData): string {
  const stats = summary.options?.summaryTrendStats?.length ? summary.options.summaryTrendStats : ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const unit = summary.options?.summaryTimeUnit;
  const rows: string[][] = [];
  for (const name of sortMetricNames(Object.keys(summary.metrics))) {
    const m = summary.metrics[name];
    const values = m.values ?? {};
    const cells =
      m.type === 'trend'
        ? stats.map((s) => `${s}=${humanizeTrendStat(values[s], s, m, unit)}`)
        : nonTrendColumns({ ...m, values }, unit, 'out-of');
    const th = Object.values(m.thresholds ?? {});
    const status = th.length === 0 ? '' : mark(th.every((t) => t.ok));
    const label = name.includes('{') ? `<span class="sub" title="${esc(name)}">${esc(submetricLabel(name))}</span>` : esc(name);
    rows.push([status, `<code>${label}</code>`, esc(m.type), cells.map((c) => `<span class="val">${esc(c)}</span>`).join(' ')]);
  }
  return table(['', 'Metric', 'Type', 'Values'], rows, 'No metrics were recorded.');
}
