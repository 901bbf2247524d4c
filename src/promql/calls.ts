/** Functions whose arguments are instant vectors, scalars and strings (range functions: evaluator.ts). */
import { TelltaleError } from '../errors.ts';
import { compareLabels, isValidLabelName, labelsKey } from '../series/labels.ts';
import { compileRegex } from '../series/matchers.ts';
import { METRIC_NAME, type Labels } from '../series/types.ts';
import type { Call, Expr } from './ast.ts';
import { absentResult, type Evaluator } from './evaluator.ts';
import { absentLabels } from './functions/absent.ts';
import { bucketQuantile, parseBound, type Bucket } from './functions/histogram.ts';
import { byValueNaNFirst } from './functions/kahan.ts';
import { compareByLabels, expandTemplate, withLabel, withoutName } from './functions/labels.ts';
import { DATE_FUNCTIONS, MATH_FUNCTIONS, roundTo } from './functions/math.ts';
import { mergeByLabels, SeriesSet } from './series-set.ts';
import { newStepSeries, type StepSeries, type Value, type VectorValue } from './value.ts';

const NATIVE_ONLY = new Set(['histogram_count', 'histogram_sum', 'histogram_fraction', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar']);

function mapValues(v: VectorValue, n: number, f: (x: number, i: number) => number, dropName = true): VectorValue {
  const out = v.series.map((s) => {
    const res = newStepSeries(dropName ? withoutName(s.labels) : s.labels, n);
    for (let i = 0; i < n; i++) {
      if (!s.present[i]) continue;
      res.values[i] = f(s.values[i], i);
      res.present[i] = 1;
    }
    return res;
  });
  return { kind: 'vector', series: dropName ? mergeByLabels(out, n) : out };
}

function unwrap(e: Expr): Expr {
  while (e.type === 'paren') e = e.expr;
  return e;
}

async function stringArg(ev: Evaluator, e: Expr, ts: Float64Array): Promise<string> {
  const v = await ev.eval(e, ts);
  if (v.kind !== 'string') throw new TelltaleError('TT_PROMQL_EXEC', 'expected a string argument');
  return v.value;
}

export async function evalInstantCall(ev: Evaluator, e: Call, ts: Float64Array): Promise<Value> {
  const n = ts.length;
  const f = e.func;
  const math = MATH_FUNCTIONS.get(f);
  if (math) return mapValues(await ev.evalVector(e.args[0], ts), n, math);
  const date = DATE_FUNCTIONS.get(f);
  if (date) {
    if (e.args.length === 0) {
      const s = newStepSeries({}, n);
      for (let i = 0; i < n; i++) {
        s.values[i] = date(ts[i] / 1000);
        s.present[i] = 1;
      }
      return { kind: 'vector', series: [s] };
    }
    return mapValues(await ev.evalVector(e.args[0], ts), n, date);
  }
  if (NATIVE_ONLY.has(f)) {
    // These read native histogram samples only; float samples (all this engine stores) are skipped.
    await ev.eval(e.args[e.args.length - 1], ts);
    return { kind: 'vector', series: [] };
  }
  switch (f) {
    case 'time':
      return { kind: 'scalar', values: ts.map((t) => t / 1000) };
    case 'pi':
      return { kind: 'scalar', values: new Float64Array(n).fill(Math.PI) };
    case 'vector': {
      const v = await ev.evalScalar(e.args[0], ts);
      const s = newStepSeries({}, n);
      s.values.set(v);
      s.present.fill(1);
      return { kind: 'vector', series: [s] };
    }
    case 'scalar': {
      const v = await ev.evalVector(e.args[0], ts);
      const out = new Float64Array(n).fill(NaN);
      for (let i = 0; i < n; i++) {
        let count = 0;
        for (const s of v.series) {
          if (s.present[i]) {
            count++;
            out[i] = s.values[i];
          }
        }
        if (count !== 1) out[i] = NaN;
      }
      return { kind: 'scalar', values: out };
    }
    case 'clamp':
    case 'clamp_min':
    case 'clamp_max': {
      const v = await ev.evalVector(e.args[0], ts);
      const a = await ev.evalScalar(e.args[1], ts);
      const b = f === 'clamp' ? await ev.evalScalar(e.args[2], ts) : undefined;
      if (f === 'clamp') {
        const mask = new Uint8Array(n);
        for (let i = 0; i < n; i++) mask[i] = b![i] < a[i] ? 0 : 1;
        const masked = v.series.map((s) => ({ labels: s.labels, values: s.values, present: s.present.map((p, i) => p & mask[i]) }));
        return mapValues({ kind: 'vector', series: masked }, n, (x, i) => Math.max(a[i], Math.min(b![i], x)));
      }
      return mapValues(v, n, f === 'clamp_min' ? (x, i) => Math.max(x, a[i]) : (x, i) => Math.min(x, a[i]));
    }
    case 'round': {
      const v = await ev.evalVector(e.args[0], ts);
      const to = e.args[1] ? await ev.evalScalar(e.args[1], ts) : new Float64Array(n).fill(1);
      return mapValues(v, n, (x, i) => roundTo(x, to[i]));
    }
    case 'timestamp': {
      const arg = unwrap(e.args[0]);
      if (arg.type === 'vector_selector') {
        // The sample's own timestamp, not the evaluation time the selector result carries.
        const v = await ev.vectorSelector(arg, ts, true);
        const times = v.times!;
        const series = v.series.map((s, k) => {
          const res = newStepSeries(withoutName(s.labels), n);
          for (let i = 0; i < n; i++) {
            if (!s.present[i]) continue;
            res.values[i] = times[k][i] / 1000;
            res.present[i] = 1;
          }
          return res;
        });
        return { kind: 'vector', series: mergeByLabels(series, n) };
      }
      return mapValues(await ev.evalVector(arg, ts), n, (_x, i) => ts[i] / 1000);
    }
    case 'sort':
    case 'sort_desc': {
      const v = await ev.evalVector(e.args[0], ts);
      if (n !== 1) return v;
      // NaN last in both directions, as Prometheus sorts.
      const sign = f === 'sort' ? 1 : -1;
      const series = [...v.series].sort((a, b) => {
        const x = a.values[0];
        const y = b.values[0];
        if (x !== x) return y !== y ? 0 : 1;
        if (y !== y) return -1;
        return sign * byValueNaNFirst(x, y);
      });
      return { kind: 'vector', series };
    }
    case 'sort_by_label':
    case 'sort_by_label_desc': {
      const v = await ev.evalVector(e.args[0], ts);
      const names: string[] = [];
      for (const a of e.args.slice(1)) names.push(await stringArg(ev, a, ts));
      const sign = f === 'sort_by_label' ? 1 : -1;
      const series = [...v.series].sort((a, b) => sign * (compareByLabels(a.labels, b.labels, names) || compareLabels(a.labels, b.labels)));
      return { kind: 'vector', series };
    }
    case 'absent': {
      const v = await ev.evalVector(e.args[0], ts);
      const any = new Uint8Array(n);
      for (const s of v.series) for (let i = 0; i < n; i++) any[i] |= s.present[i];
      const arg = unwrap(e.args[0]);
      return absentResult(any, arg.type === 'vector_selector' ? absentLabels(arg) : {});
    }
    case 'label_replace':
      return labelReplace(ev, e, ts);
    case 'label_join':
      return labelJoin(ev, e, ts);
    case 'histogram_quantile':
      return histogramQuantile(ev, e, ts);
  }
  throw new TelltaleError('TT_PROMQL_EXEC', `function ${JSON.stringify(f)} is not implemented`);
}

function relabel(v: VectorValue, n: number, f: (l: Labels) => Labels): VectorValue {
  const series: StepSeries[] = v.series.map((s) => ({ labels: f(s.labels), values: s.values, present: s.present }));
  return { kind: 'vector', series: mergeByLabels(series, n) };
}

async function labelReplace(ev: Evaluator, e: Call, ts: Float64Array): Promise<Value> {
  const v = await ev.evalVector(e.args[0], ts);
  const [dst, repl, src, regex] = await Promise.all(e.args.slice(1).map((a) => stringArg(ev, a, ts)));
  let re: RegExp;
  try {
    re = compileRegex(regex);
  } catch (err) {
    throw new TelltaleError('TT_PROMQL_EXEC', `invalid regular expression in label_replace(): ${regex}`, { cause: err });
  }
  if (!isValidLabelName(dst) && dst !== METRIC_NAME) {
    throw new TelltaleError('TT_PROMQL_EXEC', `invalid destination label name in label_replace(): ${dst}`);
  }
  return relabel(v, ts.length, (labels) => {
    const m = re.exec(labels[src] ?? '');
    if (!m) return labels;
    return withLabel(labels, dst, expandTemplate(repl, m));
  });
}

async function labelJoin(ev: Evaluator, e: Call, ts: Float64Array): Promise<Value> {
  const v = await ev.evalVector(e.args[0], ts);
  const [dst, sep, ...srcs] = await Promise.all(e.args.slice(1).map((a) => stringArg(ev, a, ts)));
  if (!isValidLabelName(dst) && dst !== METRIC_NAME) throw new TelltaleError('TT_PROMQL_EXEC', `invalid destination label name in label_join(): ${dst}`);
  for (const s of srcs) {
    if (!isValidLabelName(s) && s !== METRIC_NAME) throw new TelltaleError('TT_PROMQL_EXEC', `invalid source label name in label_join(): ${s}`);
  }
  return relabel(v, ts.length, (labels) => withLabel(labels, dst, srcs.map((s) => labels[s] ?? '').join(sep)));
}

async function histogramQuantile(ev: Evaluator, e: Call, ts: Float64Array): Promise<Value> {
  const n = ts.length;
  const q = await ev.evalScalar(e.args[0], ts);
  const v = await ev.evalVector(e.args[1], ts);
  // Buckets group by every label but `le` (the metric name included); the result drops name and `le`.
  const groups = new Map<string, { labels: Labels; members: { s: StepSeries; le: number }[] }>();
  for (const s of v.series) {
    const le = parseBound(s.labels.le ?? '');
    if (le === undefined) continue;
    const rest: Record<string, string> = { ...s.labels };
    delete rest.le;
    const key = labelsKey(rest);
    let g = groups.get(key);
    if (!g) {
      delete rest[METRIC_NAME];
      g = { labels: rest, members: [] };
      groups.set(key, g);
    }
    g.members.push({ s, le });
  }
  const set = new SeriesSet(n);
  for (const g of groups.values()) {
    const outKey = labelsKey(g.labels);
    for (let i = 0; i < n; i++) {
      const buckets: Bucket[] = [];
      for (const m of g.members) if (m.s.present[i]) buckets.push({ upperBound: m.le, count: m.s.values[i] });
      if (buckets.length === 0) continue;
      set.put(g.labels, i, bucketQuantile(q[i], buckets), outKey);
    }
  }
  return { kind: 'vector', series: set.list };
}
