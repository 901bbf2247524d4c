/**
 * What a worker sends to the main thread on every flush: everything it aggregated since its previous flush,
 * as plain data (typed arrays included) so it crosses postMessage by structured clone.
 */
import type { EncodedHistogram } from './histogram.ts';
import type { SinkState, TrendState } from './sinks.ts';
import type { MetricType, ValueType } from './types.ts';

export interface MetricDelta {
  /** the metric name, or the sub-metric key (`http_req_duration{status:200}`) */
  readonly key: string;
  /** the metric name (the parent, for a sub-metric) */
  readonly metric: string;
  readonly type: MetricType;
  readonly contains: ValueType;
  readonly state: SinkState;
}

export interface CheckDelta {
  /** k6 group path: `` for the root, `::outer::inner` below it */
  readonly group: string;
  readonly name: string;
  readonly passes: number;
  readonly fails: number;
  /** time of the check's first sample in this delta (epoch ms) */
  readonly first: number;
}

export interface GroupDelta {
  readonly path: string;
  /** time of the group's first sample in this delta (epoch ms) */
  readonly first: number;
}

export interface TimelineDelta {
  /** start of the second, epoch ms */
  readonly time: number;
  /** highest `vus` sample of the second, -1 when there was none */
  readonly vus: number;
  readonly iterations: number;
  readonly httpReqs: number;
  readonly httpReqFailed: number;
  readonly droppedIterations: number;
  readonly dataSent: number;
  readonly dataReceived: number;
  /** http_req_duration of the second, null when no request completed */
  readonly durations: EncodedHistogram | null;
  readonly durationMin: number;
  readonly durationMax: number;
  /** the second's requests per endpoint (the `name` tag) */
  readonly endpoints: EndpointDelta[];
}

/** One endpoint's requests in one second. */
export interface EndpointDelta {
  /** the `name` tag; OTHER_ENDPOINT for names past a worker's bound */
  readonly name: string;
  /** failed requests (http_req_failed) */
  readonly failed: number;
  /** http_req_duration of the requests that completed; null when none did */
  readonly durations: TrendState | null;
}

export interface ErrorDelta {
  readonly kind: string;
  readonly name: string;
  readonly method: string;
  readonly count: number;
  readonly message?: string;
}

export interface AggregateDelta {
  readonly metrics: MetricDelta[];
  /** groups seen in this delta */
  readonly groups: GroupDelta[];
  readonly checks: CheckDelta[];
  readonly timeline: TimelineDelta[];
  readonly errors: ErrorDelta[];
}
