/** Building result vectors keyed by label set, with Prometheus' duplicate-labelset errors. */
import { TelltaleError } from '../errors.ts';
import { labelsKey } from '../series/labels.ts';
import type { Labels } from '../series/types.ts';
import { newStepSeries, type StepSeries } from './value.ts';

export const DUPLICATE_LABELSET = 'vector cannot contain metrics with the same labelset';

/** Output series by label set: `get` returns the series for a label set, creating it on first use. */
export class SeriesSet {
  private readonly n: number;
  private readonly byKey = new Map<string, StepSeries>();
  readonly list: StepSeries[] = [];

  constructor(n: number) {
    this.n = n;
  }

  get(labels: Labels, key = labelsKey(labels)): StepSeries {
    let s = this.byKey.get(key);
    if (!s) {
      s = newStepSeries(labels, this.n);
      this.byKey.set(key, s);
      this.list.push(s);
    }
    return s;
  }

  /** Sets the value at step i; two inputs landing on one label set at the same step is an error. */
  put(labels: Labels, i: number, v: number, key?: string): void {
    const s = this.get(labels, key);
    if (s.present[i]) throw new TelltaleError('TT_PROMQL_EXEC', DUPLICATE_LABELSET);
    s.values[i] = v;
    s.present[i] = 1;
  }
}

/** Merges series that share a label set (after labels were rewritten); overlapping steps are an error. */
export function mergeByLabels(series: StepSeries[], n: number, strict = false): StepSeries[] {
  const keys = new Map<string, StepSeries>();
  let dup = false;
  for (const s of series) {
    const k = labelsKey(s.labels);
    if (keys.has(k)) dup = true;
    else keys.set(k, s);
  }
  if (!dup) return series;
  if (strict) {
    const seen = new Set<string>();
    for (const s of series) {
      if (!s.present.includes(1)) continue;
      const k = labelsKey(s.labels);
      if (seen.has(k)) throw new TelltaleError('TT_PROMQL_EXEC', DUPLICATE_LABELSET);
      seen.add(k);
    }
  }
  const set = new SeriesSet(n);
  for (const s of series) {
    for (let i = 0; i < n; i++) if (s.present[i]) set.put(s.labels, i, s.values[i]);
  }
  return set.list;
}

export function hasPoints(s: StepSeries): boolean {
  return s.present.includes(1);
}
