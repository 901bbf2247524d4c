/** Normalizes Telltale's and Prometheus' query results and compares them (labels exact, values 1e-9 relative). */
import { formatLabels, labelsKey } from '../../src/series/labels.ts';
import type { Labels } from '../../src/series/types.ts';
import type { QueryResult } from '../../src/promql/engine.ts';

export interface Normalized {
  type: string;
  series: { metric: Labels; points: [number, number | string][] }[];
  error?: string;
}

function num(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

export function fromPrometheus(body: any): Normalized {
  if (body.status !== 'success') return { type: 'error', series: [], error: `${body.errorType}: ${body.error}` };
  const d = body.data;
  const ms = (t: number) => Math.round(t * 1000);
  switch (d.resultType) {
    case 'scalar':
      return { type: 'scalar', series: [{ metric: {}, points: [[ms(d.result[0]), num(d.result[1])]] }] };
    case 'string':
      return { type: 'string', series: [{ metric: {}, points: [[ms(d.result[0]), d.result[1]]] }] };
    case 'vector':
      return { type: 'vector', series: d.result.map((s: any) => ({ metric: s.metric, points: [[ms(s.value[0]), num(s.value[1])]] })) };
    default:
      return { type: 'matrix', series: d.result.map((s: any) => ({ metric: s.metric, points: s.values.map((p: any) => [ms(p[0]), num(p[1])]) })) };
  }
}

export function fromTelltale(r: QueryResult | Error): Normalized {
  if (r instanceof Error) return { type: 'error', series: [], error: r.message };
  switch (r.resultType) {
    case 'scalar':
      return { type: 'scalar', series: [{ metric: {}, points: [[r.result.t, r.result.v]] }] };
    case 'string':
      return { type: 'string', series: [{ metric: {}, points: [[r.result.t, r.result.v]] }] };
    case 'vector':
      return { type: 'vector', series: r.result.map((s) => ({ metric: s.metric, points: [[s.t, s.v]] })) };
    case 'matrix':
      return { type: 'matrix', series: r.result.map((s) => ({ metric: s.metric, points: s.t.map((t, i) => [t, s.v[i]] as [number, number]) })) };
  }
}

/** TT_CONFORMANCE_EXACT=1 demands bit-equal floats instead of 1e-9 relative. */
const TOLERANCE = process.env.TT_CONFORMANCE_EXACT === '1' ? 0 : 1e-9;

export function sameValue(a: number | string, b: number | string): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** Undefined when equal, else a description of the first difference. */
export function diff(ours: Normalized, theirs: Normalized, ordered: boolean): string | undefined {
  if (ours.type === 'error' || theirs.type === 'error') {
    if (ours.type === theirs.type) return undefined;
    return `ours: ${ours.error ?? ours.type}, prometheus: ${theirs.error ?? theirs.type}`;
  }
  if (ours.type !== theirs.type) return `result type ${ours.type}, prometheus ${theirs.type}`;
  if (ours.series.length !== theirs.series.length) {
    return `${ours.series.length} series, prometheus ${theirs.series.length}: ours ${ours.series.map((s) => formatLabels(s.metric)).slice(0, 5).join(' ')} | theirs ${theirs.series.map((s) => formatLabels(s.metric)).slice(0, 5).join(' ')}`;
  }
  if (ordered) {
    for (let i = 0; i < ours.series.length; i++) {
      if (!sameValue(ours.series[i].points[0][1], theirs.series[i].points[0][1])) return `order differs at ${i}`;
    }
  }
  const theirsByKey = new Map(theirs.series.map((s) => [labelsKey(s.metric), s]));
  for (const s of ours.series) {
    const t = theirsByKey.get(labelsKey(s.metric));
    if (!t) return `series ${formatLabels(s.metric)} not in prometheus' result (${theirs.series.map((x) => formatLabels(x.metric)).slice(0, 3).join(' ')})`;
    if (s.points.length !== t.points.length) return `${formatLabels(s.metric)}: ${s.points.length} points, prometheus ${t.points.length}`;
    for (let i = 0; i < s.points.length; i++) {
      const [ta, va] = s.points[i];
      const [tb, vb] = t.points[i];
      if (ta !== tb) return `${formatLabels(s.metric)}: point ${i} at ${ta}, prometheus at ${tb}`;
      if (!sameValue(va, vb)) return `${formatLabels(s.metric)} at ${ta}: ${va}, prometheus ${vb}`;
    }
  }
  return undefined;
}
