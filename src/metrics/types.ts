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
