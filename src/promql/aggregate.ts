/**
 * Aggregation operators. Series are assigned to groups once (labels do not change over steps); each step
 * then folds the present values of every group with Prometheus 2.42's arithmetic (plain summation for sum,
 * an incremental mean for avg, Welford for stddev/stdvar, Go's container/heap for topk/bottomk).
 */
import { TelltaleError } from '../errors.ts';
import { isValidLabelName, labelsKey, sortedNames } from '../series/labels.ts';
import { METRIC_NAME, type Labels } from '../series/types.ts';
import type { Aggregate } from './ast.ts';
import type { Evaluator } from './evaluator.ts';
import { quantileOf } from './functions/kahan.ts';
import { formatGoFloat, formatGoV } from './go-float.ts';
import { SeriesSet } from './series-set.ts';
import { newStepSeries, type StepSeries, type Value } from './value.ts';

function groupLabels(labels: Labels, grouping: readonly string[], without: boolean): Labels {
  const out: Record<string, string> = {};
  for (const name of sortedNames(labels)) {
    const listed = grouping.includes(name);
    if (without ? !listed && name !== METRIC_NAME : listed) out[name] = labels[name];
  }
  return out;
}

export async function evalAggregate(ev: Evaluator, e: Aggregate, ts: Float64Array): Promise<Value> {
  const n = ts.length;
  let param: Float64Array | undefined;
  let label = '';
  if (e.param) {
    if (e.op === 'count_values') {
      const p = await ev.eval(e.param, ts);
      if (p.kind !== 'string') throw new TelltaleError('TT_PROMQL_EXEC', 'count_values needs a string parameter');
      label = p.value;
      if (!isValidLabelName(label)) throw new TelltaleError('TT_PROMQL_EXEC', `invalid label name ${JSON.stringify(label)}`);
    } else param = await ev.evalScalar(e.param, ts);
  }
  const input = (await ev.evalVector(e.expr, ts)).series;
  const groupOf = new Int32Array(input.length);
  const groups: Labels[] = [];
  const index = new Map<string, number>();
  for (let s = 0; s < input.length; s++) {
    const labels = groupLabels(input[s].labels, e.grouping, e.without);
    const key = labelsKey(labels);
    let g = index.get(key);
    if (g === undefined) {
      g = groups.length;
      groups.push(labels);
      index.set(key, g);
    }
    groupOf[s] = g;
  }
  const members: number[][] = groups.map(() => []);
  for (let s = 0; s < input.length; s++) members[groupOf[s]].push(s);
  switch (e.op) {
    case 'topk':
    case 'bottomk':
      return { kind: 'vector', series: selectK(e.op, input, members, param!, n) };
    case 'limitk':
    case 'limit_ratio':
      return { kind: 'vector', series: limit(e.op, input, members, param!, n) };
    case 'count_values': {
      const set = new SeriesSet(n);
      for (let g = 0; g < groups.length; g++) {
        for (let i = 0; i < n; i++) {
          const counts = new Map<string, number>();
          for (const s of members[g]) {
            if (!input[s].present[i]) continue;
            const v = formatGoFloat(input[s].values[i]);
            counts.set(v, (counts.get(v) ?? 0) + 1);
          }
          for (const [v, c] of counts) {
            const out = set.get({ ...groups[g], [label]: v });
            out.values[i] = c;
            out.present[i] = 1;
          }
        }
      }
      return { kind: 'vector', series: set.list };
    }
  }
  if (e.op === 'quantile') return { kind: 'vector', series: quantiles(input, groupOf, groups, param!, n) };
  // Series-outer loops over one accumulator slot per (group, step): each slot still sees the series in
  // input order, so the arithmetic is the same as folding step by step.
  const G = groups.length;
  const count = new Float64Array(G * n);
  const acc = new Float64Array(G * n);
  const mean = e.op === 'avg' || e.op === 'stddev' || e.op === 'stdvar' ? new Float64Array(G * n) : acc;
  for (let s = 0; s < input.length; s++) {
    const { present, values } = input[s];
    const base = groupOf[s] * n;
    switch (e.op) {
      case 'sum':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const k = base + i;
          acc[k] = count[k]++ === 0 ? values[i] : acc[k] + values[i];
        }
        break;
      case 'count':
      case 'group':
        for (let i = 0; i < n; i++) if (present[i]) count[base + i]++;
        break;
      case 'max':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const k = base + i;
          const v = values[i];
          if (count[k]++ === 0 || acc[k] < v || acc[k] !== acc[k]) acc[k] = v;
        }
        break;
      case 'min':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const k = base + i;
          const v = values[i];
          if (count[k]++ === 0 || acc[k] > v || acc[k] !== acc[k]) acc[k] = v;
        }
        break;
      case 'avg':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const k = base + i;
          const v = values[i];
          const c = ++count[k];
          if (c === 1) {
            mean[k] = v;
            continue;
          }
          const m = mean[k];
          // An infinite mean stays as it is unless a NaN or an infinity of the other sign arrives.
          if ((m === Infinity || m === -Infinity) && (((v === Infinity || v === -Infinity) && m > 0 === v > 0) || (v !== Infinity && v !== -Infinity && v === v))) continue;
          mean[k] = m + (v / c - m / c);
        }
        break;
      case 'stddev':
      case 'stdvar':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const k = base + i;
          const v = values[i];
          const c = ++count[k];
          if (c === 1) {
            mean[k] = v;
            acc[k] = 0;
            continue;
          }
          const delta = v - mean[k];
          mean[k] += delta / c;
          acc[k] += delta * (v - mean[k]);
        }
        break;
    }
  }
  const out: StepSeries[] = [];
  for (let g = 0; g < G; g++) {
    const res = newStepSeries(groups[g], n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const k = g * n + i;
      const c = count[k];
      if (c === 0) continue;
      let v: number;
      switch (e.op) {
        case 'avg': v = mean[k]; break;
        case 'count': v = c; break;
        case 'group': v = 1; break;
        case 'stddev': v = Math.sqrt(acc[k] / c); break;
        case 'stdvar': v = acc[k] / c; break;
        default: v = acc[k];
      }
      res.values[i] = v;
      res.present[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: out };
}

function quantiles(input: StepSeries[], groupOf: Int32Array, groups: Labels[], param: Float64Array, n: number): StepSeries[] {
  const out = groups.map((labels) => newStepSeries(labels, n));
  const lists: number[][] = groups.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const l of lists) l.length = 0;
    for (let s = 0; s < input.length; s++) if (input[s].present[i]) lists[groupOf[s]].push(input[s].values[i]);
    for (let g = 0; g < groups.length; g++) {
      if (lists[g].length === 0) continue;
      out[g].values[i] = quantileOf(param[i], lists[g]);
      out[g].present[i] = 1;
    }
  }
  return out.filter((s) => s.present.includes(1));
}

interface HeapItem {
  s: number;
  v: number;
}

/** Go's container/heap over Prometheus' vectorByValueHeap (topk) or vectorByReverseValueHeap (bottomk). */
class GoHeap {
  readonly items: HeapItem[] = [];
  private readonly less: (a: number, b: number) => boolean;
  constructor(less: (a: number, b: number) => boolean) {
    this.less = less;
  }
  private l(i: number, j: number): boolean {
    return this.less(this.items[i].v, this.items[j].v);
  }
  private swap(i: number, j: number): void {
    const t = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = t;
  }
  private up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.l(j, i)) break;
      this.swap(i, j);
      j = i;
    }
  }
  private down(i0: number, n: number): void {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.l(j2, j1)) j = j2;
      if (!this.l(j, i)) break;
      this.swap(i, j);
      i = j;
    }
  }
  push(x: HeapItem): void {
    this.items.push(x);
    this.up(this.items.length - 1);
  }
  pop(): HeapItem {
    const n = this.items.length - 1;
    this.swap(0, n);
    this.down(0, n);
    return this.items.pop()!;
  }
}

const topLess = (a: number, b: number) => (a !== a ? true : a < b);
const bottomLess = (a: number, b: number) => (a !== a ? true : a > b);

/** The k parameter as Go's int64(float64), refusing values that do not fit as Prometheus does. */
function goInt(v: number): number {
  if (!(v <= 9.223372036854776e18 && v >= -9.223372036854776e18)) {
    throw new TelltaleError('TT_PROMQL_EXEC', `Scalar value ${formatGoV(v)} overflows int64`);
  }
  return Math.trunc(v);
}

function selectK(op: 'topk' | 'bottomk', input: StepSeries[], members: number[][], param: Float64Array, n: number): StepSeries[] {
  const out = input.map((s) => newStepSeries(s.labels, n));
  const less = op === 'topk' ? topLess : bottomLess;
  // For an instant query the result order matters: each group's selection, best first.
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = goInt(param[i]);
    if (k < 1) continue;
    for (const list of members) {
      const heap = new GoHeap(less);
      for (const s of list) {
        if (!input[s].present[i]) continue;
        const v = input[s].values[i];
        const h = heap.items;
        if (h.length < k || less(h[0].v, v) || h[0].v !== h[0].v) {
          if (h.length === k) {
            if (k === 1) {
              h[0] = { s, v };
              continue;
            }
            heap.pop();
          }
          heap.push({ s, v });
        }
      }
      const picked = heap.items.slice().sort((a, b) => (less(a.v, b.v) ? 1 : less(b.v, a.v) ? -1 : 0));
      for (const item of picked) {
        out[item.s].values[i] = item.v;
        out[item.s].present[i] = 1;
        if (n === 1) order.push(item.s);
      }
    }
  }
  if (n === 1) return order.map((s) => out[s]);
  return out.filter((s) => s.present.includes(1));
}

/** A stable per-series number in [0, 1) for limit_ratio (FNV-1a of the label set). */
function sampleOffset(labels: Labels): number {
  const key = labelsKey(labels);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 1_000_000) / 1_000_000;
}

function limit(op: 'limitk' | 'limit_ratio', input: StepSeries[], members: number[][], param: Float64Array, n: number): StepSeries[] {
  const out = input.map((s) => newStepSeries(s.labels, n));
  const offsets = op === 'limit_ratio' ? input.map((s) => sampleOffset(s.labels)) : [];
  for (let i = 0; i < n; i++) {
    const p = param[i];
    if (op === 'limit_ratio') {
      if (p !== p) throw new TelltaleError('TT_PROMQL_EXEC', 'Ratio value is NaN');
      const r = Math.max(-1, Math.min(1, p));
      for (let s = 0; s < input.length; s++) {
        if (!input[s].present[i]) continue;
        const take = r >= 0 ? offsets[s] < r : offsets[s] >= 1 + r;
        if (take) {
          out[s].values[i] = input[s].values[i];
          out[s].present[i] = 1;
        }
      }
      continue;
    }
    const k = goInt(p);
    if (k < 1) continue;
    for (const list of members) {
      let taken = 0;
      for (const s of list) {
        if (taken >= k) break;
        if (!input[s].present[i]) continue;
        out[s].values[i] = input[s].values[i];
        out[s].present[i] = 1;
        taken++;
      }
    }
  }
  return out.filter((s) => s.present.includes(1));
}
