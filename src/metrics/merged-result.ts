/**
 * The main thread's view of a run: the exact merge of every worker's deltas, and the read API the
 * thresholds, the live views and the end-of-test reports use.
 */
import type {
  ErrorBreakdownRow,
  SummaryData,
  SummaryGroup,
  SummaryMetric,
  TimelinePoint,
} from '../load/summary/types.ts';
import { ChecksTree } from './checks-tree.ts';
import type { AggregateDelta } from './delta.ts';
import { MergedEndpoints, MAX_ENDPOINTS, type EndpointSeries } from './endpoints.ts';
import { ErrorBreakdown, MAX_ERROR_ROWS } from './error-breakdown.ts';
import { parseMetricKey, selectorIdentity } from './metric-key.ts';
import type { MetricRegistry } from './registry.ts';
import { withDefaultSelectors } from './selectors.ts';
import { createSink, TrendSink, type Sink, type TrendState } from './sinks.ts';
import type { ThresholdResult } from './thresholds/types.ts';
import { MergedTimeline } from './timeline.ts';
import { sinkValues } from './trend-stats.ts';
import type { MetricDef, MetricType, SubmetricSelector, ValueType } from './types.ts';

/** Percentiles of `distribution()`. */
export const DISTRIBUTION_PERCENTILES: readonly number[] = Object.freeze([
  0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100,
]);

export interface MergedResultOptions {
  /** Timeline seconds older than this behind the newest one are reduced to numbers (default 5000). */
  timelineHorizonMs?: number;
  /** Distinct rows of the error breakdown before failures go to an `other` row (default 1000). */
  maxErrorRows?: number;
  /** Endpoints (`name` tags) with a series of their own before requests go to an `other` series (default 100). */
  maxEndpoints?: number;
}

export interface BuildSummaryOptions {
  registry: MetricRegistry;
  trendStats: readonly string[];
  summaryTimeUnit?: string;
  noColor: boolean;
  testRunDurationMs: number;
  isStdOutTTY: boolean;
  isStdErrTTY: boolean;
  thresholdResults?: readonly Pick<ThresholdResult, 'metricKey' | 'expression' | 'ok'>[];
}

interface MergedMetric {
  readonly key: string;
  readonly metric: string;
  readonly type: MetricType;
  readonly contains: ValueType;
  readonly sink: Sink;
}

export class MergedResult {
  private readonly registry: MetricRegistry | undefined;
  private readonly selectors: readonly SubmetricSelector[];
  private readonly metrics = new Map<string, MergedMetric>();
  private readonly checks = new ChecksTree();
  private readonly timelineData: MergedTimeline;
  private readonly endpointData: MergedEndpoints;
  private readonly errorData: ErrorBreakdown;

  /**
   * `registry` gives the types of metrics that have no samples yet; `selectors` are the sub-metrics the
   * thresholds use, listed even when they get no samples.
   */
  constructor(
    registry?: MetricRegistry,
    selectors: readonly SubmetricSelector[] = [],
    options: MergedResultOptions = {},
  ) {
    this.registry = registry;
    const own = new Set(selectors.map((s) => s.key));
    this.selectors = withDefaultSelectors(selectors).filter((s) => own.has(s.key));
    this.timelineData = new MergedTimeline(options.timelineHorizonMs ?? 5000);
    this.endpointData = new MergedEndpoints(options.timelineHorizonMs ?? 5000, options.maxEndpoints ?? MAX_ENDPOINTS);
    this.errorData = new ErrorBreakdown(options.maxErrorRows ?? MAX_ERROR_ROWS);
  }

  /** Merges one worker delta. Exact and order-independent (gauges: the latest sample time wins). */
  merge(delta: AggregateDelta): void {
    for (const m of delta.metrics) {
      let mm = this.metrics.get(m.key);
      if (mm === undefined) {
        mm = { key: m.key, metric: m.metric, type: m.type, contains: m.contains, sink: createSink(m.type, 'float64') };
        this.metrics.set(m.key, mm);
      }
      if (mm.type !== m.state.type) continue;
      mm.sink.merge(m.state);
    }
    this.checks.merge(delta.groups, delta.checks);
    this.timelineData.merge(delta.timeline);
    this.endpointData.merge(delta.timeline);
    this.errorData.merge(delta.errors);
  }

  private defOf(key: string): Pick<MetricDef, 'type' | 'contains'> | undefined {
    const mm = this.metrics.get(key);
    if (mm !== undefined) return mm;
    let parent: string;
    try {
      parent = parseMetricKey(key).parent;
    } catch {
      return undefined;
    }
    return this.metrics.get(parent) ?? this.registry?.get(parent);
  }

  /** The key a metric or sub-metric is kept under: a filter spelled differently finds the selector with its tags. */
  private canonical(key: string): string {
    if (this.metrics.has(key)) return key;
    try {
      const sel = parseMetricKey(key);
      const id = selectorIdentity(sel);
      return this.selectors.find((s) => selectorIdentity(s) === id)?.key ?? sel.key;
    } catch {
      return key;
    }
  }

  /**
   * The values k6 reports for a metric or sub-metric (see sinkValues); zeros when it got no samples, and
   * an empty object when its type is unknown.
   */
  metricValues(key: string, trendStats: readonly string[], testDurationMs: number): Record<string, number> {
    const k = this.canonical(key);
    const def = this.defOf(k);
    if (def === undefined) return {};
    return sinkValues(def.type, this.metrics.get(k)?.sink, trendStats, testDurationMs);
  }

  /** The type of a metric or sub-metric key, from its samples or the registry. */
  metricType(key: string): MetricType | undefined {
    return this.defOf(this.canonical(key))?.type;
  }

  hasSamples(key: string): boolean {
    return (this.metrics.get(this.canonical(key))?.sink.n ?? 0) > 0;
  }

  timeline(): TimelinePoint[] {
    return this.timelineData.points();
  }

  /** Timeline seconds still holding a histogram (bounded by the horizon). */
  liveTimelineSeconds(): number {
    return this.timelineData.liveSeconds();
  }

  /** Per-endpoint series (see endpoints.ts): by requests, most first, then `other`. */
  endpoints(): EndpointSeries[] {
    return this.endpointData.series();
  }

  /** Distinct endpoint names counted in the `other` series because the bound was reached. */
  foldedEndpointNames(): number {
    return this.endpointData.foldedNameCount();
  }

  /** The merged histogram state of every trend metric and sub-metric with samples, by key (sorted). */
  trendStates(): Record<string, TrendState> {
    const out: Record<string, TrendState> = {};
    for (const key of [...this.metrics.keys()].sort()) {
      const sink = this.metrics.get(key)?.sink;
      if (sink instanceof TrendSink && sink.n > 0) out[key] = sink.state();
    }
    return out;
  }

  errors(): ErrorBreakdownRow[] {
    return this.errorData.rows();
  }

  /** [percentile, value] pairs of a trend metric over DISTRIBUTION_PERCENTILES; empty without samples. */
  distribution(metric: string): [number, number][] {
    const sink = this.metrics.get(this.canonical(metric))?.sink;
    if (!(sink instanceof TrendSink) || sink.n === 0) return [];
    const values = sink.percentiles(DISTRIBUTION_PERCENTILES.map((p) => p / 100));
    return DISTRIBUTION_PERCENTILES.map((p, i) => [p, values[i]]);
  }

  rootGroup(): SummaryGroup {
    return this.checks.root();
  }

  /** Metrics and sub-metrics that received samples, plus the threshold sub-metrics; sorted. */
  metricKeys(): string[] {
    const keys = new Set<string>();
    for (const mm of this.metrics.values()) if (mm.sink.n > 0) keys.add(mm.key);
    for (const s of this.selectors) keys.add(s.key);
    return [...keys].sort();
  }

  /**
   * The k6 handleSummary data. Lists every metric that received samples, every threshold sub-metric, and
   * (like k6) every metric with thresholds and its parent even without samples.
   */
  buildSummaryData(opts: BuildSummaryOptions): SummaryData {
    const results = (opts.thresholdResults ?? []).map((r) => ({ ...r, metricKey: this.canonical(r.metricKey) }));
    const keys = new Set(this.metricKeys());
    for (const r of results) {
      keys.add(r.metricKey);
      try {
        keys.add(parseMetricKey(r.metricKey).parent);
      } catch {
        // a key that does not parse cannot have passed validation; it is listed as given
      }
    }
    const metrics: Record<string, SummaryMetric> = {};
    for (const key of [...keys].sort()) {
      const def = this.defOf(key) ?? this.registryDef(opts.registry, key);
      if (def === undefined) continue;
      const entry: SummaryMetric = {
        type: def.type,
        contains: def.contains,
        values: sinkValues(def.type, this.metrics.get(key)?.sink, opts.trendStats, opts.testRunDurationMs),
      };
      const own = results.filter((r) => r.metricKey === key);
      if (own.length > 0) {
        entry.thresholds = {};
        for (const r of own) entry.thresholds[r.expression] = { ok: r.ok };
      }
      metrics[key] = entry;
    }
    return {
      root_group: this.rootGroup(),
      options: {
        summaryTrendStats: [...opts.trendStats],
        summaryTimeUnit: opts.summaryTimeUnit ?? '',
        noColor: opts.noColor,
      },
      state: {
        isStdOutTTY: opts.isStdOutTTY,
        isStdErrTTY: opts.isStdErrTTY,
        testRunDurationMs: opts.testRunDurationMs,
      },
      metrics,
    };
  }

  private registryDef(registry: MetricRegistry, key: string): MetricDef | undefined {
    try {
      return registry.get(parseMetricKey(key).parent);
    } catch {
      return undefined;
    }
  }
}
