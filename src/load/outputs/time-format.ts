/**
 * Sample timestamps the way Go prints k6's time.Time: RFC 3339 in the local zone with the offset (`Z` when
 * it is zero) and, for RFC3339Nano, the fraction with trailing zeros dropped. Samples arrive in time order,
 * so the date-and-offset part is computed once per second and reused.
 */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function offsetOf(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  if (minutes === 0) return 'Z';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

function yearOf(d: Date): string {
  const y = d.getFullYear();
  return y >= 0 && y < 10000 ? String(y).padStart(4, '0') : String(y);
}

export class Rfc3339Clock {
  private second = Number.NaN;
  private prefix = '';
  private suffix = '';

  /** `2025-01-15T11:00:00.123456+01:00`; `fraction: false` gives whole seconds (Go's time.RFC3339). */
  format(ms: number, fraction = true): string {
    let second = Math.floor(ms / 1000);
    // Sample times are whole or fractional milliseconds; microseconds are all they can carry faithfully.
    let micros = Math.round((ms - second * 1000) * 1000);
    if (micros >= 1_000_000) {
      second += 1;
      micros -= 1_000_000;
    }
    if (second !== this.second) this.load(second);
    if (!fraction || micros === 0) return this.prefix + this.suffix;
    let frac = String(micros).padStart(6, '0');
    let end = frac.length;
    while (frac.charCodeAt(end - 1) === 48) end--;
    frac = frac.slice(0, end);
    return `${this.prefix}.${frac}${this.suffix}`;
  }

  private load(second: number): void {
    const d = new Date(second * 1000);
    this.second = second;
    if (Number.isNaN(d.getTime())) {
      this.prefix = 'invalid-time';
      this.suffix = '';
      return;
    }
    this.prefix = `${yearOf(d)}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(
      d.getMinutes(),
    )}:${pad2(d.getSeconds())}`;
    this.suffix = offsetOf(d);
  }
}
