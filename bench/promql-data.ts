/**
 * Benchmark data for bench/promql.ts: request counters and classic latency histograms scraped every 15 s,
 * `series` series of each kind, as time-major batches (every series at one timestamp), the order Prometheus'
 * remote-write receiver needs to accept hours of history into an empty head.
 */
import type { Labels } from '../src/series/types.ts';

export const SCRAPE_MS = 15_000;
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
const CODES = ['200', '201', '404', '500', '503'];

export interface BenchSeries {
  labels: Labels;
  /** Value at scrape i. */
  value(i: number): number;
}

function hash(n: number): number {
  let h = n ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** `series` counter series and `series` bucket series. */
export function benchSeries(series: number): BenchSeries[] {
  const out: BenchSeries[] = [];
  const instances = series / 100;
  let k = 0;
  for (let inst = 0; inst < instances; inst++) {
    for (let route = 0; route < 20; route++) {
      for (const code of CODES) {
        const id = k++;
        const rate = 1 + hash(id) * 20;
        const resetAt = Math.floor(hash(id + 7) * 2000);
        out.push({
          labels: { __name__: 'http_requests_total', instance: `host-${inst}:9090`, route: `/api/r${route}`, code },
          // A counter that grows by about `rate` per second and resets once.
          value: (i) => Math.floor((i >= resetAt ? i - resetAt : i) * rate * 15 + hash(id * 31 + i) * 10),
        });
      }
    }
    for (let route = 0; route < 10; route++) {
      const base = k++;
      LE.forEach((le, b) => {
        const share = LE.length === b + 1 ? 1 : Math.min(1, (b + 1) / LE.length + hash(base + b) * 0.05);
        out.push({
          labels: { __name__: 'http_request_duration_seconds_bucket', instance: `host-${inst}:9090`, route: `/api/r${route}`, le },
          value: (i) => Math.floor(i * 40 * share),
        });
      });
    }
  }
  return out;
}
