/**
 * OpenTelemetry → Prometheus names, per the OpenTelemetry "Prometheus and OpenMetrics compatibility"
 * specification (as Prometheus' own OTLP receiver implements it with metric suffixes on): the name is split
 * into words on anything that is not a letter or digit, the unit is appended as a word (`s` → `seconds`,
 * `By` → `bytes`, `m/s` → `meters_per_second`, units in braces dropped), monotonic sums end in `_total`,
 * gauges with unit `1` end in `_ratio`, and a leading digit gets a `_` prefix. Only ASCII letters and digits
 * count as word characters, so every result is a valid Prometheus name.
 */
const UNITS: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};

const PER_UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

function words(s: string): string[] {
  return s.split(/[^a-zA-Z0-9]+/).filter((w) => w !== '');
}

export type OtlpMetricKind = 'gauge' | 'counter' | 'updown' | 'histogram' | 'summary';

/** The Prometheus metric name (before `_bucket`/`_sum`/`_count`) for an OTLP metric. */
export function prometheusMetricName(name: string, unit: string, kind: OtlpMetricKind): string {
  let tokens = words(name);
  const [main, per] = unit.split('/', 2).map((u) => u.trim());
  if (main !== undefined && main !== '' && !/[{}]/.test(main)) {
    const mapped = words(UNITS[main] ?? main).join('_');
    if (mapped !== '' && !tokens.includes(mapped)) tokens.push(mapped);
  }
  if (per !== undefined && per !== '' && !/[{}]/.test(per)) {
    const mapped = words(PER_UNITS[per] ?? per).join('_');
    if (mapped !== '' && !tokens.includes(mapped)) tokens.push('per', mapped);
  }
  if (kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  const out = tokens.join('_');
  if (out === '') return '_';
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** A Prometheus label name for an attribute key: invalid characters become `_`; `key_`/`key` prefixes as the spec says. */
export function prometheusLabelName(key: string): string {
  const clean = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(clean)) return `key_${clean}`;
  if (clean.startsWith('_') && !clean.startsWith('__')) return `key${clean}`;
  return clean;
}
