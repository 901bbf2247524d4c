/**
 * Column layout shared by both summary styles: every metric line is `name....: values`, with the dots
 * padding names to a common width and each value column padded to its widest entry, as k6 aligns them.
 */
import type { SummaryMetric } from './types.ts';
import { humanizeTrendStat, nonTrendColumns, strWidth, submetricLabel } from './format.ts';

/** Wraps text in an SGR sequence when colors are on; the identity otherwise. */
export type Paint = (text: string, codes: string) => string;

export const paintWith = (color: boolean): Paint =>
  color ? (text, codes) => `\x1b[${codes}m${text}\x1b[0m` : (text) => text;

export const SGR = { bold: '1', faint: '2', red: '31', green: '32', cyan: '36', white: '37' } as const;

/** `{ tags }` indented two spaces for a sub-metric, the bare name otherwise. */
export function displayName(name: string): string {
  return name.includes('{') ? `  ${submetricLabel(name)}` : name;
}

export interface Layout {
  maxNameWidth: number;
  trendStats: string[];
  trendCols: Map<string, string[]>;
  /** Trend values that are not summaryTrendStats columns (e.g. a threshold's p(99)), formatted. */
  trendExtra: Map<string, Record<string, string>>;
  trendColMax: number[];
  nonTrend: Map<string, string[]>;
  maxMain: number;
  extraMax: number[];
}

export function computeLayout(
  metrics: ReadonlyArray<[string, SummaryMetric]>,
  trendStats: string[],
  timeUnit: string | undefined,
  rateStyle: 'marks' | 'out-of',
): Layout {
  const layout: Layout = {
    maxNameWidth: 0,
    trendStats,
    trendCols: new Map(),
    trendExtra: new Map(),
    trendColMax: trendStats.map(() => 0),
    nonTrend: new Map(),
    maxMain: 0,
    extraMax: [],
  };
  for (const [name, metric] of metrics) {
    layout.maxNameWidth = Math.max(layout.maxNameWidth, strWidth(displayName(name)));
    const values = metric.values ?? {};
    if (metric.type === 'trend') {
      const cols = trendStats.map((stat) => humanizeTrendStat(values[stat], stat, metric, timeUnit));
      cols.forEach((c, i) => {
        layout.trendColMax[i] = Math.max(layout.trendColMax[i], strWidth(c));
      });
      layout.trendCols.set(name, cols);
      const extra: Record<string, string> = {};
      for (const key of Object.keys(values)) {
        if (!trendStats.includes(key)) extra[key] = humanizeTrendStat(values[key], key, metric, timeUnit);
      }
      layout.trendExtra.set(name, extra);
    } else {
      const cols = nonTrendColumns({ ...metric, values }, timeUnit, rateStyle);
      layout.nonTrend.set(name, cols);
      layout.maxMain = Math.max(layout.maxMain, strWidth(cols[0]));
      cols.slice(1).forEach((c, i) => {
        layout.extraMax[i] = Math.max(layout.extraMax[i] ?? 0, strWidth(c));
      });
    }
  }
  return layout;
}

/** The dots and colon after a name, so that all names of the layout end in the same column. */
export function dots(name: string, layout: Layout): string {
  return `${'.'.repeat(Math.max(0, layout.maxNameWidth - strWidth(displayName(name)) + 3))}:`;
}

const pad = (n: number): string => ' '.repeat(Math.max(0, n));

/** The values part of a metric line. `faintCyan` differs between styles only in the SGR parameter order. */
export function metricData(name: string, layout: Layout, paint: Paint, faintCyan: string): string {
  const trend = layout.trendCols.get(name);
  if (trend) {
    return trend
      .map((col, i) => `${layout.trendStats[i]}=${paint(col, SGR.cyan)}${pad(layout.trendColMax[i] - strWidth(col))}`)
      .join(' ');
  }
  const cols = layout.nonTrend.get(name) ?? ['[no data]'];
  let out = paint(cols[0], SGR.cyan) + pad(layout.maxMain - strWidth(cols[0]));
  const extras = cols.slice(1);
  if (extras.length === 1) {
    out += ` ${paint(extras[0], faintCyan)}`;
  } else if (extras.length > 1) {
    out += ` ${extras.map((e, i) => paint(e, faintCyan) + pad(layout.extraMax[i] - strWidth(e))).join(' ')}`;
  }
  return out;
}

/** Trend stats to show: the configured ones, or k6's default set. */
export function trendStatsOf(configured: string[] | undefined): string[] {
  return configured && configured.length > 0 ? configured : ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
}
