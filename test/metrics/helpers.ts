/** k6's percentile over raw values: linear interpolation between the closest ranks, `pct` in [0, 1]. */
export function exactPercentile(values: readonly number[], pct: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const i = pct * (sorted.length - 1);
  const lo = sorted[Math.floor(i)];
  const hi = sorted[Math.ceil(i)];
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** The neighbours the exact percentile interpolates between, to size the allowed error. */
export function percentileScale(values: readonly number[], pct: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = pct * (sorted.length - 1);
  return Math.max(Math.abs(sorted[Math.floor(i)]), Math.abs(sorted[Math.ceil(i)]));
}

/** 0.1% of the magnitude, plus the 1/1000-unit rounding of recorded values. */
export function percentileTolerance(values: readonly number[], pct: number): number {
  return percentileScale(values, pct) * 1e-3 + 1e-3;
}

export const T0 = 1_700_000_000_000;
