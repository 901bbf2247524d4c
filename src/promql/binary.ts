/**
 * Binary operators: scalar/scalar, vector/scalar, and vector/vector with Prometheus' vector matching
 * (on/ignoring, group_left/group_right) and its errors. Label-set work (signatures, result labels) is done
 * once per series; only the per-step value work runs for every timestamp.
 */
import { TelltaleError } from '../errors.ts';
import { formatLabels, labelsKey, sortedNames } from '../series/labels.ts';
import { METRIC_NAME, type Labels } from '../series/types.ts';
import { COMPARISON_OPS, type Binary, type BinaryOp, type VectorMatching } from './ast.ts';
import type { Evaluator } from './evaluator.ts';
import { withoutName } from './functions/labels.ts';
import { goPow } from './functions/math.ts';
import { mergeByLabels, SeriesSet } from './series-set.ts';
import { newStepSeries, type StepSeries, type Value, type VectorValue } from './value.ts';

/** The arithmetic result, or for comparisons the left value when the comparison holds (NaN-safe `keep`). */
function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return l / r;
    case '%': return l % r;
    case '^': return goPow(l, r);
    case 'atan2': return Math.atan2(l, r);
    default: return NaN;
  }
}

function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==': return l === r;
    case '!=': return l !== r;
    case '>': return l > r;
    case '<': return l < r;
    case '>=': return l >= r;
    case '<=': return l <= r;
    default: return false;
  }
}

/** Prometheus 2 drops the metric name for arithmetic (but not atan2) and for comparisons with `bool`. */
function dropsName(e: Binary): boolean {
  return COMPARISON_OPS.has(e.op) ? e.bool : e.op !== 'atan2';
}

export async function evalBinary(ev: Evaluator, e: Binary, ts: Float64Array): Promise<Value> {
  const [lhs, rhs] = await Promise.all([ev.eval(e.lhs, ts), ev.eval(e.rhs, ts)]);
  const n = ts.length;
  const isCmp = COMPARISON_OPS.has(e.op);
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = isCmp ? (compare(e.op, lhs.values[i], rhs.values[i]) ? 1 : 0) : arith(e.op, lhs.values[i], rhs.values[i]);
    return { kind: 'scalar', values: out };
  }
  if (lhs.kind === 'vector' && rhs.kind === 'vector') return vectorBinary(e, lhs, rhs, n);
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') return vectorScalar(e, lhs, rhs.values, false, n);
  if (lhs.kind === 'scalar' && rhs.kind === 'vector') return vectorScalar(e, rhs, lhs.values, true, n);
  throw new TelltaleError('TT_PROMQL_EXEC', `binary expression must contain only scalar and instant vector types`);
}

function vectorScalar(e: Binary, vec: VectorValue, scalar: Float64Array, swap: boolean, n: number): VectorValue {
  const isCmp = COMPARISON_OPS.has(e.op);
  const dropName = dropsName(e);
  const out: StepSeries[] = [];
  for (const s of vec.series) {
    const res = newStepSeries(dropName ? withoutName(s.labels) : s.labels, n);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.present[i]) continue;
      const l = swap ? scalar[i] : s.values[i];
      const r = swap ? s.values[i] : scalar[i];
      let v: number;
      if (isCmp) {
        const keep = compare(e.op, l, r);
        if (e.bool) v = keep ? 1 : 0;
        else if (keep) v = s.values[i];
        else continue;
      } else v = arith(e.op, l, r);
      res.values[i] = v;
      res.present[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return { kind: 'vector', series: dropName ? mergeByLabels(out, n) : out };
}

/** The matching signature of a label set: the `on` labels, or all but the `ignoring` labels and the name. */
function signature(labels: Labels, m: VectorMatching): string {
  let key = '';
  if (m.on) {
    for (const name of [...m.labels].sort()) key += `${name}\xfe${labels[name] ?? ''}\xff`;
    return key;
  }
  for (const name of sortedNames(labels)) {
    if (name === METRIC_NAME || m.labels.includes(name)) continue;
    key += `${name}\xfe${labels[name]}\xff`;
  }
  return key;
}

function matchLabels(labels: Labels, m: VectorMatching): Labels {
  const out: Record<string, string> = {};
  for (const name of sortedNames(labels)) {
    const inSet = m.labels.includes(name);
    if (m.on ? inSet : !inSet && name !== METRIC_NAME) out[name] = labels[name];
  }
  return out;
}

function vectorBinary(e: Binary, lhs: VectorValue, rhs: VectorValue, n: number): VectorValue {
  const m = e.matching!;
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setOperation(e.op, m, lhs, rhs, n);
  const isCmp = COMPARISON_OPS.has(e.op);
  const swapSides = m.card === 'one-to-many';
  const many = swapSides ? rhs.series : lhs.series;
  const one = swapSides ? lhs.series : rhs.series;
  const oneSigs = new Map<string, number[]>();
  for (let j = 0; j < one.length; j++) {
    const sig = signature(one[j].labels, m);
    const list = oneSigs.get(sig);
    if (list) list.push(j);
    else oneSigs.set(sig, [j]);
  }
  // The "one" side may hold a signature only once per step: many-to-many matching is an error.
  for (const list of oneSigs.values()) {
    if (list.length < 2) continue;
    for (let i = 0; i < n; i++) {
      let first = -1;
      for (const j of list) {
        if (!one[j].present[i]) continue;
        if (first >= 0) {
          const side = swapSides ? 'left' : 'right';
          throw new TelltaleError(
            'TT_PROMQL_EXEC',
            `found duplicate series for the match group ${formatLabels(matchLabels(one[j].labels, m))} on the ${side} hand-side of the operation: [${formatLabels(one[j].labels)}, ${formatLabels(one[first].labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
          );
        }
        first = j;
      }
    }
  }
  const dropName = dropsName(e);
  const set = new SeriesSet(n);
  // Per signature and step: which "many"-side series already matched (one-to-one) or which output label sets
  // were produced (many-to-one), to report Prometheus' errors.
  const matchedAt = new Map<string, Int32Array>();
  const producedBy = new Map<string, string>();
  const resultCache = new Map<string, { labels: Labels; key: string }>();
  for (let li = 0; li < many.length; li++) {
    const ls = many[li];
    const sig = signature(ls.labels, m);
    const candidates = oneSigs.get(sig);
    if (!candidates) continue;
    let matched = matchedAt.get(sig);
    for (let i = 0; i < n; i++) {
      if (!ls.present[i]) continue;
      let rj = -1;
      for (const j of candidates) if (one[j].present[i]) rj = j;
      if (rj < 0) continue;
      const rs = one[rj];
      let vl = ls.values[i];
      let vr = rs.values[i];
      if (swapSides) [vl, vr] = [vr, vl];
      let v: number;
      if (isCmp) {
        const keep = compare(e.op, vl, vr);
        if (e.bool) v = keep ? 1 : 0;
        else if (keep) v = vl;
        else continue;
      } else v = arith(e.op, vl, vr);
      const cacheKey = `${li}:${rj}`;
      let result = resultCache.get(cacheKey);
      if (!result) {
        const labels = resultLabels(ls.labels, rs.labels, m, dropName);
        result = { labels, key: labelsKey(labels) };
        resultCache.set(cacheKey, result);
      }
      if (m.card === 'one-to-one') {
        if (!matched) {
          matched = new Int32Array(n).fill(-1);
          matchedAt.set(sig, matched);
        }
        if (matched[i] >= 0 && matched[i] !== li) {
          throw new TelltaleError('TT_PROMQL_EXEC', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        }
        matched[i] = li;
      }
      const out = set.get(result.labels, result.key);
      if (out.present[i]) {
        const sameGroup = producedBy.get(`${result.key}@${i}`) === sig;
        throw new TelltaleError(
          'TT_PROMQL_EXEC',
          sameGroup && m.card !== 'one-to-one' ? 'multiple matches for labels: grouping labels must ensure unique matches' : 'vector cannot contain metrics with the same labelset',
        );
      }
      if (m.card !== 'one-to-one') producedBy.set(`${result.key}@${i}`, sig);
      out.values[i] = v;
      out.present[i] = 1;
    }
  }
  return { kind: 'vector', series: set.list };
}

function resultLabels(ls: Labels, rs: Labels, m: VectorMatching, dropName: boolean): Labels {
  const out: Record<string, string> = { ...ls };
  if (dropName) delete out[METRIC_NAME];
  if (m.card === 'one-to-one') {
    if (m.on) {
      for (const k of Object.keys(out)) if (!m.labels.includes(k)) delete out[k];
    } else {
      for (const k of m.labels) delete out[k];
    }
  }
  for (const name of m.include) {
    const v = rs[name];
    if (v !== undefined && v !== '') out[name] = v;
    else delete out[name];
  }
  return out;
}

function setOperation(op: 'and' | 'or' | 'unless', m: VectorMatching, lhs: VectorValue, rhs: VectorValue, n: number): VectorValue {
  const rightBySig = new Map<string, StepSeries[]>();
  for (const s of rhs.series) {
    const sig = signature(s.labels, m);
    const list = rightBySig.get(sig);
    if (list) list.push(s);
    else rightBySig.set(sig, [s]);
  }
  const anyAt = (list: StepSeries[] | undefined, i: number) => {
    if (!list) return false;
    for (const s of list) if (s.present[i]) return true;
    return false;
  };
  if (op === 'and' || op === 'unless') {
    const out: StepSeries[] = [];
    for (const ls of lhs.series) {
      const list = rightBySig.get(signature(ls.labels, m));
      const res = newStepSeries(ls.labels, n);
      let any = false;
      for (let i = 0; i < n; i++) {
        if (!ls.present[i]) continue;
        if (anyAt(list, i) !== (op === 'and')) continue;
        res.values[i] = ls.values[i];
        res.present[i] = 1;
        any = true;
      }
      if (any) out.push(res);
    }
    return { kind: 'vector', series: out };
  }
  const leftBySig = new Map<string, StepSeries[]>();
  const set = new SeriesSet(n);
  for (const ls of lhs.series) {
    const sig = signature(ls.labels, m);
    const list = leftBySig.get(sig);
    if (list) list.push(ls);
    else leftBySig.set(sig, [ls]);
    const out = set.get(ls.labels);
    for (let i = 0; i < n; i++) {
      if (!ls.present[i]) continue;
      out.values[i] = ls.values[i];
      out.present[i] = 1;
    }
  }
  for (const rs of rhs.series) {
    const left = leftBySig.get(signature(rs.labels, m));
    let out: StepSeries | undefined;
    for (let i = 0; i < n; i++) {
      if (!rs.present[i] || anyAt(left, i)) continue;
      out ??= set.get(rs.labels);
      if (out.present[i]) throw new TelltaleError('TT_PROMQL_EXEC', 'vector cannot contain metrics with the same labelset');
      out.values[i] = rs.values[i];
      out.present[i] = 1;
    }
  }
  return { kind: 'vector', series: set.list.filter((s) => s.present.includes(1)) };
}
