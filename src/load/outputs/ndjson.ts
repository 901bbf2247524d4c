/**
 * `--out json=FILE`: k6's newline-delimited JSON sample stream. The first sample of each metric is preceded
 * by a Metric line describing it; every sample then becomes one Point line:
 *
 *   {"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}
 *   {"metric":"http_reqs","type":"Point","data":{"time":"2025-01-15T11:00:00.123+01:00","value":1,"tags":{"method":"GET"}}}
 *
 * Field order follows k6's encoder. `vu` and `iter` are sample metadata in k6, not tags, so they go to a
 * `metadata` object, present only when non-empty.
 */
import { BUILTIN_METRICS } from '../../metrics/builtin.ts';
import { parseMetricKey } from '../../metrics/metric-key.ts';
import type { MetricDef, Sample, Tags } from '../../metrics/types.ts';
import { FileSink, type SinkOptions } from './file-sink.ts';
import { Rfc3339Clock } from './time-format.ts';

/** Tags k6 keeps out of the tag set (high cardinality) and reports as metadata. */
export const METADATA_TAGS: ReadonlySet<string> = new Set(['vu', 'iter']);

interface Submetric {
  name: string;
  suffix: string;
  tags: Record<string, string>;
}

// k6 always tracks this sub-metric (the summary shows it), so it is listed under http_req_duration.
const EXPECTED_RESPONSE: Submetric = { name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } };

function submetricOf(key: string): { parent: string; sub: Submetric } | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const name = key.trim();
  const suffix = name.slice(name.indexOf('{') + 1, name.endsWith('}') ? -1 : undefined);
  try {
    const parsed = parseMetricKey(name);
    return { parent: parsed.parent, sub: { name, suffix, tags: { ...parsed.tags } } };
  } catch {
    return { parent: name.slice(0, name.indexOf('{')).trim(), sub: { name, suffix, tags: {} } };
  }
}

const jsonValue = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');

export class NdjsonOutput {
  private readonly sink: FileSink;
  private readonly clock = new Rfc3339Clock();
  private readonly defs = new Map<string, MetricDef>();
  private thresholds: Record<string, string[]> = {};
  private readonly submetrics = new Map<string, Submetric[]>();
  /** Per metric: the encoded line start up to the time value, set once its Metric line is written. */
  private readonly prefixes = new Map<string, Buffer>();
  /** Per tags object: the encoded line end, `"tags":{...}}}\n`. */
  private readonly tagJson = new WeakMap<Tags, Buffer>();
  private readonly noTags = Buffer.from('"tags":{}}}\n');

  private constructor(sink: FileSink) {
    this.sink = sink;
  }

  /** Opens FILE for writing (gzipped when it ends in `.gz`; `-` is stdout). Throws TT_OUTPUT_INVALID. */
  static open(path: string, opts: SinkOptions = {}): NdjsonOutput {
    return new NdjsonOutput(FileSink.open(path, 'json', opts));
  }

  get path(): string {
    return this.sink.path;
  }

  /** The metrics of the run and the threshold expressions keyed by metric (or sub-metric) key. */
  defineMetrics(defs: readonly MetricDef[], thresholds: Record<string, string[]> = {}): void {
    for (const d of defs) this.defs.set(d.name, d);
    this.thresholds = { ...this.thresholds, ...thresholds };
    for (const key of Object.keys(thresholds)) {
      const s = submetricOf(key);
      if (!s) continue;
      const list = this.submetrics.get(s.parent) ?? [];
      if (!list.some((x) => x.name === s.sub.name)) list.push(s.sub);
      this.submetrics.set(s.parent, list);
    }
  }

  addSamples(samples: readonly Sample[]): void {
    const sink = this.sink;
    sink.assertOpen();
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      let prefix = this.prefixes.get(s.metric);
      if (prefix === undefined) {
        sink.text(this.metricLine(s.metric));
        prefix = Buffer.from(`{"metric":${JSON.stringify(s.metric)},"type":"Point","data":{"time":"`);
        this.prefixes.set(s.metric, prefix);
      }
      const mid = `${this.clock.format(s.time)}","value":${jsonValue(s.value)},`;
      const end = s.tags ? this.tagsPart(s.tags) : this.noTags;
      sink.room(prefix.length + mid.length + end.length);
      sink.bytes(prefix);
      sink.ascii(mid);
      sink.bytes(end);
    }
  }

  /** Flushes everything and closes the file; rejects with TT_OUTPUT_INVALID if any write failed. */
  close(): Promise<void> {
    return this.sink.close();
  }

  private metricLine(name: string): string {
    const def = this.defs.get(name) ?? BUILTIN_METRICS.find((m) => m.name === name);
    const subs = [...(this.submetrics.get(name) ?? [])];
    if (name === 'http_req_duration' && !subs.some((s) => s.name === EXPECTED_RESPONSE.name)) {
      subs.unshift(EXPECTED_RESPONSE);
    }
    const data = {
      name,
      // A metric nobody declared (an extension's, say) still gets its line; trend is the neutral guess.
      type: def?.type ?? 'trend',
      contains: def?.contains ?? 'default',
      thresholds: this.thresholds[name] ?? [],
      submetrics: subs.length > 0 ? subs : null,
    };
    return `{"type":"Metric","data":${JSON.stringify(data)},"metric":${JSON.stringify(name)}}\n`;
  }

  /** `"tags":{...}` plus `,"metadata":{...}` when the sample carries vu/iter; cached per (shared) tags object. */
  private tagsPart(tags: Tags): Buffer {
    let json = this.tagJson.get(tags);
    if (json !== undefined) return json;
    const keys = Object.keys(tags).sort();
    let t = '';
    let m = '';
    for (const k of keys) {
      const entry = `${JSON.stringify(k)}:${JSON.stringify(String(tags[k]))}`;
      if (METADATA_TAGS.has(k)) m += m === '' ? entry : `,${entry}`;
      else t += t === '' ? entry : `,${entry}`;
    }
    json = Buffer.from(m === '' ? `"tags":{${t}}}}\n` : `"tags":{${t}},"metadata":{${m}}}}\n`);
    this.tagJson.set(tags, json);
    return json;
  }
}
