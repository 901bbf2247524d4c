/**
 * Number syntax of the exposition formats. Prometheus parses sample values with Go's strconv.ParseFloat and
 * text-format timestamps with strconv.ParseInt; these accept the same spellings (hexadecimal floats aside).
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Prometheus' text lexer reads a timestamp as digits only: no sign
const INTEGER = /^\d+$/;

/** A sample value as Go's ParseFloat reads it, or undefined when it is not a number. */
export function parseFloatToken(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const lower = token.toLowerCase();
  if (lower === 'nan') return NaN;
  const unsigned = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** A text-format (0.0.4) timestamp in ms (unsigned digits), or undefined when it is not one Telltale can hold exactly. */
export function parseIntTimestamp(token: string): number | undefined {
  if (!INTEGER.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * An OpenMetrics timestamp (seconds, with a fraction) in ms. Prometheus truncates `ts * 1000` towards zero
 * (Go's int64 conversion); the same is done here so both stores hold the same millisecond.
 */
export function parseSecondsTimestamp(token: string): number | undefined {
  const s = parseFloatToken(token);
  if (s === undefined || !Number.isFinite(s)) return undefined;
  const ms = Math.trunc(s * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** A value as the exposition formats spell it (Go's FormatFloat 'g' style is not needed: any parseable form is). */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}
