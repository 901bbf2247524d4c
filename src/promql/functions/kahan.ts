/** Neumaier-compensated summation, as Prometheus' kahanSumInc. Returns the new sum; `c` holds the compensation. */
export class KahanSum {
  sum = 0;
  c = 0;

  add(inc: number): void {
    const t = this.sum + inc;
    if (Math.abs(this.sum) >= Math.abs(inc)) this.c += this.sum - t + inc;
    else this.c += inc - t + this.sum;
    this.sum = t;
  }

  value(): number {
    return Number.isFinite(this.sum) ? this.sum + this.c : this.sum;
  }
}

/** The quantile of a sorted-by-us list, as Prometheus' quantile(): linear interpolation between ranks. */
export function quantileOf(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (Number.isNaN(q)) return NaN;
  values.sort(byValueNaNFirst);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

/** Ascending with NaN first (Prometheus' vectorByValueHeap order). */
export function byValueNaNFirst(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : -1;
  if (b !== b) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
