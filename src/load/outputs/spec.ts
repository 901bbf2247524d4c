/**
 * `-o/--out` values, read the way k6 reads them: `kind=argument`, split at the first `=`.
 * `json` alone writes to stdout (k6 treats an empty or `-` file name as stdout), `csv` alone writes
 * `file.csv` (k6's default) and csv also takes k6's `fileName=...,timeFormat=...,saveInterval=...` form.
 */
import { TelltaleError } from '../../errors.ts';
import { CSV_TIME_FORMATS, type CsvTimeFormat } from './csv.ts';

export const SUPPORTED_OUTPUTS = ['json', 'csv', 'html'] as const;
export type OutputKind = (typeof SUPPORTED_OUTPUTS)[number];

export interface OutputSpec {
  kind: OutputKind;
  /** File to write; `-` means stdout. */
  path: string;
  /** json/csv: the file ends in `.gz` and is written gzipped. */
  gzip: boolean;
  /** The flag value as given. */
  raw: string;
  /** csv only. */
  timeFormat?: CsvTimeFormat;
  /** csv only: k6's flush interval (ms); accepted for compatibility, the writer flushes by size. */
  saveIntervalMs?: number;
}

// Outputs k6 has that Telltale does not; named separately so the message says so instead of "unknown".
const K6_ONLY = new Set([
  'cloud', 'influxdb', 'experimental-prometheus-rw', 'experimental-opentelemetry', 'statsd', 'datadog', 'kafka',
  'web-dashboard',
]);

function invalid(raw: string, reason: string): TelltaleError {
  return new TelltaleError('TT_OUTPUT_INVALID', `invalid --out ${JSON.stringify(raw)}: ${reason}`, { field: 'out' });
}

function checkPath(raw: string, path: string): string {
  if (path === '') throw invalid(raw, 'the file name is empty');
  if (path.includes('\0')) throw invalid(raw, 'the file name contains a NUL character');
  return path;
}

function parseSaveInterval(raw: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw invalid(raw, `saveInterval ${JSON.stringify(v)} is not a duration (e.g. "1s")`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Number(m[1]) * unit;
}

function parseCsv(raw: string, arg: string | undefined): OutputSpec {
  const spec: OutputSpec = { kind: 'csv', path: 'file.csv', gzip: false, raw };
  if (arg !== undefined) {
    if (!arg.includes('=')) {
      spec.path = checkPath(raw, arg);
    } else {
      for (const pair of arg.split(',')) {
        const eq = pair.indexOf('=');
        const key = eq < 0 ? pair : pair.slice(0, eq);
        const value = eq < 0 ? '' : pair.slice(eq + 1);
        if (value === '') throw invalid(raw, `csv option ${JSON.stringify(key)} has no value`);
        if (key === 'fileName') spec.path = checkPath(raw, value);
        else if (key === 'timeFormat') {
          if (!(CSV_TIME_FORMATS as readonly string[]).includes(value)) {
            throw invalid(raw, `unknown csv timeFormat ${JSON.stringify(value)} (expected ${CSV_TIME_FORMATS.join(', ')})`);
          }
          spec.timeFormat = value as CsvTimeFormat;
        } else if (key === 'saveInterval') spec.saveIntervalMs = parseSaveInterval(raw, value);
        else throw invalid(raw, `unknown csv option ${JSON.stringify(key)} (expected fileName, timeFormat, saveInterval)`);
      }
    }
  }
  spec.gzip = spec.path.endsWith('.gz');
  return spec;
}

function parseOne(raw: unknown): OutputSpec {
  if (typeof raw !== 'string') {
    throw new TelltaleError('TT_OUTPUT_INVALID', `invalid --out value ${String(raw)}: expected a string like json=results.json`, {
      field: 'out',
    });
  }
  const eq = raw.indexOf('=');
  const kind = (eq < 0 ? raw : raw.slice(0, eq)).trim();
  const arg = eq < 0 ? undefined : raw.slice(eq + 1);
  switch (kind) {
    case 'json': {
      const path = arg === undefined ? '-' : checkPath(raw, arg);
      return { kind: 'json', path, gzip: path.endsWith('.gz'), raw };
    }
    case 'csv':
      return parseCsv(raw, arg);
    case 'html':
      if (arg === undefined) throw invalid(raw, 'the html output needs a file: html=report.html');
      return { kind: 'html', path: checkPath(raw, arg), gzip: false, raw };
    default: {
      const supported = `supported outputs: ${SUPPORTED_OUTPUTS.map((k) => `${k}=FILE`).join(', ')}`;
      if (kind === '') throw invalid(raw, `missing the output kind; ${supported}`);
      if (K6_ONLY.has(kind)) throw invalid(raw, `the k6 output '${kind}' is not available in Telltale; ${supported}`);
      throw invalid(raw, `unknown output '${kind}'; ${supported}`);
    }
  }
}

/** Parses every `--out` value; throws TT_OUTPUT_INVALID naming the offending value. */
export function parseOutputSpecs(values: readonly string[]): OutputSpec[] {
  const specs = values.map(parseOne);
  const seen = new Map<string, string>();
  for (const s of specs) {
    if (s.path === '-') continue;
    const other = seen.get(s.path);
    if (other !== undefined) {
      throw invalid(s.raw, `${JSON.stringify(s.path)} is already written by --out ${JSON.stringify(other)}`);
    }
    seen.set(s.path, s.raw);
  }
  return specs;
}
