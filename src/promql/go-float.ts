/**
 * Float formatting as Go's strconv.FormatFloat(v, 'f', -1, 64), which Prometheus uses for sample values in
 * JSON and for count_values' label: the shortest decimal that round-trips, never in exponent form.
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s[0] === '-';
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const [int, frac = ''] = mantissa.split('.');
  const digits = int + frac;
  const point = int.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

/** Prometheus' float seconds for a millisecond timestamp, as its JSON writes them. */
export function formatTimestamp(ms: number): string {
  const neg = ms < 0;
  const abs = Math.abs(ms);
  const sec = Math.floor(abs / 1000);
  const frac = abs % 1000;
  const out = frac === 0 ? `${sec}` : `${sec}.${String(frac).padStart(3, '0')}`;
  return neg ? `-${out}` : out;
}

/** Go's `%v` for a float64 (shortest digits; exponent form below 1e-4 and from 1e6), as Prometheus prints numbers. */
export function formatGoV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return formatGoFloat(v);
}
