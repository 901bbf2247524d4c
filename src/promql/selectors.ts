/**
 * Reading series for selectors. Each selected series is read once, by one iterator, for all evaluation
 * timestamps: a vector selector walks samples and steps together (lookback, staleness); a range selector
 * loads one series' samples at a time into reusable buffers and hands windows of them to a range function.
 */
import { isStaleNaN, type Labels, type Series } from '../series/types.ts';
import type { AtModifier, VectorSelector } from './ast.ts';
import type { SampleSeries, StepSeries } from './value.ts';

/** Query-wide times the `@ start()` / `@ end()` modifiers refer to. */
export interface QueryTimes {
  readonly start: number;
  readonly end: number;
}

/** The reference time of each evaluation timestamp for a selector or subquery with `@` and `offset`. */
export function refTimes(ts: Float64Array, at: AtModifier | undefined, offset: number, times: QueryTimes): Float64Array {
  const out = new Float64Array(ts.length);
  const pinned = at === undefined ? undefined : at.kind === 'time' ? at.ms : at.kind === 'start' ? times.start : times.end;
  for (let i = 0; i < ts.length; i++) out[i] = (pinned ?? ts[i]) - offset;
  return out;
}

export function minMax(a: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < lo) lo = a[i];
    if (a[i] > hi) hi = a[i];
  }
  return [lo, hi];
}

/**
 * One series' values at each reference time: the newest sample at or before it and no older than the
 * lookback delta, unless that sample is a staleness marker. `times`, when given, receives the sample times.
 */
export function sampleAtSteps(series: Series, refs: Float64Array, lookback: number, out: StepSeries, times?: Float64Array): number {
  const it = series.iterator();
  const n = refs.length;
  let has = n > 0 && it.seek(refs[0] - lookback);
  let curT = has ? it.t() : 0;
  let curV = has ? it.v() : 0;
  let prevT = 0;
  let prevV = 0;
  let prevStale = false;
  let havePrev = false;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const ref = refs[i];
    while (has && curT <= ref) {
      prevT = curT;
      prevV = curV;
      prevStale = curV !== curV && isStaleNaN(curV);
      havePrev = true;
      has = it.next();
      if (has) {
        curT = it.t();
        curV = it.v();
      }
    }
    if (havePrev && !prevStale && prevT >= ref - lookback) {
      out.values[i] = prevV;
      out.present[i] = 1;
      if (times) times[i] = prevT;
      count++;
    }
  }
  return count;
}

/** Reusable growable buffers for one series' samples. */
export class SampleBuffer implements SampleSeries {
  labels: Labels = {};
  t = new Float64Array(256);
  v = new Float64Array(256);
  length = 0;

  /** Loads the non-stale samples in [mint, maxt]. */
  load(series: Series, mint: number, maxt: number): this {
    this.labels = series.labels;
    this.length = 0;
    const it = series.iterator();
    if (!it.seek(mint)) return this;
    do {
      const t = it.t();
      if (t > maxt) break;
      const v = it.v();
      if (v !== v && isStaleNaN(v)) continue;
      if (this.length === this.t.length) this.grow();
      this.t[this.length] = t;
      this.v[this.length] = v;
      this.length++;
    } while (it.next());
    return this;
  }

  private grow(): void {
    const t = new Float64Array(this.t.length * 2);
    t.set(this.t);
    this.t = t;
    const v = new Float64Array(this.v.length * 2);
    v.set(this.v);
    this.v = v;
  }
}

/** Copies the points of a step-evaluated series into a sample series (for subqueries). */
export function stepSeriesToSamples(s: StepSeries, ts: Float64Array): SampleSeries {
  let n = 0;
  for (let i = 0; i < s.present.length; i++) n += s.present[i];
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < s.present.length; i++) {
    if (s.present[i]) {
      t[j] = ts[i];
      v[j] = s.values[i];
      j++;
    }
  }
  return { labels: s.labels, t, v, length: n };
}

/** Window bounds: for each reference time r, samples with index in [lo[i], hi[i]) have r - range <= t <= r. */
export function windows(s: SampleSeries, refs: Float64Array, range: number, lo: Int32Array, hi: Int32Array): void {
  let a = 0;
  let b = 0;
  for (let i = 0; i < refs.length; i++) {
    const start = refs[i] - range;
    const end = refs[i];
    // Reference times are non-decreasing, so both bounds only move forward.
    if (i > 0 && refs[i] < refs[i - 1]) {
      a = 0;
      b = 0;
    }
    while (a < s.length && s.t[a] < start) a++;
    if (b < a) b = a;
    while (b < s.length && s.t[b] <= end) b++;
    lo[i] = a;
    hi[i] = b;
  }
}

export function selectorDescription(sel: VectorSelector): string {
  return sel.name ?? 'selector';
}
