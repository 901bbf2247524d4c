/**
 * `--out csv=FILE`: k6's CSV sample stream. One column per indexable k6 system tag (sorted), the other
 * tags as `k=v&k=v` in extra_tags, vu/iter in metadata; values printed like Go's `%f`; timestamps in
 * Unix seconds unless another timeFormat is chosen. Quoting follows Go's encoding/csv.
 */
import type { MetricDef, Sample, Tags } from '../../metrics/types.ts';
import { FileSink, type SinkOptions } from './file-sink.ts';
import { METADATA_TAGS } from './ndjson.ts';
import { Rfc3339Clock } from './time-format.ts';

export const CSV_TAG_COLUMNS = [
  'check', 'error', 'error_code', 'expected_response', 'group', 'method', 'name', 'proto', 'scenario', 'service',
  'status', 'subproto', 'tls_version', 'url',
] as const;

export const CSV_HEADER = ['metric_name', 'timestamp', 'metric_value', ...CSV_TAG_COLUMNS, 'extra_tags', 'metadata'];

export const CSV_TIME_FORMATS = ['unix', 'unix_milli', 'unix_micro', 'unix_nano', 'rfc3339', 'rfc3339_nano'] as const;
export type CsvTimeFormat = (typeof CSV_TIME_FORMATS)[number];

export interface CsvOptions extends SinkOptions {
  timeFormat?: CsvTimeFormat;
}

const TAG_COLUMN = new Set<string>(CSV_TAG_COLUMNS);

/** Go's encoding/csv quotes a field holding the separator, a quote or a line break, or starting with a space. */
export function csvField(s: string): string {
  if (s === '') return s;
  if (s === '\\.' || /[",\r\n]/.test(s) || /^\s/u.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** Go's `%f`: six decimals, never an exponent; non-finite values as NaN, +Inf, -Inf. */
export function goFixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Math.abs(v) < 1e21) return v.toFixed(6);
  return `${BigInt(Math.trunc(v)).toString()}.000000`;
}

function unixScaled(ms: number, digits: 3 | 6): string {
  const whole = Math.floor(ms);
  if (digits === 3) return String(whole);
  const micros = Math.floor((ms - whole) * 1000);
  return `${whole}${String(micros).padStart(3, '0')}`;
}

export class CsvOutput {
  private readonly sink: FileSink;
  private readonly timeFormat: CsvTimeFormat;
  private readonly clock = new Rfc3339Clock();
  /** Encoded `name,` per metric. */
  private readonly names = new Map<string, Buffer>();
  /** Encoded tag columns, extra_tags, metadata and newline per tags object. */
  private readonly tagCols = new WeakMap<Tags, Buffer>();
  private noTags: Buffer | undefined;

  private constructor(sink: FileSink, timeFormat: CsvTimeFormat) {
    this.sink = sink;
    this.timeFormat = timeFormat;
    sink.text(`${CSV_HEADER.join(',')}\n`);
  }

  /** Opens FILE and writes the header (gzipped when it ends in `.gz`; `-` is stdout). Throws TT_OUTPUT_INVALID. */
  static open(path: string, opts: CsvOptions = {}): CsvOutput {
    return new CsvOutput(FileSink.open(path, 'csv', opts), opts.timeFormat ?? 'unix');
  }

  get path(): string {
    return this.sink.path;
  }

  /** Accepted for symmetry with the JSON output; the CSV format has no metric declarations. */
  defineMetrics(_defs: readonly MetricDef[], _thresholds: Record<string, string[]> = {}): void {}

  addSamples(samples: readonly Sample[]): void {
    const sink = this.sink;
    sink.assertOpen();
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      let name = this.names.get(s.metric);
      if (name === undefined) {
        name = Buffer.from(`${csvField(s.metric)},`);
        this.names.set(s.metric, name);
      }
      // Timestamps and %f values are ASCII; an RFC 3339 time never needs quoting.
      const mid = `${this.timestamp(s.time)},${goFixed6(s.value)},`;
      const end = this.tagColumns(s.tags);
      sink.room(name.length + mid.length + end.length);
      sink.bytes(name);
      sink.ascii(mid);
      sink.bytes(end);
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private timestamp(ms: number): string {
    switch (this.timeFormat) {
      case 'unix_milli':
        return unixScaled(ms, 3);
      case 'unix_micro':
        return unixScaled(ms, 6);
      case 'unix_nano':
        return `${unixScaled(ms, 6)}000`;
      case 'rfc3339':
        return this.clock.format(ms, false);
      case 'rfc3339_nano':
        return this.clock.format(ms, true);
      default:
        return String(Math.floor(ms / 1000));
    }
  }

  /** The tag columns, extra_tags and metadata of a row; cached per (shared) tags object. */
  private tagColumns(tags: Tags): Buffer {
    if (!tags) return (this.noTags ??= this.encodeTags({}));
    let cols = this.tagCols.get(tags);
    if (cols === undefined) {
      cols = this.encodeTags(tags);
      this.tagCols.set(tags, cols);
    }
    return cols;
  }

  private encodeTags(t: Tags): Buffer {
    const fixed = CSV_TAG_COLUMNS.map((c) => csvField(t[c] ?? ''));
    const extra: string[] = [];
    const meta: string[] = [];
    for (const k of Object.keys(t).sort()) {
      if (TAG_COLUMN.has(k)) continue;
      (METADATA_TAGS.has(k) ? meta : extra).push(`${k}=${t[k]}`);
    }
    return Buffer.from(`${[...fixed, csvField(extra.join('&')), csvField(meta.join('&'))].join(',')}\n`);
  }
}
