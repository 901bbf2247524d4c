/**
 * Functions over range vectors, computed on one window of one series' samples: `t`/`v` hold the samples,
 * the window is [lo, hi). They return undefined when Prometheus drops the element (too few samples).
 * Arithmetic follows Prometheus 2.42 step by step, so results agree to the last bit where JS and Go agree.
 */
import { KahanSum, quantileOf } from './kahan.ts';

export interface WindowContext {
  /** Window bounds in ms (for extrapolation). */
  rangeStart: number;
  rangeEnd: number;
  /** The evaluation timestamp (ms); predict_linear regresses around it. */
  stepTime: number;
  /** Scalar arguments at this step (quantile, duration, smoothing factors). */
  args: number[];
  /**
   * Indices j (ascending) where v[j] < v[j-1] in the whole series, when the caller computed them: counter
   * functions then visit only the resets inside a window instead of every sample.
   */
  resets?: Int32Array;
  resetCount?: number;
}

/** Fills `out` with the counter-reset positions of v[0, length) and returns how many there are. */
export function findResets(v: Float64Array, length: number, out: Int32Array): number {
  let n = 0;
  for (let j = 1; j < length; j++) if (v[j] < v[j - 1]) out[n++] = j;
  return n;
}

export const COUNTER_FUNCTIONS: ReadonlySet<string> = new Set(['rate', 'increase']);

export type RangeFunction = (t: Float64Array, v: Float64Array, lo: number, hi: number, ctx: WindowContext) => number | undefined;

function extrapolatedRate(t: Float64Array, v: Float64Array, lo: number, hi: number, ctx: WindowContext, isCounter: boolean, isRate: boolean): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  let result = v[hi - 1] - v[lo];
  if (isCounter) {
    const resets = ctx.resets;
    if (resets) {
      // The same additions, in the same order, as walking every sample: only resets add anything.
      const count = ctx.resetCount!;
      let a = 0;
      let b = count;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (resets[mid] <= lo) a = mid + 1;
        else b = mid;
      }
      for (; a < count && resets[a] < hi; a++) result += v[resets[a] - 1];
    } else {
      let last = 0;
      for (let i = lo; i < hi; i++) {
        if (v[i] < last) result += last;
        last = v[i];
      }
    }
  }
  let durationToStart = (t[lo] - ctx.rangeStart) / 1000;
  const durationToEnd = (ctx.rangeEnd - t[hi - 1]) / 1000;
  const sampledInterval = (t[hi - 1] - t[lo]) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  if (isCounter && result > 0 && v[lo] >= 0) {
    const durationToZero = sampledInterval * (v[lo] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= (ctx.rangeEnd - ctx.rangeStart) / 1000;
  return result * factor;
}

function instantValue(t: Float64Array, v: Float64Array, lo: number, hi: number, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = v[hi - 1];
  const prev = v[hi - 2];
  let result = isRate && last < prev ? last : last - prev;
  const interval = t[hi - 1] - t[hi - 2];
  if (interval === 0) return undefined;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Least-squares fit of v over t (seconds from interceptTime), with compensated sums as Prometheus does. */
export function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptTime: number): [number, number] {
  const initY = v[lo];
  let constY = true;
  let n = 0;
  const sumX = new KahanSum();
  const sumY = new KahanSum();
  const sumXY = new KahanSum();
  const sumX2 = new KahanSum();
  for (let i = lo; i < hi; i++) {
    if (constY && i > lo && v[i] !== initY) constY = false;
    n++;
    const x = (t[i] - interceptTime) / 1000;
    sumX.add(x);
    sumY.add(v[i]);
    sumXY.add(x * v[i]);
    sumX2.add(x * x);
  }
  if (constY) {
    if (!Number.isFinite(initY) && initY === initY) return [NaN, NaN];
    return [0, initY];
  }
  const sx = sumX.sum + sumX.c;
  const sy = sumY.sum + sumY.c;
  const sxy = sumXY.sum + sumXY.c;
  const sx2 = sumX2.sum + sumX2.c;
  const covXY = sxy - (sx * sy) / n;
  const varX = sx2 - (sx * sx) / n;
  const slope = covXY / varX;
  const intercept = sy / n - (slope * sx) / n;
  return [slope, intercept];
}

/** Incremental mean with compensated summation of the increments. */
function avgOverTime(v: Float64Array, lo: number, hi: number): number {
  const mean = new KahanSum();
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i];
    count++;
    const m = mean.sum;
    if (m === Infinity || m === -Infinity) {
      if ((x === Infinity || x === -Infinity) && m > 0 === x > 0) continue;
      if (x !== Infinity && x !== -Infinity && x === x) continue;
    }
    mean.add(x / count - m / count);
  }
  return mean.value();
}

/** Welford's algorithm with compensated mean and sum of squares. */
function variance(v: Float64Array, lo: number, hi: number): number {
  let count = 0;
  const mean = new KahanSum();
  const aux = new KahanSum();
  for (let i = lo; i < hi; i++) {
    count++;
    const delta = v[i] - (mean.sum + mean.c);
    mean.add(delta / count);
    aux.add(delta * (v[i] - (mean.sum + mean.c)));
  }
  return (aux.sum + aux.c) / count;
}

function collect(v: Float64Array, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i < hi; i++) out.push(v[i]);
  return out;
}

function trend(i: number, tf: number, s0: number, s1: number, b: number): number {
  if (i === 0) return b;
  return tf * (s1 - s0) + (1 - tf) * b;
}

const holtWinters: RangeFunction = (_t, v, lo, hi, ctx) => {
  const [sf, tf] = ctx.args;
  const l = hi - lo;
  if (l < 2) return undefined;
  let s0 = 0;
  let s1 = v[lo];
  let b = v[lo + 1] - v[lo];
  for (let i = 1; i < l; i++) {
    const x = sf * v[lo + i];
    b = trend(i - 1, tf, s0, s1, b);
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
};

export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', (t, v, lo, hi, ctx) => extrapolatedRate(t, v, lo, hi, ctx, true, true)],
  ['increase', (t, v, lo, hi, ctx) => extrapolatedRate(t, v, lo, hi, ctx, true, false)],
  ['delta', (t, v, lo, hi, ctx) => extrapolatedRate(t, v, lo, hi, ctx, false, false)],
  ['irate', (t, v, lo, hi) => instantValue(t, v, lo, hi, true)],
  ['idelta', (t, v, lo, hi) => instantValue(t, v, lo, hi, false)],
  ['deriv', (t, v, lo, hi) => (hi - lo < 2 ? undefined : linearRegression(t, v, lo, hi, t[lo])[0])],
  ['predict_linear', (t, v, lo, hi, ctx) => {
    if (hi - lo < 2) return undefined;
    const [slope, intercept] = linearRegression(t, v, lo, hi, ctx.stepTime);
    return slope * ctx.args[0] + intercept;
  }],
  ['resets', (_t, v, lo, hi) => {
    let n = 0;
    for (let i = lo + 1; i < hi; i++) if (v[i] < v[i - 1]) n++;
    return n;
  }],
  ['changes', (_t, v, lo, hi) => {
    let n = 0;
    for (let i = lo + 1; i < hi; i++) {
      const a = v[i - 1];
      const b = v[i];
      if (a !== b && !(a !== a && b !== b)) n++;
    }
    return n;
  }],
  ['avg_over_time', (_t, v, lo, hi) => avgOverTime(v, lo, hi)],
  ['count_over_time', (_t, _v, lo, hi) => hi - lo],
  ['sum_over_time', (_t, v, lo, hi) => {
    const k = new KahanSum();
    for (let i = lo; i < hi; i++) k.add(v[i]);
    return k.value();
  }],
  ['min_over_time', (_t, v, lo, hi) => {
    let m = v[lo];
    for (let i = lo; i < hi; i++) if (v[i] < m || m !== m) m = v[i];
    return m;
  }],
  ['max_over_time', (_t, v, lo, hi) => {
    let m = v[lo];
    for (let i = lo; i < hi; i++) if (v[i] > m || m !== m) m = v[i];
    return m;
  }],
  ['stddev_over_time', (_t, v, lo, hi) => Math.sqrt(variance(v, lo, hi))],
  ['stdvar_over_time', (_t, v, lo, hi) => variance(v, lo, hi)],
  ['last_over_time', (_t, v, _lo, hi) => v[hi - 1]],
  ['present_over_time', () => 1],
  ['quantile_over_time', (_t, v, lo, hi, ctx) => quantileOf(ctx.args[0], collect(v, lo, hi))],
  ['mad_over_time', (_t, v, lo, hi) => {
    const values = collect(v, lo, hi);
    const median = quantileOf(0.5, values);
    return quantileOf(0.5, values.map((x) => Math.abs(x - median)));
  }],
  ['holt_winters', holtWinters],
  ['double_exponential_smoothing', holtWinters],
]);

/** Range functions whose result keeps the metric name. */
export const KEEPS_NAME: ReadonlySet<string> = new Set(['last_over_time']);
