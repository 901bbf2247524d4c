/**
 * Synthetic scrape data shaped like a Prometheus server's: per instance 100 series — `up`, request counters
 * with integer increments, CPU-seconds counters with float increments, integer and low-precision gauges
 * with noise, five classic histograms (10 buckets + sum + count), constant info series. Every instance is
 * scraped every 15 s at its own offset; most scrapes land exactly on the interval (Prometheus aligns
 * timestamps within 2 ms since 2.35) and one in ten is late by up to 25 ms. Deterministic for a seed.
 */
import type { Labels } from '../../src/series/types.ts';

export const SERIES_PER_INSTANCE = 100;
export const SCRAPE_MS = 15_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'const' | 'int_counter' | 'float_counter' | 'int_gauge' | 'float_gauge' | 'bucket' | 'hist_sum' | 'hist_count';

interface SeriesState {
  kind: Kind;
  /** Per-second rate for counters, step size for gauges, the bucket's share of observations. */
  rate: number;
  value: number;
  /** The first bucket of a histogram draws the scrape's observation count for the whole histogram. */
  first?: boolean;
}

const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

export class ScrapeData {
  readonly labels: Labels[] = [];
  readonly instances: number;
  private readonly state: SeriesState[] = [];
  private readonly offsets: number[] = [];
  private readonly rnd: () => number;
  private readonly histRates: number[] = [];

  constructor(seriesCount: number, seed = 1) {
    this.rnd = mulberry32(seed);
    this.instances = Math.ceil(seriesCount / SERIES_PER_INSTANCE);
    for (let i = 0; i < this.instances && this.labels.length < seriesCount; i++) {
      this.offsets.push(Math.floor(this.rnd() * SCRAPE_MS));
      const base = { job: `service-${i % 10}`, instance: `10.0.${Math.floor(i / 250)}.${i % 250}:9100` };
      const add = (name: string, kind: Kind, extra: Record<string, string> = {}, rate = 0, value = 0): void => {
        if (this.labels.length < seriesCount) {
          this.labels.push({ __name__: name, ...base, ...extra });
          this.state.push({ kind, rate, value });
        }
      };
      add('up', 'const', {}, 0, 1);
      add('build_info', 'const', { version: '1.4.2' }, 0, 1);
      for (const method of ['GET', 'POST']) {
        for (const code of ['200', '201', '400', '404', '500']) {
          for (const handler of ['/api', '/login']) {
            const busy = code === '200' ? 30 : code === '500' ? 0.05 : 1;
            add('http_requests_total', 'int_counter', { method, code, handler }, busy * this.rnd(), Math.floor(this.rnd() * 1e6));
          }
        }
      }
      for (const mode of ['user', 'system', 'iowait', 'idle', 'steal']) add('node_cpu_seconds_total', 'float_counter', { mode }, this.rnd(), this.rnd() * 1e5);
      for (let k = 0; k < 6; k++) add(`process_resident_memory_bytes`, 'int_gauge', { pool: `p${k}` }, 4096, 1e8 + Math.floor(this.rnd() * 1e8));
      add('go_goroutines', 'int_gauge', {}, 1, 50);
      add('queue_length', 'int_gauge', {}, 0.3, 0);
      add('temperature_celsius', 'float_gauge', {}, 0.1, 45);
      add('cpu_utilisation_ratio', 'float_gauge', {}, 0.01, 0.5);
      for (const h of ['request', 'db_query', 'cache', 'render', 'auth']) {
        const rate = 20 * this.rnd();
        let share = 0;
        for (const le of LE) {
          share = le === '+Inf' ? 1 : Math.min(1, share + 0.1 + this.rnd() * 0.1);
          const before = this.state.length;
          add(`${h}_duration_seconds_bucket`, 'bucket', { le }, share, 0);
          if (le === LE[0] && this.state.length > before) {
            this.state[before].first = true;
            this.histRates.push(rate);
          }
        }
        add(`${h}_duration_seconds_sum`, 'hist_sum', {}, 0.05, 0);
        add(`${h}_duration_seconds_count`, 'hist_count', {}, rate, 0);
      }
      while (this.labels.length < (i + 1) * SERIES_PER_INSTANCE && this.labels.length < seriesCount) {
        add('config_hash', 'const', { file: `f${this.labels.length % SERIES_PER_INSTANCE}` }, 0, Math.floor(this.rnd() * 1e9));
      }
    }
  }

  get seriesCount(): number {
    return this.labels.length;
  }

  /** The timestamp of scrape `n` of the instance that series `s` belongs to. */
  timestamp(n: number, s: number, start: number): number {
    const inst = Math.floor(s / SERIES_PER_INSTANCE);
    const t = start + this.offsets[inst] + n * SCRAPE_MS;
    // The same jitter for every series of one scrape.
    const h = ((inst * 2654435761) ^ (n * 40503)) >>> 0;
    return h % 10 === 0 ? t + (h % 25) : t;
  }

  /** Advances every series by one scrape and writes the values into `out`. */
  next(out: Float64Array): void {
    const r = this.rnd;
    let hist = -1;
    let observed = 0;
    for (let s = 0; s < this.state.length; s++) {
      const st = this.state[s];
      switch (st.kind) {
        case 'const':
          break;
        case 'int_counter':
          st.value += Math.round((st.rate * SCRAPE_MS) / 1000 * (0.7 + 0.6 * r()));
          break;
        case 'bucket':
          if (st.first) observed = Math.round((this.histRates[++hist] * SCRAPE_MS) / 1000 * (0.7 + 0.6 * r()));
          st.value += Math.round(observed * st.rate);
          break;
        case 'hist_count':
          st.value += observed;
          break;
        case 'float_counter':
          st.value = Math.round((st.value + st.rate * 15 * r()) * 100) / 100;
          break;
        case 'hist_sum':
          st.value += observed * st.rate * (0.5 + r());
          break;
        case 'int_gauge':
          if (r() < 0.5) st.value = Math.max(0, st.value + Math.round((r() - 0.5) * 4) * Math.max(1, Math.round(st.rate)));
          break;
        case 'float_gauge':
          st.value = Math.round((st.value + (r() - 0.5) * st.rate * 10) * 100) / 100;
          break;
      }
      out[s] = st.value;
    }
  }
}
