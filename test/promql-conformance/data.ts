/**
 * Generated test data for the conformance suite: counters with resets and gaps, gauges (negative values,
 * NaN, +Inf), classic histograms and label variety, as samples that can be written as OpenMetrics (for
 * `promtool tsdb create-blocks-from openmetrics`) and loaded into the in-memory storage.
 */
import type { Labels } from '../../src/series/types.ts';
import { formatGoFloat } from '../../src/promql/go-float.ts';

export interface GeneratedSeries {
  labels: Labels;
  t: number[];
  v: number[];
}

/** Data starts here (ms): 2023-11-14T22:13:20Z. */
export const T0 = 1_700_000_000_000;
export const SCRAPE = 15_000;
export const SAMPLES = 240; // one hour

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generate(): GeneratedSeries[] {
  const rand = rng(42);
  const out: GeneratedSeries[] = [];
  const add = (labels: Labels, value: (i: number) => number | undefined, jitter = false) => {
    const s: GeneratedSeries = { labels, t: [], v: [] };
    for (let i = 0; i < SAMPLES; i++) {
      const v = value(i);
      if (v === undefined) continue;
      // Some series are scraped with a little timing jitter, as real scrapes are.
      const t = T0 + i * SCRAPE + (jitter ? Math.floor(rand() * 2000) : 0);
      s.t.push(t);
      s.v.push(v);
    }
    out.push(s);
  };
  for (const job of ['api', 'web']) {
    for (const instance of ['a:9090', 'b:9090']) {
      for (const [code, rate] of [['200', 10], ['404', 1], ['500', 0.3]] as const) {
        for (const method of ['get', 'post']) {
          let total = Math.floor(rand() * 100);
          const resetAt = Math.floor(rand() * SAMPLES);
          const gapFrom = instance === 'b:9090' && method === 'post' ? 100 : -1;
          add({ __name__: 'http_requests_total', job, instance, code, method }, (i) => {
            if (i === resetAt && code !== '404') total = Math.floor(rand() * 3);
            else total += Math.round(rand() * rate * 15 * (method === 'get' ? 2 : 1));
            if (gapFrom >= 0 && i >= gapFrom && i < gapFrom + 30) return undefined;
            return total;
          }, job === 'web');
        }
      }
      // A classic histogram per job/instance.
      const bounds = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
      const counts = bounds.map(() => 0);
      let sum = 0;
      const series = bounds.map((le) => ({ labels: { __name__: 'http_request_duration_seconds_bucket', job, instance, le }, t: [] as number[], v: [] as number[] }));
      const sumS: GeneratedSeries = { labels: { __name__: 'http_request_duration_seconds_sum', job, instance }, t: [], v: [] };
      const countS: GeneratedSeries = { labels: { __name__: 'http_request_duration_seconds_count', job, instance }, t: [], v: [] };
      for (let i = 0; i < SAMPLES; i++) {
        const n = Math.floor(rand() * 20);
        for (let k = 0; k < n; k++) {
          const d = Math.pow(rand(), 2) * 3;
          sum += d;
          for (let b = 0; b < bounds.length; b++) if (b === bounds.length - 1 || d <= Number(bounds[b])) counts[b]++;
        }
        const t = T0 + i * SCRAPE;
        series.forEach((s, b) => {
          s.t.push(t);
          s.v.push(counts[b]);
        });
        sumS.t.push(t);
        sumS.v.push(sum);
        countS.t.push(t);
        countS.v.push(counts[bounds.length - 1]);
      }
      out.push(...series, sumS, countS);
    }
  }
  for (const instance of ['a:9100', 'b:9100', 'c:9100']) {
    for (const sensor of ['cpu', 'disk']) {
      const base = sensor === 'cpu' ? 50 : 30;
      add({ __name__: 'node_temperature_celsius', instance, sensor }, (i) => base + 10 * Math.sin(i / 17 + instance.length + sensor.length) + rand() * 3 - (instance === 'c:9100' ? 60 : 0));
    }
    add({ __name__: 'node_memory_free_bytes', instance }, (i) => 1e9 + Math.floor(rand() * 5e8) - i * 1000);
  }
  // A gauge with long gaps (longer than the 5m lookback) and repeated values.
  add({ __name__: 'queue_depth', queue: 'emails' }, (i) => (i % 80 < 50 ? Math.floor(i / 10) : undefined));
  add({ __name__: 'queue_depth', queue: 'sms' }, (i) => (i % 3 === 0 ? 7 : 3));
  // Special values.
  add({ __name__: 'weird_values', kind: 'nan' }, (i) => (i % 7 === 0 ? NaN : i));
  add({ __name__: 'weird_values', kind: 'inf' }, (i) => (i % 11 === 0 ? Infinity : -i));
  add({ __name__: 'weird_values', kind: 'neg' }, (i) => -1000 + i * 7.25);
  // Label variety for label_replace / label_join / matching.
  add({ __name__: 'build_info', version: '1.2.3', revision: 'abc', instance: 'a:9090', job: 'api' }, () => 1);
  add({ __name__: 'build_info', version: '1.3.0-rc.1', revision: 'def', instance: 'b:9090', job: 'api' }, () => 1);
  add({ __name__: 'up', job: 'api', instance: 'a:9090' }, () => 1);
  add({ __name__: 'up', job: 'api', instance: 'b:9090' }, (i) => (i > 120 && i < 140 ? 0 : 1));
  add({ __name__: 'up', job: 'web', instance: 'a:9090' }, () => 1);
  add({ __name__: 'up', job: 'web', instance: 'b:9090' }, (i) => (i < 200 ? 1 : 0));
  return out;
}

/** OpenMetrics text (`promtool tsdb create-blocks-from openmetrics` input): families contiguous, time-ordered. */
export function toOpenMetrics(series: GeneratedSeries[]): string {
  const byName = new Map<string, GeneratedSeries[]>();
  for (const s of series) {
    const name = s.labels.__name__;
    const list = byName.get(name);
    if (list) list.push(s);
    else byName.set(name, [s]);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      for (let i = 0; i < s.t.length; i++) {
        lines.push(`${name}{${labels}} ${formatGoFloat(s.v[i])} ${(s.t[i] / 1000).toFixed(3)}`);
      }
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}
