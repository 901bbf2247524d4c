/**
 * `--out html=FILE`: one self-contained HTML page per run. Styles and charts are inline (SVG drawn here),
 * nothing is fetched and no script is needed to read it; chart tooltips are native SVG titles.
 */
import type { RunReport, SummaryMetric, TimelinePoint } from '../summary/types.ts';
import { humanizeBytes, humanizeDuration, humanizeRate, humanizeValue, toFixedNoTrailingZeros } from '../summary/format.ts';
import { lineChart, type ChartOptions, type ChartSeries, type Point } from './html-charts.ts';
import { REPORT_CSS } from './html-style.ts';
import { checksTable, countThresholds, errorsTable, metricsTable, thresholdsTable } from './html-tables.ts';
import { esc, formatElapsed, formatMs, formatNumber, formatTimestamp, timeTicks } from './html-util.ts';

const COLORS = {
  p50: '#2f9e44',
  p90: '#1c7ed6',
  p95: '#f08c00',
  p99: '#e03131',
  reqs: '#1c7ed6',
  iters: '#2f9e44',
  vus: '#868e96',
  failed: '#e03131',
  dropped: '#f08c00',
  errRate: '#ae3ec9',
};
const DIST_COLORS = ['#1c7ed6', '#f08c00', '#2f9e44', '#ae3ec9', '#e03131'];

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function verdict(report: RunReport): string {
  const { total, failed } = countThresholds(report.summary);
  if (report.meta.aborted) {
    const extra = failed > 0 ? ` · ${failed} of ${total} thresholds failed` : '';
    return `<div class="verdict abort">Aborted (${esc(report.meta.aborted)})${esc(extra)}</div>`;
  }
  if (failed > 0) return `<div class="verdict fail">✗ ${failed} of ${total} thresholds failed</div>`;
  if (total === 0) return '<div class="verdict pass">✓ Completed · no thresholds defined</div>';
  return `<div class="verdict pass">✓ All ${total} thresholds passed</div>`;
}

function header(report: RunReport): string {
  const m = report.meta;
  const durationMs = num(m.endTime) !== undefined && num(m.startTime) !== undefined ? m.endTime - m.startTime : NaN;
  const scenarios = (m.scenarios ?? []).map((s) => `${esc(s.name)} <span class="none">(${esc(s.executor)})</span>`).join(', ');
  const item = (k: string, v: string): string => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`;
  return `<header><h1>Load test report</h1><div class="script">${esc(m.script)}</div>${verdict(report)}<dl class="meta">${[
    item('Start', esc(formatTimestamp(m.startTime))),
    item('End', esc(formatTimestamp(m.endTime))),
    item('Duration', esc(Number.isFinite(durationMs) && durationMs >= 0 ? humanizeDuration(durationMs) : '—')),
    item('Scenarios', scenarios || '—'),
    item('Workers', esc(m.workers ?? '—')),
    item('Telltale', esc(m.version ?? '')),
  ].join('')}</dl></header>`;
}

function card(label: string, value: string, sub = ''): string {
  return `<div class="card"><div class="k">${esc(label)}</div><div class="v">${esc(value)}</div><div class="s">${esc(sub)}</div></div>`;
}

function cards(report: RunReport): string {
  const m = report.summary.metrics;
  const v = (name: string, stat: string): number | undefined => num(m[name]?.values?.[stat]);
  const fmt = (metric: SummaryMetric | undefined, value: number | undefined): string =>
    metric && value !== undefined ? humanizeValue(value, metric, report.summary.options?.summaryTimeUnit) : '—';
  const reqs = v('http_reqs', 'count');
  const p95 = v('http_req_duration', 'p(95)');
  const checks = m.checks?.values;
  return `<section class="cards">${[
    card('HTTP requests', reqs !== undefined ? toFixedNoTrailingZeros(reqs, 0) : '—', reqs !== undefined ? `${formatNumber(v('http_reqs', 'rate') ?? 0)}/s` : 'none made'),
    card('Failed requests', m.http_req_failed ? humanizeRate(v('http_req_failed', 'rate') ?? 0) : '—', m.http_req_failed ? `${v('http_req_failed', 'passes') ?? 0} failed` : ''),
    card('Latency p95', fmt(m.http_req_duration, p95), m.http_req_duration ? `median ${fmt(m.http_req_duration, v('http_req_duration', 'med'))}` : ''),
    card('Iterations', v('iterations', 'count') !== undefined ? String(v('iterations', 'count')) : '—', v('iterations', 'rate') !== undefined ? `${formatNumber(v('iterations', 'rate') as number)}/s` : ''),
    card('Checks passed', checks ? humanizeRate(num(checks.rate ?? checks.value) ?? 0) : '—', checks ? `${checks.passes ?? 0} of ${(checks.passes ?? 0) + (checks.fails ?? 0)}` : 'none ran'),
    card('Peak VUs', String(v('vus', 'max') ?? v('vus_max', 'max') ?? '—')),
    card('Data received', v('data_received', 'count') !== undefined ? humanizeBytes(v('data_received', 'count') as number) : '—', v('data_sent', 'count') !== undefined ? `sent ${humanizeBytes(v('data_sent', 'count') as number)}` : ''),
  ].join('')}</section>`;
}

/** Elapsed seconds since the run started, per timeline point, in time order. */
function timeAxis(report: RunReport): { points: TimelinePoint[]; x: (p: TimelinePoint) => number; domain?: [number, number] } {
  const points = report.timeline.filter((p) => num(p.time) !== undefined).sort((a, b) => a.time - b.time);
  const t0 = num(report.meta.startTime) ?? points[0]?.time ?? 0;
  const x = (p: TimelinePoint): number => (p.time - t0) / 1000;
  if (points.length === 0) return { points, x };
  const last = x(points[points.length - 1]);
  return { points, x, domain: [Math.min(0, x(points[0])), Math.max(last, 1)] };
}

function timeCharts(report: RunReport): { latency: string; throughput: string; errors: string } {
  const { points, x, domain } = timeAxis(report);
  const series = (name: string, color: string, y: (p: TimelinePoint) => number | undefined, extra: Partial<ChartSeries> = {}): ChartSeries => ({
    name,
    color,
    points: points.map((p): Point => [x(p), num(y(p))]),
    ...extra,
  });
  const common = {
    xLabel: 'elapsed time',
    xTicks: (_min: number, max: number) => timeTicks(max),
    xFormat: formatElapsed,
    xDomain: domain,
  };
  const noHttp = points.every((p) => !(p.httpReqs > 0));
  const latency = lineChart({
    ...common,
    title: 'HTTP request duration percentiles over time',
    series: [
      series('p50', COLORS.p50, (p) => p.p50),
      series('p90', COLORS.p90, (p) => p.p90),
      series('p95', COLORS.p95, (p) => p.p95),
      series('p99', COLORS.p99, (p) => p.p99),
    ],
    yLabel: 'ms',
    yFormat: formatMs,
    emptyText: points.length === 0 ? 'No timeline data was recorded.' : 'No HTTP requests completed during the run.',
  });
  const throughput = lineChart({
    ...common,
    title: 'Throughput and virtual users',
    series: [
      series('requests/s', COLORS.reqs, (p) => p.httpReqs),
      series('iterations/s', COLORS.iters, (p) => p.iterations),
      series('VUs', COLORS.vus, (p) => p.vus, { axis: 'right', dashed: true }),
    ],
    yLabel: 'per second',
    yFormat: formatNumber,
    yRightLabel: 'VUs',
    yRightFormat: formatNumber,
    emptyText: 'No timeline data was recorded.',
  });
  const errors = lineChart({
    ...common,
    title: 'Errors over time',
    series: [
      series('failed requests/s', COLORS.failed, (p) => p.httpReqFailed),
      series('dropped iterations/s', COLORS.dropped, (p) => p.droppedIterations),
      ...(noHttp ? [] : [series('error rate %', COLORS.errRate, (p) => (p.httpReqs > 0 ? (100 * p.httpReqFailed) / p.httpReqs : undefined), { axis: 'right', dashed: true })]),
    ],
    yLabel: 'per second',
    yFormat: formatNumber,
    yRightLabel: 'error rate',
    yRightFormat: (v) => `${formatNumber(v)}%`,
    emptyText: 'No timeline data was recorded.',
  });
  return { latency, throughput, errors };
}

/** HdrHistogram-style x position of a percentile: 0 at 0%, 1 at 90%, 2 at 99%, 3 at 99.9% ... */
export const pctX = (p: number): number => -Math.log10(1 - p / 100);

function percentileLabel(x: number): string {
  const p = 100 * (1 - 10 ** -x);
  return `${+p.toFixed(Math.max(0, Math.ceil(x - 1e-9) - 1))}%`;
}

/** The x axis of a latency-by-percentile chart, from 0% to position `maxX` (1 = 90%, 2 = 99% ...). */
export function percentileAxis(maxX: number): Pick<ChartOptions, 'xLabel' | 'xTicks' | 'xFormat' | 'xDomain'> {
  return {
    xLabel: 'percentile',
    xTicks: (_min, max) => Array.from({ length: Math.floor(max) + 1 }, (_, i) => i),
    xFormat: percentileLabel,
    xDomain: [0, maxX],
  };
}

function distributionChart(report: RunReport): string {
  const entries = Object.entries(report.distributions ?? {}).filter(([, pts]) => Array.isArray(pts) && pts.length > 0);
  let maxX = 2;
  const series: ChartSeries[] = entries.map(([name, pts], i) => {
    const points: Point[] = [];
    let max: number | undefined;
    for (const [p, ms] of pts) {
      if (num(p) === undefined || p < 0) continue;
      // The 100th percentile has no finite position on this axis, as in HdrHistogram plots; the legend
      // carries it instead.
      if (p >= 100) {
        max = num(ms) ?? max;
        continue;
      }
      const x = pctX(p);
      maxX = Math.max(maxX, Math.ceil(x - 1e-9));
      points.push([x, num(ms)]);
    }
    points.sort((a, b) => a[0] - b[0]);
    const label = max === undefined ? name : `${name} (max ${formatMs(max)})`;
    return { name: label, color: DIST_COLORS[i % DIST_COLORS.length], dashed: name.includes('corrected'), points };
  });
  return lineChart({
    title: 'Latency distribution by percentile',
    series,
    ...percentileAxis(maxX),
    yLabel: 'ms',
    yFormat: formatMs,
    emptyText: 'No latency distribution was recorded (no HTTP requests).',
  });
}

export function renderHtmlReport(report: RunReport): string {
  const title = `Load test report · ${report.meta.script}`;
  const charts = timeCharts(report);
  const body = [
    header(report),
    cards(report),
    '<h2>Latency</h2>',
    charts.latency,
    distributionChart(report),
    '<h2>Throughput</h2>',
    charts.throughput,
    '<h2>Errors</h2>',
    charts.errors,
    errorsTable(report.errors ?? []),
    '<h2>Thresholds</h2>',
    thresholdsTable(report.summary),
    '<h2>Checks</h2>',
    checksTable(report.summary.root_group),
    '<h2>All metrics</h2>',
    metricsTable(report.summary),
    `<footer>Generated by Telltale ${esc(report.meta.version ?? '')} · every chart is inline SVG, hover a chart to read its values.</footer>`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body><main>
${body.join('\n')}
</main></body>
</html>
`;
}
