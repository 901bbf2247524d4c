/**
 * The two seams of the metrics data path (docs/architecture.md): every producer — load runs, scrapes,
 * OTLP and remote_write ingest, probes — writes through an `Appender`; everything that reads series —
 * PromQL, rules, the dashboard, reports — reads through a `Queryable`. The embedded store (src/tsdb) and a
 * remote Prometheus-compatible API both implement `Queryable`.
 *
 * The data model is Prometheus': a series is a set of labels (the metric name is the `__name__` label),
 * samples are float64 values at millisecond timestamps.
 */

/** A label set. Keys are label names; the metric name is `__name__`. Empty values mean "no label". */
export type Labels = Readonly<Record<string, string>>;

export const METRIC_NAME = '__name__';

/** Why an appender refused one sample. The rest of the batch is unaffected (Prometheus' partial acceptance). */
export type AppendRejection =
  | 'invalid_labels' // a label name or value that Prometheus would refuse, or no __name__
  | 'out_of_order' // older than the series' newest sample and outside the out-of-order window
  | 'out_of_bounds' // older than what the store still keeps (retention) or too far in the future
  | 'duplicate_sample'; // same timestamp as the newest sample, different value

/** Where a caller keeps a storage's handle for one label set (see Appender.appendCached). */
export interface SeriesSlot {
  ref: unknown;
}

export interface Appender {
  /**
   * Adds one sample. Returns undefined when it is accepted (pending `commit`), or the reason it is refused.
   * Invalid input never throws: callers count refusals and go on with the batch.
   */
  append(labels: Labels, t: number, v: number): AppendRejection | undefined;
  /**
   * `append` for a caller that keeps one slot per label set (the remote_write receiver keeps them in its label
   * cache): the appender leaves its handle for the series in the slot and, given the slot again with the same
   * labels, skips resolving them. A slot belongs to one label set and may be handed to any appender; a handle
   * from another storage, or for a series since dropped, is ignored and replaced.
   */
  appendCached?(slot: SeriesSlot, labels: Labels, t: number, v: number): AppendRejection | undefined;
  /** Makes every accepted sample durable: once the promise resolves, a crash (`kill -9`) loses none of them. */
  commit(): Promise<void>;
  /** Drops every sample appended since the last commit. */
  rollback(): void;
}

export interface Storage {
  appender(): Appender;
}

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher as PromQL writes it; regular expressions are fully anchored, as in Prometheus. */
export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
}

/**
 * A cursor over one series' samples in ascending time order, Prometheus-style: call `next()` or `seek()`
 * and, when it returns true, read `t()` and `v()`.
 */
export interface SampleIterator {
  /** Advances to the next sample; false when there are none left. */
  next(): boolean;
  /** Advances to the first sample at or after `t` (never moves backwards); false when there is none. */
  seek(t: number): boolean;
  t(): number;
  v(): number;
}

export interface Series {
  readonly labels: Labels;
  /** A new iterator from the first sample in the selected time range. */
  iterator(): SampleIterator;
}

/** What the caller will do with a selection, so an implementation can read less (as Prometheus' hints). */
export interface SelectHints {
  /** The query's evaluation range (ms), widened by lookback and range-vector windows. */
  start: number;
  end: number;
  step?: number;
  /** The function applied to the selection (`rate`, `series` for metadata-only calls ...). */
  func?: string;
  /** The range-vector window (ms), when there is one. */
  range?: number;
}

export interface Queryable {
  /** Every series matching all matchers that has samples in [mint, maxt] (inclusive, ms), sorted by labels. */
  select(matchers: readonly Matcher[], mint: number, maxt: number, hints?: SelectHints): Promise<Series[]>;
  /** Label names of the series matching the matchers (all series when there are none), sorted. */
  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): Promise<string[]>;
  /** Values of one label over the matching series, sorted. */
  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): Promise<string[]>;
}

// Prometheus marks a series stale with one particular NaN bit pattern (value.StaleNaN = 0x7ff0000000000002).
const staleBuffer = new DataView(new ArrayBuffer(8));
staleBuffer.setUint32(0, 0x7ff00000);
staleBuffer.setUint32(4, 0x00000002);
/**
 * The staleness marker: a NaN with Prometheus' StaleNaN bits. `Number.isNaN` is true for it.
 * V8 canonicalizes NaNs kept in plain double arrays (`[STALE_NAN][0]` is an ordinary NaN), so keep sample
 * values in a Float64Array or an object property, never a plain number array, where staleness matters.
 */
export const STALE_NAN: number = staleBuffer.getFloat64(0);

/** True only for the staleness marker, not for an ordinary NaN sample. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  staleBuffer.setFloat64(0, v);
  return staleBuffer.getUint32(0) === 0x7ff00000 && staleBuffer.getUint32(4) === 0x00000002;
}
