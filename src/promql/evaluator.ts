/**
 * The evaluator: every node is evaluated once for all evaluation timestamps (Prometheus' matrix-style range
 * evaluation), and every selector reads each of its series with one iterator. Timestamps need not be evenly
 * spaced: subqueries evaluate their inner expression at exactly the aligned steps their windows need.
 */
import { TelltaleError } from '../errors.ts';
import type { Queryable } from '../series/types.ts';
import type { Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.ts';
import { evalAggregate } from './aggregate.ts';
import { evalBinary } from './binary.ts';
import { evalInstantCall } from './calls.ts';
import { COUNTER_FUNCTIONS, findResets, KEEPS_NAME, RANGE_FUNCTIONS, type WindowContext } from './functions/range.ts';
import { absentLabels } from './functions/absent.ts';
import { withoutName } from './functions/labels.ts';
import type { QueryGuard } from './limits.ts';
import { minMax, refTimes, SampleBuffer, sampleAtSteps, stepSeriesToSamples, windows, type QueryTimes } from './selectors.ts';
import { mergeByLabels } from './series-set.ts';
import { FUNCTIONS } from './signatures.ts';
import { newStepSeries, type SampleSeries, type ScalarValue, type StepSeries, type Value, type VectorValue } from './value.ts';

export interface EvaluatorOptions {
  readonly queryable: Queryable;
  readonly times: QueryTimes;
  /** How far back an instant selector looks for a sample (5m). */
  readonly lookback: number;
  /** Resolution of subqueries written without a step (the global evaluation interval, 1m). */
  readonly subqueryStep: number;
  readonly guard: QueryGuard;
}

export class Evaluator {
  readonly opts: EvaluatorOptions;
  constructor(opts: EvaluatorOptions) {
    this.opts = opts;
  }

  async eval(e: Expr, ts: Float64Array): Promise<Value> {
    this.opts.guard.check('expression evaluation');
    switch (e.type) {
      case 'number':
        return { kind: 'scalar', values: new Float64Array(ts.length).fill(e.value) };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr, ts);
      case 'unary': {
        const v = await this.eval(e.expr, ts);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', values: v.values.map((x) => -x) };
        if (v.kind !== 'vector') throw new TelltaleError('TT_PROMQL_EXEC', 'unary minus on a non-numeric value');
        const out = v.series.map((s) => ({ labels: withoutName(s.labels), values: s.values.map((x) => -x), present: s.present }));
        return { kind: 'vector', series: mergeByLabels(out, ts.length) };
      }
      case 'vector_selector':
        return this.vectorSelector(e, ts);
      case 'matrix_selector':
        return this.matrixResult(e, ts);
      case 'subquery': {
        const { series } = await this.subquery(e, ts);
        return { kind: 'matrix', series };
      }
      case 'aggregate':
        return evalAggregate(this, e, ts);
      case 'binary':
        return evalBinary(this, e, ts);
      case 'call':
        return this.call(e, ts);
    }
  }

  async evalVector(e: Expr, ts: Float64Array): Promise<VectorValue> {
    const v = await this.eval(e, ts);
    if (v.kind !== 'vector') throw new TelltaleError('TT_PROMQL_EXEC', `expected an instant vector, got ${v.kind}`);
    return v;
  }

  async evalScalar(e: Expr, ts: Float64Array): Promise<Float64Array> {
    const v = await this.eval(e, ts);
    if (v.kind !== 'scalar') throw new TelltaleError('TT_PROMQL_EXEC', `expected a scalar, got ${v.kind}`);
    return v.values;
  }

  async vectorSelector(sel: VectorSelector, ts: Float64Array, sampleTimes = false): Promise<VectorValue & { times?: Float64Array[] }> {
    const { lookback, guard } = this.opts;
    const refs = refTimes(ts, sel.at, sel.offset, this.opts.times);
    const [lo, hi] = minMax(refs);
    const selected = await this.opts.queryable.select(sel.matchers, lo - lookback, hi, { start: lo - lookback, end: hi });
    const series: StepSeries[] = [];
    const times: Float64Array[] = [];
    let i = 0;
    for (const s of selected) {
      if ((++i & 255) === 0) guard.check('series selection');
      const out = newStepSeries(s.labels, ts.length);
      const tt = sampleTimes ? new Float64Array(ts.length) : undefined;
      const count = sampleAtSteps(s, refs, lookback, out, tt);
      if (count === 0) continue;
      guard.add(count);
      series.push(out);
      if (tt) times.push(tt);
    }
    return sampleTimes ? { kind: 'vector', series, times } : { kind: 'vector', series };
  }

  /** A range selector as a result of its own (instant query of `foo[5m]`): the samples in the window. */
  private async matrixResult(e: MatrixSelector, ts: Float64Array): Promise<Value> {
    if (ts.length !== 1) throw new TelltaleError('TT_PROMQL_EXEC', 'a range vector can only be the result of an instant query');
    const sel = e.selector;
    const ref = refTimes(ts, sel.at, sel.offset, this.opts.times)[0];
    const selected = await this.opts.queryable.select(sel.matchers, ref - e.range, ref, { start: ref - e.range, end: ref, range: e.range });
    const series: SampleSeries[] = [];
    for (const s of selected) {
      const buf = new SampleBuffer().load(s, ref - e.range, ref);
      if (buf.length === 0) continue;
      this.opts.guard.add(buf.length);
      series.push({ labels: s.labels, t: buf.t.slice(0, buf.length), v: buf.v.slice(0, buf.length), length: buf.length });
    }
    return { kind: 'matrix', series };
  }

  /**
   * Evaluates a subquery's inner expression at the aligned steps its windows cover and returns the result
   * as sample series, with the reference time of each outer timestamp.
   */
  async subquery(e: SubqueryExpr, ts: Float64Array): Promise<{ series: SampleSeries[]; refs: Float64Array }> {
    const step = e.step || this.opts.subqueryStep;
    const refs = refTimes(ts, e.at, e.offset, this.opts.times);
    const inner: number[] = [];
    let next = -Infinity;
    for (let i = 0; i < refs.length; i++) {
      const from = refs[i] - e.range;
      let first = step * Math.trunc(from / step);
      if (first < from) first += step;
      if (first < next) first = next;
      for (let t = first; t <= refs[i]; t += step) inner.push(t);
      if (inner.length > 0) next = inner[inner.length - 1] + step;
      if (inner.length > this.opts.guard.limits.maxSamples) {
        throw new TelltaleError('TT_PROMQL_EXEC', 'query processing would load too many samples into memory in query execution', { field: 'max_samples' });
      }
    }
    const innerTs = Float64Array.from(inner);
    if (innerTs.length === 0) return { series: [], refs };
    const v = await this.evalVector(e.expr, innerTs);
    const series: SampleSeries[] = [];
    for (const s of v.series) {
      const samples = stepSeriesToSamples(s, innerTs);
      if (samples.length > 0) series.push(samples);
    }
    return { series, refs };
  }

  private async call(e: Call, ts: Float64Array): Promise<Value> {
    const sig = FUNCTIONS.get(e.func)!;
    const matrixArg = sig.args.indexOf('matrix');
    if (matrixArg < 0) return evalInstantCall(this, e, ts);
    const scalars: Float64Array[] = [];
    for (let i = 0; i < e.args.length; i++) if (i !== matrixArg) scalars.push(await this.evalScalar(e.args[i], ts));
    if (e.func === 'holt_winters' || e.func === 'double_exponential_smoothing') checkSmoothing(scalars);
    let arg = e.args[matrixArg];
    while (arg.type === 'paren') arg = arg.expr;
    const fn = RANGE_FUNCTIONS.get(e.func);
    const n = ts.length;
    const out: StepSeries[] = [];
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    const ctx: WindowContext = { rangeStart: 0, rangeEnd: 0, stepTime: 0, args: scalars.map(() => 0) };
    const keepName = KEEPS_NAME.has(e.func);
    const absent = e.func === 'absent_over_time';
    const anyPresent = absent ? new Uint8Array(n) : undefined;
    const counter = COUNTER_FUNCTIONS.has(e.func);
    let resets = new Int32Array(0);
    const apply = (s: SampleSeries, refs: Float64Array, range: number) => {
      windows(s, refs, range, lo, hi);
      if (counter) {
        if (resets.length < s.length) resets = new Int32Array(s.length);
        ctx.resets = resets;
        ctx.resetCount = findResets(s.v, s.length, resets);
      }
      const res = newStepSeries(keepName ? s.labels : withoutName(s.labels), n);
      let any = false;
      for (let i = 0; i < n; i++) {
        if (hi[i] <= lo[i]) continue;
        if (anyPresent) {
          anyPresent[i] = 1;
          continue;
        }
        ctx.rangeStart = refs[i] - range;
        ctx.rangeEnd = refs[i];
        ctx.stepTime = ts[i];
        for (let k = 0; k < scalars.length; k++) ctx.args[k] = scalars[k][i];
        const v = fn!(s.t, s.v, lo[i], hi[i], ctx);
        if (v === undefined) continue;
        res.values[i] = v;
        res.present[i] = 1;
        any = true;
      }
      if (any) out.push(res);
    };
    if (arg.type === 'matrix_selector') {
      const sel = arg.selector;
      const refs = refTimes(ts, sel.at, sel.offset, this.opts.times);
      const [minRef, maxRef] = minMax(refs);
      const mint = minRef - arg.range;
      const selected = await this.opts.queryable.select(sel.matchers, mint, maxRef, { start: mint, end: maxRef, range: arg.range, func: e.func });
      const buf = new SampleBuffer();
      let k = 0;
      for (const s of selected) {
        if ((++k & 63) === 0) this.opts.guard.check('range function evaluation');
        buf.load(s, mint, maxRef);
        this.opts.guard.add(buf.length);
        apply(buf, refs, arg.range);
        this.opts.guard.release(buf.length);
      }
      if (anyPresent) return absentResult(anyPresent, absentLabels(sel));
    } else if (arg.type === 'subquery') {
      const { series, refs } = await this.subquery(arg, ts);
      for (const s of series) apply(s, refs, arg.range);
      if (anyPresent) return absentResult(anyPresent, {});
    } else {
      throw new TelltaleError('TT_PROMQL_EXEC', `expected a range vector argument in call to ${e.func}`);
    }
    for (const s of out) this.opts.guard.add(countPresent(s));
    return { kind: 'vector', series: mergeByLabels(out, n, true) };
  }
}

function checkSmoothing(scalars: Float64Array[]): void {
  const [sf, tf] = scalars;
  for (let i = 0; i < sf.length; i++) {
    if (!(sf[i] > 0 && sf[i] < 1)) throw new TelltaleError('TT_PROMQL_EXEC', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf[i].toFixed(6)}`);
    if (!(tf[i] > 0 && tf[i] < 1)) throw new TelltaleError('TT_PROMQL_EXEC', `invalid trend factor. Expected: 0 < tf < 1, got: ${tf[i].toFixed(6)}`);
  }
}

export function absentResult(anyPresent: Uint8Array, labels: Record<string, string>): VectorValue {
  const s = newStepSeries(labels, anyPresent.length);
  for (let i = 0; i < anyPresent.length; i++) {
    if (!anyPresent[i]) {
      s.values[i] = 1;
      s.present[i] = 1;
    }
  }
  return { kind: 'vector', series: s.present.includes(1) ? [s] : [] };
}

export function countPresent(s: StepSeries): number {
  let c = 0;
  for (let i = 0; i < s.present.length; i++) c += s.present[i];
  return c;
}

export type { ScalarValue };
