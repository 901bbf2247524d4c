/**
 * query_range results on one time axis for uPlot: the range's step grid (start, start + step, ... end), each
 * series a column with null where it has no sample (a gap, not a zero) or a non-finite value.
 */
import type { Range, SamplePair } from './api.ts';

export interface Line {
  label: string;
  values: SamplePair[];
}

export type Aligned = [number[], ...Array<Array<number | null>>];

export function alignLines(lines: readonly Line[], range: Range): Aligned {
  const xs: number[] = [];
  for (let t = range.start; t <= range.end; t += range.step) xs.push(t);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = lines.map((l) => {
    const col: Array<number | null> = xs.map(() => null);
    for (const [t, v] of l.values) {
      const i = index.get(Math.round(t));
      const n = Number(v);
      if (i !== undefined && Number.isFinite(n)) col[i] = n;
    }
    return col;
  });
  return [xs, ...ys];
}
