/**
 * Per-endpoint series: for each HTTP endpoint (the `name` tag of its requests) and each second of the run, the
 * requests completed, the requests failed, and the http_req_duration percentiles; plus each endpoint's
 * whole-run duration histogram. Workers send one histogram per endpoint and second (see timeline.ts); this
 * side merges them exactly, keeps histograms only for the last few seconds (late deltas may still arrive
 * for them) and reduces older seconds to numbers kept in typed-array columns.
 *
 * The number of endpoints is bounded: the first MAX_ENDPOINTS names, in the order their first request
 * reaches the coordinator, get their own series; requests of any later name are counted in one `other`
 * series. Scripts that put an id in the URL without a `name` tag would otherwise create one series per id.
 */
import type { TimelineDelta, EndpointDelta } from './delta.ts';
import { percentilesOf, ScaledHistogram } from './histogram.ts';
import type { TrendState } from './sinks.ts';

/** Endpoints with a series of their own, per run. */
export const MAX_ENDPOINTS = 100;
/** Distinct names a worker keeps apart within one second before it folds further ones into `other`. */
export const MAX_WORKER_ENDPOINTS = 1000;
/** The name the `other` series travels under in deltas (a real `name` tag never holds a NUL). */
export const OTHER_ENDPOINT = '\u0000other';

const PCTS = [0.5, 0.9, 0.95, 0.99];
/** Distinct folded names counted exactly for the warning; past this many, the count is a lower bound. */
const FOLDED_NAMES_TRACKED = 10_000;

/** One endpoint's seconds, as parallel arrays sorted by time. Latency entries are null for a second without a completed request. */
export interface EndpointSeriesColumns {
  /** start of the second, epoch ms */
  time: number[];
  requests: number[];
  failed: number[];
  p50: (number | null)[];
  p90: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  max: (number | null)[];
}

export interface EndpointSeries {
  /** the `name` tag; `other` for the series of the names past MAX_ENDPOINTS */
  name: string;
  other: boolean;
  requests: number;
  failed: number;
  /** whole-run http_req_duration of the endpoint; null when none of its requests completed */
  durations: TrendState | null;
  series: EndpointSeriesColumns;
}

const COLUMNS = 8;
const C_TIME = 0;
const C_REQUESTS = 1;
const C_FAILED = 2;
const C_P50 = 3;
const C_MAX = 7;

/** Reduced seconds: eight growable Float64Array columns sorted by time; NaN marks a missing percentile. */
class Columns {
  private cols: Float64Array[] = Array.from({ length: COLUMNS }, () => new Float64Array(16));
  length = 0;

  /** Index of the second starting at `time`, or -(insertion point) - 1. */
  find(time: number): number {
    const t = this.cols[C_TIME];
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = t[mid];
      if (v === time) return mid;
      if (v < time) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  get(i: number, col: number): number {
    return this.cols[col][i];
  }

  set(i: number, col: number, v: number): void {
    this.cols[col][i] = v;
  }

  /** Inserts a row at its sorted place (normally the end: seconds are reduced oldest first). */
  insert(row: readonly number[]): void {
    if (this.length === this.cols[0].length) {
      this.cols = this.cols.map((c) => {
        const bigger = new Float64Array(c.length * 2);
        bigger.set(c);
        return bigger;
      });
    }
    let at = this.length;
    if (at > 0 && this.cols[C_TIME][at - 1] > row[C_TIME]) at = -this.find(row[C_TIME]) - 1;
    for (let c = 0; c < COLUMNS; c++) {
      const col = this.cols[c];
      if (at < this.length) col.copyWithin(at + 1, at, this.length);
      col[at] = row[c];
    }
    this.length++;
  }
}

interface LiveSecond {
  requests: number;
  failed: number;
  hist: ScaledHistogram | null;
  min: number;
  max: number;
}

function latencyRow(time: number, requests: number, failed: number, hist: ScaledHistogram | null, min: number, max: number): number[] {
  if (hist === null || hist.count === 0) return [time, requests, failed, NaN, NaN, NaN, NaN, NaN];
  return [time, requests, failed, ...percentilesOf(hist, min, max, PCTS), max];
}

/**
 * Histograms of reduced seconds, reset for reuse: a fresh one would grow its bucket arrays again every second,
 * which costs more than all the merging.
 */
class HistogramPool {
  private readonly free: ScaledHistogram[] = [];
  get(): ScaledHistogram {
    return this.free.pop() ?? new ScaledHistogram('int32');
  }
  release(h: ScaledHistogram): void {
    h.reset();
    this.free.push(h);
  }
}

class EndpointState {
  readonly name: string;
  readonly other: boolean;
  private readonly pool: HistogramPool;
  failed = 0;
  requests = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /**
   * Whole-run durations, merged from every delta: merging costs in proportion to a delta's non-empty buckets,
   * adding a whole per-second histogram in proportion to its full bucket range.
   */
  private readonly totalHist = new ScaledHistogram('float64');
  readonly live = new Map<number, LiveSecond>();
  readonly reduced = new Columns();

  constructor(name: string, other: boolean, pool: HistogramPool) {
    this.name = name;
    this.other = other;
    this.pool = pool;
  }

  add(time: number, e: EndpointDelta): void {
    this.failed += e.failed;
    const d = e.durations;
    if (d !== null && d.n > 0) {
      this.requests += d.n;
      this.sum += d.sum;
      if (d.min < this.min) this.min = d.min;
      if (d.max > this.max) this.max = d.max;
      this.totalHist.merge(d.hist);
    }
    const i = this.reduced.length === 0 ? -1 : this.reduced.find(time);
    if (i >= 0) {
      this.mergeLate(i, e);
      return;
    }
    let s = this.live.get(time);
    if (s === undefined) {
      s = { requests: 0, failed: 0, hist: null, min: Infinity, max: -Infinity };
      this.live.set(time, s);
    }
    s.failed += e.failed;
    if (d === null || d.n === 0) return;
    s.requests += d.n;
    (s.hist ??= this.pool.get()).merge(d.hist);
    if (d.min < s.min) s.min = d.min;
    if (d.max > s.max) s.max = d.max;
  }

  /** A second already reduced: counts and max stay exact; its percentiles are kept (or, when it had no requests before, taken from the late data alone). */
  private mergeLate(i: number, e: EndpointDelta): void {
    const r = this.reduced;
    r.set(i, C_FAILED, r.get(i, C_FAILED) + e.failed);
    const d = e.durations;
    if (d === null || d.n === 0) return;
    r.set(i, C_REQUESTS, r.get(i, C_REQUESTS) + d.n);
    if (Number.isNaN(r.get(i, C_MAX))) {
      const hist = this.pool.get();
      hist.merge(d.hist);
      const row = latencyRow(0, 0, 0, hist, d.min, d.max);
      this.pool.release(hist);
      for (let c = C_P50; c <= C_MAX; c++) r.set(i, c, row[c]);
    } else if (d.max > r.get(i, C_MAX)) {
      r.set(i, C_MAX, d.max);
    }
  }

  reduceBefore(cutoff: number): void {
    if (this.live.size === 0) return;
    const old: number[] = [];
    for (const time of this.live.keys()) if (time < cutoff) old.push(time);
    old.sort((a, b) => a - b);
    for (const time of old) {
      const s = this.live.get(time) as LiveSecond;
      this.reduced.insert(latencyRow(time, s.requests, s.failed, s.hist, s.min, s.max));
      if (s.hist !== null) this.pool.release(s.hist);
      this.live.delete(time);
    }
  }

  private durations(): TrendState | null {
    if (this.requests === 0) return null;
    return { type: 'trend', n: this.requests, sum: this.sum, min: this.min, max: this.max, hist: this.totalHist.encode() };
  }

  toSeries(): EndpointSeries {
    const rows: number[][] = [];
    const r = this.reduced;
    for (let i = 0; i < r.length; i++) {
      const row: number[] = [];
      for (let c = 0; c < COLUMNS; c++) row.push(r.get(i, c));
      rows.push(row);
    }
    for (const [time, s] of this.live) rows.push(latencyRow(time, s.requests, s.failed, s.hist, s.min, s.max));
    rows.sort((a, b) => a[C_TIME] - b[C_TIME]);
    const col = (c: number) => rows.map((row) => row[c]);
    const latency = (c: number) => rows.map((row) => (Number.isNaN(row[c]) ? null : row[c]));
    return {
      name: this.other ? 'other' : this.name,
      other: this.other,
      requests: this.requests,
      failed: this.failed,
      durations: this.durations(),
      series: {
        time: col(C_TIME),
        requests: col(C_REQUESTS),
        failed: col(C_FAILED),
        p50: latency(C_P50),
        p90: latency(C_P50 + 1),
        p95: latency(C_P50 + 2),
        p99: latency(C_P50 + 3),
        max: latency(C_MAX),
      },
    };
  }
}

/** The merged per-endpoint series of a run. */
export class MergedEndpoints {
  private readonly byName = new Map<string, EndpointState>();
  private other: EndpointState | null = null;
  private readonly pool = new HistogramPool();
  private readonly foldedNames = new Set<string>();
  private readonly horizonMs: number;
  private readonly maxEndpoints: number;
  private newest = -Infinity;

  /** Seconds more than `horizonMs` older than the newest merged second are reduced to numbers. */
  constructor(horizonMs = 5000, maxEndpoints = MAX_ENDPOINTS) {
    this.horizonMs = horizonMs;
    this.maxEndpoints = maxEndpoints;
  }

  merge(deltas: readonly TimelineDelta[]): void {
    let any = false;
    for (const d of deltas) {
      for (const e of d.endpoints) {
        this.stateOf(e.name).add(d.time, e);
        any = true;
      }
      if (d.time > this.newest) this.newest = d.time;
    }
    if (!any) return;
    const cutoff = this.newest - this.horizonMs;
    for (const s of this.byName.values()) s.reduceBefore(cutoff);
    this.other?.reduceBefore(cutoff);
  }

  private stateOf(name: string): EndpointState {
    const s = this.byName.get(name);
    if (s !== undefined) return s;
    if (name !== OTHER_ENDPOINT && this.byName.size < this.maxEndpoints) {
      const created = new EndpointState(name, false, this.pool);
      this.byName.set(name, created);
      return created;
    }
    if (name !== OTHER_ENDPOINT && this.foldedNames.size < FOLDED_NAMES_TRACKED) this.foldedNames.add(name);
    return (this.other ??= new EndpointState(OTHER_ENDPOINT, true, this.pool));
  }

  /** Distinct names counted in `other` because the bound was reached (a lower bound past 10,000). */
  foldedNameCount(): number {
    return this.foldedNames.size;
  }

  /** Every endpoint by requests, most first (ties by name), then `other` if any request went there. */
  series(): EndpointSeries[] {
    const out = [...this.byName.values()].map((s) => s.toSeries());
    out.sort((a, b) => b.requests - a.requests || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (this.other !== null) out.push(this.other.toSeries());
    return out;
  }
}
