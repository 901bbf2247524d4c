/**
 * Trend statistics as k6 names them (avg, min, med, max, count, p(N)), and the values each metric type
 * reports in the summary and to thresholds.
 */
import { TelltaleError } from '../errors.ts';
import { CounterSink, GaugeSink, RateSink, TrendSink, type Sink } from './sinks.ts';
import type { MetricType } from './types.ts';

export type TrendStat =
  | { readonly kind: 'avg' | 'min' | 'med' | 'max' | 'count' }
  | { readonly kind: 'p'; readonly percentile: number };

const NAMED = new Set(['avg', 'min', 'med', 'max', 'count']);
const PERCENTILE = /^p\(\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*\)$/;

/** Parses one trend stat; undefined when it is not one. */
export function parseTrendStat(stat: string): TrendStat | undefined {
  if (typeof stat !== 'string') return undefined;
  const s = stat.trim();
  if (NAMED.has(s)) return { kind: s as 'avg' | 'min' | 'med' | 'max' | 'count' };
  const m = PERCENTILE.exec(s);
  if (!m) return undefined;
  const percentile = Number(m[1]);
  if (!(percentile >= 0 && percentile <= 100)) return undefined;
  return { kind: 'p', percentile };
}

/** The canonical name of a percentile stat, as k6 formats it (`p(95)`, `p(99.9)`). */
export function percentileStatName(percentile: number): string {
  return `p(${percentile})`;
}

/**
 * Validates k6's --summary-trend-stats / summaryTrendStats values and returns them unchanged (they are the
 * keys of the trend values in the summary). Throws TT_CONFIG_INVALID on the first invalid one.
 */
export function parseTrendStats(list: readonly string[]): string[] {
  if (!Array.isArray(list)) {
    throw new TelltaleError('TT_CONFIG_INVALID', 'summaryTrendStats: expected a list of stats like ["avg", "p(95)"]', {
      field: 'summaryTrendStats',
    });
  }
  list.forEach((stat, i) => {
    if (parseTrendStat(stat) === undefined) {
      throw new TelltaleError(
        'TT_CONFIG_INVALID',
        `summaryTrendStats[${i}]: invalid trend stat ${JSON.stringify(stat)}; expected avg, min, med, max, count ` +
          'or p(N) with N between 0 and 100 (e.g. p(95), p(99.9))',
        { field: `summaryTrendStats[${i}]` },
      );
    }
  });
  return [...list];
}

/**
 * The values k6 reports for a metric: counter count & rate (per second of `testDurationMs`), gauge value,
 * min & max, rate rate, passes & fails, trend the requested stats keyed as written. An empty sink gives
 * zeros, as k6's empty sinks do.
 */
export function sinkValues(
  type: MetricType,
  sink: Sink | undefined,
  trendStats: readonly string[],
  testDurationMs: number,
): Record<string, number> {
  switch (type) {
    case 'counter': {
      const count = sink instanceof CounterSink ? sink.sum : 0;
      return { count, rate: testDurationMs > 0 ? count / (testDurationMs / 1000) : 0 };
    }
    case 'gauge': {
      const g = sink instanceof GaugeSink ? sink : undefined;
      return { value: g?.value ?? 0, min: g?.min ?? 0, max: g?.max ?? 0 };
    }
    case 'rate': {
      const r = sink instanceof RateSink ? sink : undefined;
      const total = r?.n ?? 0;
      const passes = r?.passes ?? 0;
      return { rate: total > 0 ? passes / total : 0, passes, fails: total - passes };
    }
    case 'trend':
      return trendValues(sink instanceof TrendSink ? sink : undefined, trendStats);
  }
}

function trendValues(t: TrendSink | undefined, trendStats: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const wanted: { key: string; pct: number }[] = [];
  for (const key of trendStats) {
    const stat = parseTrendStat(key);
    if (stat === undefined) continue;
    switch (stat.kind) {
      case 'avg':
        out[key] = t ? t.avg() : 0;
        break;
      case 'min':
        out[key] = t ? t.min : 0;
        break;
      case 'max':
        out[key] = t ? t.max : 0;
        break;
      case 'count':
        out[key] = t ? t.n : 0;
        break;
      case 'med':
        wanted.push({ key, pct: 0.5 });
        break;
      case 'p':
        wanted.push({ key, pct: stat.percentile / 100 });
        break;
    }
  }
  if (wanted.length > 0) {
    const values = t ? t.percentiles(wanted.map((w) => w.pct)) : wanted.map(() => 0);
    wanted.forEach((w, i) => (out[w.key] = values[i]));
  }
  return out;
}
