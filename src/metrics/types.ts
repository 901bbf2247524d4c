/** The k6 metric model: four metric types, each holding values of one kind. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** What a metric's values mean: plain numbers, durations in milliseconds, or bytes. */
export type ValueType = 'default' | 'time' | 'data';

/** Tags of one sample. Treated as immutable: producers share one object across the samples of an event. */
export type Tags = Readonly<Record<string, string>>;

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly contains: ValueType;
}

/** One measurement. `time` is Unix epoch milliseconds (may be fractional). */
export interface Sample {
  readonly metric: string;
  readonly time: number;
  readonly value: number;
  readonly tags: Tags;
}

/** A sub-metric selector as written in thresholds: `http_req_duration{status:200,method:GET}`. */
export interface SubmetricSelector {
  /** The full key as k6 prints it, e.g. `http_req_duration{status:200}`. */
  readonly key: string;
  readonly parent: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Anything that accepts samples: the per-worker aggregator, an output, a test spy. */
export interface SampleSink {
  add(sample: Sample): void;
}

/**
 * The samples of one HTTP request, all with the same time and tags, handed over at once: http_reqs (1),
 * the eight duration metrics, http_req_failed (when `failed` is not null), data_sent and data_received, and
 * http_req_corrected_duration (when `corrected` is not NaN). Values are milliseconds and bytes.
 */
export interface RequestSamples {
  time: number;
  tags: Tags;
  duration: number;
  blocked: number;
  connecting: number;
  tlsHandshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  /** 1 failed, 0 not, null when no response callback applies. */
  failed: number | null;
  sent: number;
  received: number;
  corrected: number;
}
