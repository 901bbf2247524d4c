/**
 * k6's end-of-test summary as text. The default (k6 v1 `compact`) and `full` modes print sections
 * (THRESHOLDS, TOTAL RESULTS, and in full mode one per group and scenario); `legacy` prints the pre-1.0
 * layout. The result is what k6's textSummary() returns: k6 itself wraps it in one leading and two
 * trailing newlines when it writes stdout.
 */
import type { SummaryCheck, SummaryData, SummaryGroup, SummaryMetric } from './types.ts';
import { sortMetricNames } from './format.ts';
import { computeLayout, displayName, dots, metricData, paintWith, SGR, trendStatsOf, type Layout, type Paint } from './text-layout.ts';
import { renderLegacySummary } from './text-legacy.ts';

export type SummaryMode = 'compact' | 'full' | 'legacy';

/** Results of one scenario, for full mode; SummaryData itself only holds totals. */
export interface ScenarioBreakdown {
  metrics: Record<string, SummaryMetric>;
  checks?: SummaryCheck[];
}

export interface TextSummaryOptions {
  color: boolean;
  mode?: SummaryMode;
  /** full mode: per-scenario results, printed as `SCENARIO: name` sections. */
  scenarios?: Record<string, ScenarioBreakdown>;
  /** full mode: metrics measured inside each group, keyed by group path (`::outer::inner`). */
  groupMetrics?: Record<string, Record<string, SummaryMetric>>;
}

export function renderTextSummary(data: SummaryData, opts: TextSummaryOptions): string {
  const mode = opts.mode ?? 'compact';
  if (mode === 'legacy') return renderLegacySummary(data, opts.color);
  return new SectionRenderer(data, opts, mode).render();
}

// Order of the metric sections; custom metrics come first because they are what the script author added.
const CATEGORIES = ['custom', 'http', 'execution', 'network', 'browser', 'webvitals', 'grpc', 'websocket'] as const;
type Category = (typeof CATEGORIES)[number];

const HTTP = new Set(['http_reqs', 'http_req_failed', 'http_req_duration', 'http_req_blocked', 'http_req_connecting',
  'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_corrected_duration']);
const EXECUTION = new Set(['vus', 'vus_max', 'iterations', 'iteration_duration', 'dropped_iterations']);
const NETWORK = new Set(['data_sent', 'data_received']);
// Shown elsewhere (checks) or too noisy for the compact view; k6 drops the same ones.
const ALWAYS_HIDDEN = new Set(['checks', 'group_duration']);
const COMPACT_HIDDEN = new Set(['http_req_blocked', 'http_req_connecting', 'http_req_receiving', 'http_req_sending',
  'http_req_tls_handshaking', 'http_req_waiting']);

function categoryOf(parent: string): Category {
  if (HTTP.has(parent)) return 'http';
  if (EXECUTION.has(parent)) return 'execution';
  if (NETWORK.has(parent)) return 'network';
  if (parent.startsWith('browser_web_vital_')) return 'webvitals';
  if (parent.startsWith('browser_')) return 'browser';
  if (parent.startsWith('grpc_')) return 'grpc';
  if (parent.startsWith('ws_')) return 'websocket';
  return 'custom';
}

/** k6 indents by two spaces per level, starting one level in. */
const indent = (level: number): string => ' '.repeat((level + 1) * 2);

/** Checks with the same name in different groups are one line in the totals, as k6 aggregates by name. */
function mergedChecks(group: SummaryGroup, into = new Map<string, SummaryCheck>()): Map<string, SummaryCheck> {
  for (const c of group.checks) {
    const prev = into.get(c.name);
    if (prev) into.set(c.name, { ...prev, passes: prev.passes + c.passes, fails: prev.fails + c.fails });
    else into.set(c.name, c);
  }
  for (const g of group.groups) mergedChecks(g, into);
  return into;
}

class SectionRenderer {
  private readonly paint: Paint;
  private readonly trendStats: string[];
  private readonly timeUnit: string | undefined;
  private readonly data: SummaryData;
  private readonly opts: TextSummaryOptions;
  private readonly mode: SummaryMode;

  constructor(data: SummaryData, opts: TextSummaryOptions, mode: SummaryMode) {
    this.data = data;
    this.opts = opts;
    this.mode = mode;
    this.paint = paintWith(opts.color);
    this.trendStats = trendStatsOf(data.options?.summaryTrendStats);
    this.timeUnit = data.options?.summaryTimeUnit;
  }

  render(): string {
    const sections: { title: string; content: string[] }[] = [];
    const thresholds = this.thresholds();
    if (thresholds.length > 0) sections.push({ title: 'THRESHOLDS', content: thresholds });
    const merged = [...mergedChecks(this.data.root_group).values()];
    const checksMetric = this.data.metrics.checks;
    const hasChecks = merged.length > 0 || checksMetric !== undefined;
    sections.push({
      title: 'TOTAL RESULTS',
      content: [
        ...(hasChecks ? this.checks(merged, 0, checksMetric) : []),
        ...this.metricSections(this.data.metrics, 0),
      ],
    });
    if (this.mode === 'full') {
      for (const g of this.data.root_group.groups) {
        sections.push({ title: `GROUP: ${g.name}`, content: this.groupContent(g, 0) });
      }
      const scenarios = this.opts.scenarios ?? {};
      for (const name of Object.keys(scenarios).sort((a, b) => a.localeCompare(b))) {
        const s = scenarios[name];
        const checks = s.checks ?? [];
        sections.push({
          title: `SCENARIO: ${name}`,
          content: [...(checks.length > 0 ? this.checks(checks, 0) : []), ...this.metricSections(s.metrics, 0)],
        });
      }
    }
    // A bare '\n' item ends the previous line; any other item starts a new one.
    let out = '';
    for (const section of sections) {
      for (const item of [this.title(section.title, 0, '█'), ...section.content, '\n']) {
        out += item === '\n' ? '\n' : `\n${item}`;
      }
    }
    return out;
  }

  private title(text: string, level: number, prefix: string): string {
    return `${indent(level)}${prefix} ${this.paint(text, SGR.bold)} \n`;
  }

  private metricLine(name: string, layout: Layout, level: number): string {
    const label = displayName(name) + this.paint(dots(name, layout), `${SGR.faint};${SGR.white}`);
    return `${indent(level)}${label} ${metricData(name, layout, this.paint, `${SGR.faint};${SGR.cyan}`)}`;
  }

  private thresholds(): string[] {
    const withThresholds = sortMetricNames(
      Object.keys(this.data.metrics).filter((n) => Object.keys(this.data.metrics[n].thresholds ?? {}).length > 0),
    );
    const layout = computeLayout(
      withThresholds.map((n) => [n, this.data.metrics[n]]),
      this.trendStats,
      this.timeUnit,
      'out-of',
    );
    const present = new Set(withThresholds);
    const out: string[] = [];
    for (const name of withThresholds) {
      const metric = this.data.metrics[name];
      const parent = name.split('{', 1)[0];
      const nested = name.length > parent.length && present.has(parent);
      const ind = indent(nested ? 2 : 1);
      out.push(ind + (nested ? name.slice(parent.length) : name));
      for (const [source, { ok }] of Object.entries(metric.thresholds ?? {})) {
        const mark = ok ? this.paint('✓', SGR.green) : this.paint('✗', SGR.red);
        const parts = [mark, this.paint(`'${source.trim()}'`, SGR.white)];
        const observed = this.observed(name, metric, source, layout);
        if (observed !== undefined) parts.push(observed);
        out.push(ind + parts.join(' '));
      }
      out.push('\n');
    }
    return out;
  }

  /** `agg=value` for the aggregation a threshold tests, e.g. `p(95)=148.21ms` or `rate=0.00%`. */
  private observed(name: string, metric: SummaryMetric, source: string, layout: Layout): string | undefined {
    const agg = source.split(/[=><!]/)[0].trim();
    let value: string | undefined;
    if (metric.type === 'trend') {
      const i = this.trendStats.indexOf(agg);
      value = i >= 0 ? layout.trendCols.get(name)?.[i] : layout.trendExtra.get(name)?.[agg];
    } else {
      const cols = layout.nonTrend.get(name);
      value = metric.type === 'counter' && agg !== 'count' ? cols?.[1] : cols?.[0];
    }
    if (value === undefined || value === '-') return undefined;
    return `${this.paint(agg, SGR.white)}=${this.paint(value, SGR.cyan)}`;
  }

  /** checks_total/succeeded/failed lines, a blank line, then one line per check. */
  private checks(checks: SummaryCheck[], level: number, checksMetric?: SummaryMetric): string[] {
    let passes = 0;
    let fails = 0;
    if (checksMetric) {
      passes = checksMetric.values.passes ?? 0;
      fails = checksMetric.values.fails ?? 0;
    } else {
      for (const c of checks) {
        passes += c.passes;
        fails += c.fails;
      }
    }
    const total = passes + fails;
    const seconds = (this.data.state?.testRunDurationMs ?? 0) / 1000;
    const metrics: [string, SummaryMetric][] = [
      ['checks_total', { type: 'counter', contains: 'default', values: { count: total, rate: seconds > 0 ? total / seconds : 0 } }],
      ['checks_succeeded', { type: 'rate', contains: 'default', values: { rate: total > 0 ? passes / total : 0, passes, fails } }],
      ['checks_failed', { type: 'rate', contains: 'default', values: { rate: total > 0 ? fails / total : 0, passes: fails, fails: passes } }],
    ];
    const layout = computeLayout(metrics, this.trendStats, this.timeUnit, 'out-of');
    const lines = metrics.map(([name]) => this.metricLine(name, layout, level + 1));
    return [...lines, '\n', ...checks.map((c) => this.checkLine(c, level + 1)), '\n'];
  }

  private checkLine(check: SummaryCheck, level: number): string {
    if (check.fails === 0) return indent(level) + this.paint(`✓ ${check.name}`, SGR.green);
    const total = check.passes + check.fails;
    const pct = total > 0 ? Math.floor((100 * check.passes) / total) : 0;
    const details = this.paint(`↳  ${pct}% — ✓ ${check.passes} / ✗ ${check.fails}`, SGR.red);
    // k6 indents the details by twice the check's level, one step deeper at the top level and further
    // below; reproduced so the lines sit where k6 users expect them.
    return `${indent(level)}${this.paint(`✗ ${check.name}`, SGR.red)}\n${indent(2 * level)}${details}`;
  }

  private metricSections(metrics: Record<string, SummaryMetric>, level: number): string[] {
    const byCategory = new Map<Category, string[]>();
    const shown: [string, SummaryMetric][] = [];
    for (const name of Object.keys(metrics)) {
      const parent = name.split('{', 1)[0];
      if (ALWAYS_HIDDEN.has(parent) || (this.mode === 'compact' && COMPACT_HIDDEN.has(parent))) continue;
      const cat = categoryOf(parent);
      if (!byCategory.has(cat)) byCategory.set(cat, []);
      byCategory.get(cat)!.push(name);
      shown.push([name, metrics[name]]);
    }
    const layout = computeLayout(shown, this.trendStats, this.timeUnit, 'out-of');
    const out: string[] = [];
    for (const cat of CATEGORIES) {
      const names = byCategory.get(cat);
      if (!names) continue;
      out.push(indent(level + 1) + this.paint(cat.toUpperCase(), SGR.bold));
      for (const name of sortMetricNames(names)) out.push(this.metricLine(name, layout, level + 1));
      out.push('\n');
    }
    return out;
  }

  private groupContent(group: SummaryGroup, level: number): string[] {
    const out: string[] = [];
    if (group.checks.length > 0) out.push(...this.checks(group.checks, level));
    out.push(...this.metricSections(this.opts.groupMetrics?.[group.path] ?? {}, level));
    for (const sub of group.groups) {
      out.push(this.title(`GROUP: ${sub.name}`, level + 1, '↳'), ...this.groupContent(sub, level + 1));
    }
    return out;
  }
}
