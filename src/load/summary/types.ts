/**
 * The end-of-test data, in the shape k6 passes to `handleSummary(data)`. Every reporter (text summary,
 * --summary-export, HTML report, JSON API) renders from this one object.
 */
import type { EndpointSeries } from '../../metrics/endpoints.ts';
import type { TrendState } from '../../metrics/sinks.ts';
import type { MetricType, ValueType } from '../../metrics/types.ts';

export interface SummaryCheck {
  name: string;
  /** `::group::check name` */
  path: string;
  /** md5 hex of the path, as k6 computes it */
  id: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  /** `` for the root, `::outer::inner` below it */
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

export interface SummaryMetric {
  type: MetricType;
  contains: ValueType;
  /**
   * counter: count, rate · gauge: value, min, max · rate: rate, passes, fails ·
   * trend: one entry per summaryTrendStats item (avg, min, med, max, p(90), p(95), count ...)
   */
  values: Record<string, number>;
  /** threshold expression -> { ok } (present only for metrics with thresholds) */
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  /** metric name (or sub-metric key like `http_req_duration{status:200}`) -> values */
  metrics: Record<string, SummaryMetric>;
}

/** One second of the run, merged across workers. Percentiles come from merged histograms, never averages. */
export interface TimelinePoint {
  /** start of the second, epoch ms */
  time: number;
  vus: number;
  iterations: number;
  httpReqs: number;
  httpReqFailed: number;
  droppedIterations: number;
  dataSent: number;
  dataReceived: number;
  /** http_req_duration percentiles (ms) of the requests that completed in this second; absent if none */
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

/** One failing request class, for the error breakdown. */
export interface ErrorBreakdownRow {
  /** e.g. `status 503` or `error_code 1211` */
  kind: string;
  name: string;
  method: string;
  count: number;
  /** first error message seen, if any */
  message?: string;
}

/** Everything the end of a run produced; what reporters and the API receive. */
export interface RunReport {
  summary: SummaryData;
  timeline: TimelinePoint[];
  errors: ErrorBreakdownRow[];
  /** Latency distribution of http_req_duration (and the corrected one if any) as [percentile, ms] pairs. */
  distributions: Record<string, [number, number][]>;
  /** Per-endpoint (`name` tag) per-second series and whole-run histograms, for run records. */
  endpoints?: EndpointSeries[];
  /** Merged histogram of every trend metric and sub-metric, by key, for run records. */
  histograms?: Record<string, TrendState>;
  meta: {
    script: string;
    startTime: number;
    endTime: number;
    workers: number;
    version: string;
    scenarios: { name: string; executor: string }[];
    /** Why the run stopped early, if it did: 'threshold', 'interrupt', 'script'. */
    aborted?: string;
    /** The reason the script gave to exec.test.abort(). */
    abortReason?: string;
  };
}
