/**
 * `telltale compare A B --out report.html`: one self-contained page (inline CSS and SVG, nothing fetched, no
 * script) drawn with the run report's chart, table and style helpers, so both reports look and read alike.
 */
import { lineChart, type ChartSeries, type Point } from '../load/outputs/html-charts.ts';
import { REPORT_CSS } from '../load/outputs/html-style.ts';
import { table } from '../load/outputs/html-tables.ts';
import { percentileAxis, pctX } from '../load/outputs/html.ts';
import { esc, formatElapsed, formatMs, formatNumber, formatTimestamp, timeTicks } from '../load/outputs/html-util.ts';
import type { GateResult, VerdictKind } from './compare.ts';
import type { EndpointFigures, LatencySummary, RunDiff, RunSide } from './run-diff.ts';

const A_COLOR = '#1c7ed6';
const B_COLOR = '#f08c00';
const EXTRA_CSS = `
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:10px 14px;margin:0 0 14px;color:#6c4a00}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.side{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.side h3{margin:0 0 6px;font-size:15px}
.side.a h3{color:${A_COLOR}}
.side.b h3{color:${B_COLOR}}
td.up{color:var(--bad)}
td.down{color:var(--ok)}
`;

const label = (s: RunSide, which: 'A' | 'B') => `${which} · ${s.id.slice(0, 8)}`;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const rate = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);
const ms = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(2)} ms`);

/** A change cell: red when B is worse, green when better (`upIsBad`: a larger value is worse). */
function deltaCells(a: number | undefined, b: number | undefined, upIsBad: boolean, unit: (x: number) => string): string[] {
  if (a === undefined || b === undefined) return ['—', '—'];
  const d = b - a;
  const cls = d === 0 ? '' : (d > 0) === upIsBad ? 'up' : 'down';
  const rel = a === 0 ? '—' : pct(d / a);
  return [`<span class="${cls}">${esc(`${d >= 0 ? '+' : '−'}${unit(Math.abs(d))}`)}</span>`, `<span class="${cls}">${esc(rel)}</span>`];
}

function sideCard(s: RunSide, which: 'A' | 'B'): string {
  const git = [s.git.branch && `branch ${s.git.branch}`, s.git.commit && `commit ${s.git.commit.slice(0, 12)}`, s.git.pr && `PR ${s.git.pr}`].filter(Boolean).join(' · ');
  return `<div class="side ${which.toLowerCase()}"><h3>${esc(which === 'A' ? 'A — baseline' : 'B — compared run')}</h3><dl class="meta">${[
    ['Run', `<code>${esc(s.id)}</code>`],
    ['Test', esc(s.testName)],
    ['Start', esc(formatTimestamp(s.startTime))],
    ['Duration', esc(formatElapsed((s.endTime - s.startTime) / 1000))],
    ['Git', esc(git || '—')],
    ['Outcome', s.passed ? '<span class="ok">passed</span>' : '<span class="bad">failed</span>'],
  ]
    .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`)
    .join('')}</dl></div>`;
}

function percentileTable(d: RunDiff): string {
  const keys: (keyof LatencySummary)[] = ['p50', 'p90', 'p95', 'p99', 'max'];
  const rows = keys.map((k) => {
    const a = d.a.latency?.[k];
    const b = d.b.latency?.[k];
    return [esc(k), esc(ms(a)), esc(ms(b)), ...deltaCells(a, b, true, (x) => `${x.toFixed(2)} ms`)];
  });
  rows.push(
    ['requests/s', esc(d.a.throughput.toFixed(1)), esc(d.b.throughput.toFixed(1)), ...deltaCells(d.a.throughput, d.b.throughput, false, (x) => `${x.toFixed(1)}/s`)],
    ['error rate', esc(rate(d.a.errorRate)), esc(rate(d.b.errorRate)), ...(d.a.errorRate === null || d.b.errorRate === null ? ['—', '—'] : deltaCells(d.a.errorRate, d.b.errorRate, true, (x) => `${(x * 100).toFixed(2)} pp`))],
    ['requests', esc(String(d.a.requests)), esc(String(d.b.requests)), '', ''],
  );
  return table(['', 'A', 'B', 'change', 'change %'], rows, 'No figures.', [1, 2, 3, 4]).replace('<table>', '<table id="percentiles">');
}

function endpointTable(d: RunDiff): string {
  const cell = (f: EndpointFigures | undefined, pick: (f: EndpointFigures) => string) => esc(f === undefined ? '—' : pick(f));
  const rows = d.endpoints.map((e) => [
    e.other ? '<span class="none">(other endpoints)</span>' : `<code>${esc(e.name)}</code>`,
    cell(e.a, (f) => String(f.requests)),
    cell(e.b, (f) => String(f.requests)),
    cell(e.a, (f) => rate(f.errorRate)),
    cell(e.b, (f) => rate(f.errorRate)),
    cell(e.a, (f) => ms(f.latency?.p95)),
    cell(e.b, (f) => ms(f.latency?.p95)),
    deltaCells(e.a?.latency?.p95, e.b?.latency?.p95, true, (x) => `${x.toFixed(2)} ms`)[1],
    cell(e.a, (f) => ms(f.latency?.p99)),
    cell(e.b, (f) => ms(f.latency?.p99)),
  ]);
  return table(['Endpoint', 'requests A', 'requests B', 'errors A', 'errors B', 'p95 A', 'p95 B', 'p95 change', 'p99 A', 'p99 B'], rows, 'Neither run made HTTP requests.', [1, 2, 3, 4, 5, 6, 7, 8, 9]).replace(
    '<table>',
    '<table id="endpoints">',
  );
}

const MARK: Record<VerdictKind, string> = { regression: '<span class="bad">regression</span>', improvement: '<span class="ok">improvement</span>', 'no change': 'no change', inconclusive: '<span class="none">inconclusive</span>' };

function verdictTable(gate: RunDiff['gate']): string {
  if ('error' in gate) return `<p class="none">${esc(gate.error)}</p>`;
  const g: GateResult = gate;
  const head = `<div class="verdict ${g.passed ? 'pass' : 'fail'}">${g.passed ? '✓ The gate passes B against A' : '✗ The gate fails B against A'}: ${g.counts.regression} regression(s), ${g.counts.improvement} improvement(s), ${g.counts['no change']} no change, ${g.counts.inconclusive} inconclusive</div>`;
  const rows = g.verdicts.map((v) => [MARK[v.verdict], `<code>${esc(v.rule)}</code>`, esc(v.endpoint ?? 'all requests'), esc(v.reason)]);
  return head + table(['Verdict', 'Rule', 'Scope', 'Why'], rows, 'No rules.').replace('<table>', '<table id="verdicts">');
}

function distributionCharts(d: RunDiff): string {
  const curve = (s: RunSide, which: 'A' | 'B', color: string): ChartSeries => ({
    name: `${label(s, which)} (max ${s.latency ? formatMs(s.latency.max) : '—'})`,
    color,
    dashed: which === 'B',
    points: s.curve.filter(([p]) => p < 100).map(([p, v]): Point => [pctX(p), v]),
  });
  const maxX = Math.max(2, ...[d.a, d.b].flatMap((s) => s.curve.map(([p]) => Math.ceil(pctX(p) - 1e-9))));
  const percentiles = lineChart({
    title: 'Latency by percentile (http_req_duration, whole run)',
    series: [curve(d.a, 'A', A_COLOR), curve(d.b, 'B', B_COLOR)],
    ...percentileAxis(maxX),
    yLabel: 'ms',
    yFormat: formatMs,
    emptyText: 'No latency distribution (no HTTP requests).',
  });
  const mids = d.bins.slice(0, -1).map((lo, i) => (lo + d.bins[i + 1]) / 2);
  const hist = (s: RunSide, which: 'A' | 'B', color: string): ChartSeries => ({ name: label(s, which), color, dashed: which === 'B', points: mids.map((x, i): Point => [x, 100 * s.density[i]]) });
  const density = lineChart({
    title: 'Latency histogram (share of requests per bin, log scale)',
    series: [hist(d.a, 'A', A_COLOR), hist(d.b, 'B', B_COLOR)],
    xLabel: 'request duration (log scale)',
    xTicks: (min, max) => logTicks(min, max),
    xFormat: (x) => formatMs(10 ** x),
    yLabel: '% of requests',
    yFormat: (y) => `${formatNumber(y)}%`,
    emptyText: 'No latency distribution (no HTTP requests).',
  });
  return percentiles + density;
}

/** 1-2-5 ticks on a log10 axis. */
function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(min); e <= Math.ceil(max); e++) for (const m of [1, 2, 5]) out.push(e + Math.log10(m));
  const inside = out.filter((t) => t >= min && t <= max);
  return inside.length > 8 ? inside.filter((t) => Number.isInteger(Math.round(t * 1e9) / 1e9)) : inside;
}

function timeCharts(d: RunDiff): string {
  const maxT = Math.max(1, ...[d.a, d.b].flatMap((s) => s.series.map((p) => p.t)));
  const common = { xLabel: 'elapsed time (each run from its start)', xTicks: (_min: number, max: number) => timeTicks(max), xFormat: formatElapsed, xDomain: [0, maxT] as [number, number] };
  const series = (pick: (p: RunSide['series'][number]) => number | undefined) => [
    { name: label(d.a, 'A'), color: A_COLOR, points: d.a.series.map((p): Point => [p.t, pick(p)]) },
    { name: label(d.b, 'B'), color: B_COLOR, dashed: true, points: d.b.series.map((p): Point => [p.t, pick(p)]) },
  ];
  return [
    lineChart({ ...common, title: 'Throughput (requests per second)', series: series((p) => p.requests), yLabel: 'requests/s', yFormat: formatNumber, emptyText: 'No timeline data.' }),
    lineChart({ ...common, title: 'Error rate per second', series: series((p) => (p.requests > 0 ? (100 * p.failed) / p.requests : undefined)), yLabel: 'failed %', yFormat: (y) => `${formatNumber(y)}%`, emptyText: 'No HTTP requests.' }),
    lineChart({ ...common, title: 'p95 latency per second', series: series((p) => p.p95), yLabel: 'ms', yFormat: formatMs, emptyText: 'No HTTP requests.' }),
  ].join('');
}

export function renderRunDiffHtml(d: RunDiff, version: string): string {
  const title = `Run comparison · ${d.b.testName} · ${d.a.id.slice(0, 8)} vs ${d.b.id.slice(0, 8)}`;
  const body = [
    `<header><h1>Run comparison</h1><div class="script">${esc(d.sameTest ? d.a.testName : `${d.a.testName} vs ${d.b.testName}`)}</div></header>`,
    ...d.warnings.map((w) => `<div class="warn">⚠ ${esc(w)}</div>`),
    `<section class="sides">${sideCard(d.a, 'A')}${sideCard(d.b, 'B')}</section>`,
    '<h2>Verdicts</h2>',
    verdictTable(d.gate),
    '<h2>Latency distribution</h2>',
    distributionCharts(d),
    percentileTable(d),
    '<h2>Over time</h2>',
    timeCharts(d),
    '<h2>Endpoints</h2>',
    endpointTable(d),
    `<footer>Generated by Telltale ${esc(version)} from the two run records · every chart is inline SVG, hover a chart to read its values.</footer>`,
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_CSS}${EXTRA_CSS}</style>
</head>
<body><main>
${body.join('\n')}
</main></body>
</html>
`;
}
