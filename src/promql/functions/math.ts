/** Element-wise functions of instant vectors (all drop the metric name, as Prometheus 2 does). */

export const MATH_FUNCTIONS: ReadonlyMap<string, (v: number) => number> = new Map<string, (v: number) => number>([
  ['abs', Math.abs],
  ['ceil', Math.ceil],
  ['floor', Math.floor],
  ['sqrt', Math.sqrt],
  ['exp', Math.exp],
  ['ln', Math.log],
  ['log2', Math.log2],
  ['log10', Math.log10],
  ['sgn', (v) => (v > 0 ? 1 : v < 0 ? -1 : v)],
  ['acos', Math.acos],
  ['acosh', Math.acosh],
  ['asin', Math.asin],
  ['asinh', Math.asinh],
  ['atan', Math.atan],
  ['atanh', Math.atanh],
  ['cos', Math.cos],
  // Go computes exp(x)/2 beyond |x| > 21, which overflows to Inf where Math.cosh still returns a finite value.
  ['cosh', (v) => (Math.abs(v) > 21 ? Math.exp(Math.abs(v)) * 0.5 : Math.cosh(v))],
  ['sin', Math.sin],
  ['sinh', (v) => (Math.abs(v) > 21 ? Math.sign(v) * Math.exp(Math.abs(v)) * 0.5 : Math.sinh(v))],
  ['tan', Math.tan],
  ['tanh', Math.tanh],
  ['deg', (v) => (v * 180) / Math.PI],
  ['rad', (v) => (v * Math.PI) / 180],
]);

function utc(v: number): Date {
  // Go's time.Unix(int64(v), 0): whole seconds, truncated toward zero.
  return new Date(Math.trunc(v) * 1000);
}

export const DATE_FUNCTIONS: ReadonlyMap<string, (v: number) => number> = new Map<string, (v: number) => number>([
  ['day_of_month', (v) => utc(v).getUTCDate()],
  ['day_of_week', (v) => utc(v).getUTCDay()],
  ['day_of_year', (v) => {
    const d = utc(v);
    return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  }],
  ['days_in_month', (v) => {
    const d = utc(v);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  }],
  ['hour', (v) => utc(v).getUTCHours()],
  ['minute', (v) => utc(v).getUTCMinutes()],
  ['month', (v) => utc(v).getUTCMonth() + 1],
  ['year', (v) => utc(v).getUTCFullYear()],
]);

/** Go's math.Pow special cases where JavaScript's differ (1^NaN and (-1)^±Inf are 1 in Go). */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** Prometheus' round(v, toNearest). */
export function roundTo(v: number, toNearest: number): number {
  const inv = 1 / toNearest;
  return Math.floor(v * inv + 0.5) / inv;
}
