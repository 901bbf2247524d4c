/**
 * `telltale serve` under load: a real server (child process, its own temp data dir, 127.0.0.1) takes
 * remote_write requests at a fixed open-model rate (default 500 requests/s of 100 series × 1 sample,
 * snappy + protobuf, with src/ingest's codec) while simulated dashboard users each keep the service page
 * open: it loads every part at once, then refreshes each part as the page does (REFRESH in
 * web/src/ranges.ts: charts and endpoints every 30 s, signals every 10 s, checks and alerts every 15 s;
 * `--refresh-scale 0.2` refreshes five times as often), with the page's PromQL (web/src/queries.ts) and
 * its step-aligned ranges.
 * Reports latency percentiles of the dashboard's API calls and of ingest requests, achieved rates and
 * errors. Bounded: --duration seconds (default 60), at most --max-in-flight ingest requests at once.
 *
 * Each request carries one group's series (an instance's HTTP histogram, counters, process metrics); a
 * group has one request in flight at a time, as a remote-write shard keeps its series in order, so a rate
 * the server cannot keep up with shows as skipped requests. The first --shop-instances groups are the
 * watched service (job="shop"), sent every 15 s as scraped targets would be; the other groups (other jobs'
 * series in the same store) take the rest of the rate.
 *
 *   node bench/server-load.ts [--duration 60] [--ingest-rate 500] [--series-per-request 100]
 *     [--series-groups 100] [--shop-instances 10] [--users 50] [--refresh-scale 1] [--max-in-flight 256] [--cpu-prof DIR]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncodableSeries } from '../src/ingest/remote-write-codec.ts';
import { api, remoteWrite, startServe } from '../test/helpers/serve.ts';
import {
  cpuCores, endpointErrors, endpointQuantile, endpointRate, errorRatio, inFlight, latencyQuantile, rateWindow, requestRate, residentMemory,
  serviceChecks, startTimes, tileSignals,
} from '../web/src/queries.ts';
import { DEFAULT_RANGE, REFRESH, rangeFor } from '../web/src/ranges.ts';
import { fmt, machineInfo, numberFlag, parseFlags, sleep, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const DURATION_S = numberFlag(flags, 'duration', 60);
const INGEST_RATE = numberFlag(flags, 'ingest-rate', 500);
const SERIES_PER_REQUEST = numberFlag(flags, 'series-per-request', 100);
const GROUPS = numberFlag(flags, 'series-groups', 100);
/** groups that belong to the watched service; the others are other jobs' series in the same store */
const SHOP_GROUPS = Math.min(GROUPS, numberFlag(flags, 'shop-instances', 10));
const USERS = numberFlag(flags, 'users', 50);
const REFRESH_SCALE = numberFlag(flags, 'refresh-scale', 1);
const MAX_IN_FLIGHT = numberFlag(flags, 'max-in-flight', 256);
/** --cpu-prof DIR: the server writes a V8 CPU profile there when it stops */
const CPU_PROF = flags.get('cpu-prof');
const HISTORY_S = 3600;
const SCRAPE_MS = 15_000;

const SERVICE = { name: 'shop', matchers: 'job="shop"', endpoint: 'route' };
const ROUTES = ['/', '/cart', '/checkout', '/search', '/product'];
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

/** One group's series: a shop instance's HTTP histogram, counters and process metrics, padded with gauges to the size asked for. */
function groupSeries(g: number): Array<Record<string, string>> {
  const base = { job: g < SHOP_GROUPS ? 'shop' : `other-${g % 10}`, instance: `10.0.${Math.floor(g / 250)}.${g % 250}:8080` };
  const out: Array<Record<string, string>> = [];
  for (const route of ROUTES) {
    for (const code of ['200', '500']) out.push({ __name__: 'http_requests_total', ...base, route, code });
    for (const le of BUCKETS) out.push({ __name__: 'http_request_duration_seconds_bucket', ...base, route, le });
    out.push({ __name__: 'http_request_duration_seconds_count', ...base, route }, { __name__: 'http_request_duration_seconds_sum', ...base, route });
  }
  out.push({ __name__: 'process_cpu_seconds_total', ...base }, { __name__: 'process_resident_memory_bytes', ...base }, { __name__: 'http_requests_in_flight', ...base });
  for (let i = 0; out.length < SERIES_PER_REQUEST; i++) out.push({ __name__: 'bench_padding', ...base, n: String(i) });
  return out.slice(0, SERIES_PER_REQUEST);
}

/** A plausible value of a series at sample number `k` (counters grow, buckets are cumulative). */
function value(labels: Record<string, string>, k: number): number {
  const name = labels.__name__;
  if (name === 'http_requests_total') return k * (labels.code === '500' ? 0.1 : 10);
  if (name === 'http_request_duration_seconds_bucket') return labels.le === '+Inf' ? k * 10 : k * 10 * Math.min(1, Number(labels.le) * 8);
  if (name === 'http_request_duration_seconds_count') return k * 10;
  if (name === 'http_request_duration_seconds_sum') return k * 0.6;
  if (name === 'process_cpu_seconds_total') return k * 0.05;
  if (name === 'process_resident_memory_bytes') return 80e6 + (k % 100) * 1e5;
  return k % 17;
}

class Latencies {
  readonly ms: number[] = [];
  errors = 0;
  readonly errorSamples: string[] = [];
  add(ms: number): void {
    this.ms.push(ms);
  }
  fail(why: string): void {
    this.errors++;
    if (this.errorSamples.length < 5) this.errorSamples.push(why);
  }
  summary() {
    const s = [...this.ms].sort((a, b) => a - b);
    const q = (p: number) => (s.length === 0 ? undefined : s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]);
    return { count: s.length, errors: this.errors, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s.at(-1), errorSamples: this.errorSamples };
  }
}

async function timed(lat: Latencies, call: () => Promise<Response>): Promise<void> {
  const started = performance.now();
  try {
    const res = await call();
    const text = await res.text();
    if (!res.ok) lat.fail(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    else lat.add(performance.now() - started);
  } catch (err) {
    lat.fail((err as Error).message);
  }
}

async function main(): Promise<void> {
  warnIfBusy();
  const machine = machineInfo();
  const dir = mkdtempSync(join(tmpdir(), 'tt-server-load-'));
  const config = join(dir, 'telltale.yaml');
  writeFileSync(config, `services:\n  - name: ${SERVICE.name}\n    selector: { job: shop }\n    endpoint_label: ${SERVICE.endpoint}\n`);
  const env = typeof CPU_PROF === 'string' ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${CPU_PROF}` } : undefined;
  const server = await startServe(['--config', config, '--data', join(dir, 'data')], { cwd: dir, env });
  const url = server.url;
  try {
    const groups = Array.from({ length: GROUPS }, (_, g) => groupSeries(g));
    // an hour of history at a 15 s scrape, so the dashboard's range queries have a full range to read
    const now0 = Date.now();
    const first = now0 - HISTORY_S * 1000;
    const points = HISTORY_S * 1000 / SCRAPE_MS;
    for (const series of groups) {
      const batch: EncodableSeries[] = series.map((labels) => ({
        labels,
        timestamps: Array.from({ length: points }, (_, k) => first + k * SCRAPE_MS),
        values: Array.from({ length: points }, (_, k) => value(labels, k)),
      }));
      const res = await remoteWrite(url, batch);
      if (!res.ok) throw new Error(`history write failed: HTTP ${res.status} ${await res.text()}`);
    }
    // let the server digest the history before the clock starts
    await sleep(3000);
    process.stderr.write(`server-load: ${GROUPS * SERIES_PER_REQUEST} series with ${HISTORY_S / 60} min of history in ${url}; running ${DURATION_S}s\n`);

    const loadBefore = os.loadavg();
    const started = performance.now();
    const endAt = started + DURATION_S * 1000;
    const ingest = new Latencies();
    let skipped = 0;
    let inFlightNow = 0;
    const counters = new Array<number>(GROUPS).fill(points);
    const lastT = new Array<number>(GROUPS).fill(first + (points - 1) * SCRAPE_MS);
    const pending = new Set<Promise<void>>();

    const busy = new Array<boolean>(GROUPS).fill(false);
    const ingestLoop = async () => {
      let sent = 0;
      let next = 0;
      while (performance.now() < endAt) {
        const due = Math.floor(((performance.now() - started) / 1000) * INGEST_RATE);
        for (; sent < due; sent++) {
          // one request per group at a time, as a remote-write shard sends its series in order
          // the shop's instances report every 15 s, as scraped targets would; the other groups take the rest
          const now = Date.now();
          let g = -1;
          for (let i = 0; i < SHOP_GROUPS && g < 0; i++) if (!busy[i] && now - lastT[i] >= SCRAPE_MS) g = i;
          const others = GROUPS - SHOP_GROUPS;
          for (let i = 0; i < others && g < 0; i++) {
            const c = SHOP_GROUPS + ((next + i) % others);
            if (!busy[c]) g = c;
          }
          if (inFlightNow >= MAX_IN_FLIGHT || g < 0) {
            skipped++;
            continue;
          }
          if (g >= SHOP_GROUPS) next = (g - SHOP_GROUPS + 1) % Math.max(1, others);
          busy[g] = true;
          const t = Math.max(Date.now(), lastT[g] + 1);
          lastT[g] = t;
          const k = counters[g]++;
          const batch = groups[g].map((labels) => ({ labels, timestamps: [t], values: [value(labels, k)] }));
          inFlightNow++;
          const p = timed(ingest, () => remoteWrite(url, batch)).finally(() => {
            inFlightNow--;
            busy[g] = false;
            pending.delete(p);
          });
          pending.add(p);
        }
        await sleep(2);
      }
    };

    const dashboard = new Map<string, Latencies>();
    const call = (name: string, path: string) => {
      let lat = dashboard.get(name);
      if (!lat) dashboard.set(name, (lat = new Latencies()));
      return timed(lat, () => api(url, path));
    };
    const q = (expr: string) => `/api/v1/query?${new URLSearchParams({ query: expr })}`;
    const qr = (expr: string, r: { start: number; end: number; step: number }) =>
      `/api/v1/query_range?${new URLSearchParams({ query: expr, start: String(r.start), end: String(r.end), step: String(r.step) })}`;
    let cycles = 0;
    const qAt = (expr: string, time: number) => `/api/v1/query?${new URLSearchParams({ query: expr, time: String(time) })}`;
    const every = (part: keyof typeof REFRESH) => REFRESH[part] * REFRESH_SCALE;

    const user = async (i: number) => {
      // users arrive spread over the signals' refresh interval, as they would open their tabs
      await sleep((i / USERS) * every('signals'));
      const m = SERVICE.matchers;
      const parts: Record<keyof typeof REFRESH, () => Promise<unknown>> = {
        charts: () => {
          const r = rangeFor(DEFAULT_RANGE);
          const w = rateWindow(r.step);
          return Promise.all(
            [latencyQuantile(m, 0.5, w), latencyQuantile(m, 0.95, w), latencyQuantile(m, 0.99, w), requestRate(m, w), errorRatio(m, w), cpuCores(m, w), residentMemory(m), inFlight(m), startTimes(m)]
              .map((expr) => call('service chart (query_range 1h)', qr(expr, r))),
          );
        },
        endpoints: () => {
          const r = rangeFor(DEFAULT_RANGE);
          const span = `${r.end - r.start}s`;
          return Promise.all([
            call('endpoints (query)', qAt(endpointRate(m, SERVICE.endpoint, span), r.end)),
            call('endpoints (query)', qAt(endpointQuantile(m, SERVICE.endpoint, 0.95, span), r.end)),
            call('endpoints (query)', qAt(endpointErrors(m, SERVICE.endpoint, span), r.end)),
          ]);
        },
        // as loadSignals (web/src/pages/overview.tsx): at the last whole 5 seconds
        signals: () => call('signals (query)', qAt(tileSignals(SERVICE.name, m), Math.floor(Date.now() / 5000) * 5)),
        checks: () => call('checks (query)', q(serviceChecks(SERVICE.name, m))),
        alerts: () => call('alerts (/api/v2/alerts)', '/api/v2/alerts'),
      };
      // the page opens: the service list, then every part at once
      await call('services', '/api/telltale/services');
      const now0 = performance.now();
      const due = Object.fromEntries(Object.keys(parts).map((k) => [k, now0])) as Record<keyof typeof REFRESH, number>;
      while (performance.now() < endAt) {
        const now = performance.now();
        const ready = (Object.keys(parts) as (keyof typeof REFRESH)[]).filter((k) => due[k] <= now);
        await Promise.all(ready.map(async (k) => {
          await parts[k]();
          due[k] = now + every(k) * (0.95 + Math.random() * 0.1);
        }));
        if (ready.includes('charts')) cycles++;
        const next = Math.min(...Object.values(due)) - performance.now();
        if (next > 0) await sleep(Math.min(next, Math.max(0, endAt - performance.now())));
      }
    };

    await Promise.all([ingestLoop(), ...Array.from({ length: USERS }, (_, i) => user(i))]);
    await Promise.all([...pending]);
    const elapsedS = (performance.now() - started) / 1000;
    const loadAfter = os.loadavg();

    const all = new Latencies();
    for (const lat of dashboard.values()) {
      for (const v of lat.ms) all.add(v);
      all.errors += lat.errors;
    }
    const ing = ingest.summary();
    const rows: Array<[string, ReturnType<Latencies['summary']>]> = [
      ['ingest (remote_write)', ing],
      ['dashboard: all calls', all.summary()],
      ...[...dashboard].map(([name, lat]): [string, ReturnType<Latencies['summary']>] => [`dashboard: ${name}`, lat.summary()]),
    ];
    console.log(table(
      ['calls', 'count', 'per s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      rows.map(([name, s]) => [name, fmt(s.count), fmt(s.count / elapsedS, 1), fmt(s.errors), fmt(s.p50, 1), fmt(s.p95, 1), fmt(s.p99, 1), fmt(s.max, 1)]),
    ));
    const result = {
      date: new Date().toISOString(),
      command: `node bench/server-load.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      loadAvgBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
      loadAvgAfter: loadAfter.map((l) => Math.round(l * 100) / 100),
      settings: { durationS: DURATION_S, shopInstances: SHOP_GROUPS, ingestRate: INGEST_RATE, seriesPerRequest: SERIES_PER_REQUEST, series: GROUPS * SERIES_PER_REQUEST, users: USERS, refreshScale: REFRESH_SCALE, maxInFlight: MAX_IN_FLIGHT },
      elapsedS,
      ingest: { ...ing, achievedPerS: ing.count / elapsedS, samplesPerS: (ing.count * SERIES_PER_REQUEST) / elapsedS, skipped },
      dashboard: { all: { ...all.summary(), achievedPerS: all.ms.length / elapsedS }, cycles, byCall: Object.fromEntries([...dashboard].map(([k, v]) => [k, v.summary()])) },
      goal: { apiP99UnderMs: 100, met: (all.summary().p99 ?? Infinity) < 100 },
    };
    console.log(`\ningest: ${fmt(result.ingest.achievedPerS, 1)} requests/s of ${INGEST_RATE} asked (${fmt(result.ingest.samplesPerS)} samples/s), ${skipped} skipped (every group busy, or the in-flight cap)`);
    console.log(`dashboard: ${cycles} chart refreshes by ${USERS} users; API p99 ${fmt(result.dashboard.all.p99, 1)} ms (goal < 100 ms: ${result.goal.met ? 'met' : 'not met'})`);
    console.log(`load average before ${result.loadAvgBefore.join(' ')}, after ${result.loadAvgAfter.join(' ')} (${machine.nproc} CPUs)`);
    console.log(`results: ${writeResult('server-load', result)}`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
