/**
 * PromQL range-query speed: Telltale's engine (over its embedded store, or with `--store memory` the
 * in-memory one; its Prometheus HTTP API on loopback)
 * against the real Prometheus (same data, pushed by remote write), for the two dashboard queries of the
 * issue over 6 h at a 15 s step, at 1,000 and 10,000 series of each kind. Both are measured the same way:
 * wall time of the HTTP request, median of interleaved rounds; the results are compared for equality.
 *
 *   node bench/promql.ts [--series 1000,10000] [--rounds 5] [--store tsdb|memory]
 */
import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { MemoryStorage } from '../src/series/memory.ts';
import type { Queryable } from '../src/series/types.ts';
import { openTsdb, type Tsdb } from '../src/tsdb/db.ts';
import { registerPrometheusApi } from '../src/server/routes/prometheus-api.ts';
import { hasPrometheus, startPrometheus } from '../test/helpers/prometheus.ts';
import { diff, fromPrometheus } from '../test/promql-conformance/compare.ts';
import { machineInfo, parseFlags, table, warnIfBusy, writeResult } from './lib/util.ts';
import { benchSeries, SCRAPE_MS } from './promql-data.ts';
import { encodeLabels, encodeSeries, remoteWrite } from './promql-remote-write.ts';

const QUERIES = [
  'sum by (code) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))',
];
const T0 = 1_700_000_000_000;
const HOURS = 6;
const POINTS = (HOURS * 3600_000) / SCRAPE_MS + 1;
const BATCH = 20; // scrapes per remote-write request: time-major enough for Prometheus' head

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(url: string, query: string): Promise<{ ms: number; body: unknown }> {
  const params = new URLSearchParams({ query, start: String(T0 / 1000), end: String((T0 + HOURS * 3600_000) / 1000), step: '15' });
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body: params });
  const body = await res.json();
  return { ms: performance.now() - t0, body };
}

/** The embedded store with the data compacted into blocks as a running server would have it (the newest part stays in the head). */
async function loadTsdb(data: ReturnType<typeof benchSeries>, times: number[]): Promise<{ db: Tsdb; dir: string }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tt-promql-bench-'));
  const db = await openTsdb({ dir, clock: () => times[times.length - 1], maintenanceIntervalMs: 0 });
  for (let from = 0; from < times.length; from += BATCH) {
    const app = db.appender();
    for (const s of data) for (let i = from; i < Math.min(from + BATCH, times.length); i++) app.append(s.labels, times[i], s.value(i));
    await app.commit();
  }
  await db.compact();
  return { db, dir };
}

async function run(series: number, rounds: number, store: string) {
  const data = benchSeries(series);
  const times = Array.from({ length: POINTS }, (_, i) => T0 + i * SCRAPE_MS);
  let storage: Queryable;
  let tsdb: { db: Tsdb; dir: string } | undefined;
  if (store === 'memory') {
    const memory = new MemoryStorage();
    for (const s of data) memory.addSamples(s.labels, times, times.map((_, i) => s.value(i)));
    storage = memory;
  } else {
    tsdb = await loadTsdb(data, times);
    storage = tsdb.db;
  }

  const prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=100y', '--query.max-samples=500000000'] });
  const app = Fastify();
  registerPrometheusApi(app, { queryable: storage, limits: { maxSamples: 500_000_000 } });
  const ours = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const labels = data.map((s) => encodeLabels(s.labels));
    for (let from = 0; from < POINTS; from += BATCH) {
      const req: number[] = [];
      const idx = Array.from({ length: Math.min(BATCH, POINTS - from) }, (_, k) => from + k);
      data.forEach((s, j) => encodeSeries(labels[j], idx.map((i) => times[i]), idx.map((i) => s.value(i)), req));
      await remoteWrite(prom.url, req);
    }
    const rows: { query: string; telltaleMs: number; prometheusMs: number; ratio: number; equal: boolean; detail?: string }[] = [];
    for (const query of QUERIES) {
      const a = await timed(ours, query);
      const b = await timed(prom.url, query);
      const d = diff(fromPrometheus(a.body), fromPrometheus(b.body), false);
      const tt: number[] = [];
      const pr: number[] = [];
      for (let r = 0; r < rounds; r++) {
        tt.push((await timed(ours, query)).ms);
        pr.push((await timed(prom.url, query)).ms);
      }
      const telltaleMs = median(tt);
      const prometheusMs = median(pr);
      rows.push({ query, telltaleMs, prometheusMs, ratio: telltaleMs / prometheusMs, equal: d === undefined, detail: d });
    }
    return rows;
  } finally {
    await app.close();
    await prom.stop();
    if (tsdb) {
      await tsdb.db.close();
      rmSync(tsdb.dir, { recursive: true, force: true });
    }
  }
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  if (!hasPrometheus()) throw new Error('needs /usr/bin/prometheus (or TELLTALE_TEST_PROMETHEUS)');
  warnIfBusy();
  const sizes = String(flags.get('series') ?? '1000,10000').split(',').map(Number);
  const rounds = Number(flags.get('rounds') ?? 5);
  const store = String(flags.get('store') ?? 'tsdb');
  if (store !== 'tsdb' && store !== 'memory') throw new Error('--store is tsdb or memory');
  const machine = machineInfo();
  const results: unknown[] = [];
  const lines: string[][] = [];
  for (const n of sizes) {
    for (const r of await run(n, rounds, store)) {
      results.push({ series: n, ...r });
      lines.push([String(n), r.query.slice(0, 40), r.telltaleMs.toFixed(0), r.prometheusMs.toFixed(0), r.ratio.toFixed(2), r.equal ? 'yes' : `NO: ${r.detail}`]);
    }
  }
  console.log(`Telltale over the ${store === 'tsdb' ? 'embedded store (src/tsdb)' : 'in-memory store'}; load average ${machine.loadAvg.join(' ')}`);
  console.log(table(['series', 'query', 'telltale ms', 'prometheus ms', 'ratio', 'same result'], lines));
  const file = writeResult(`promql-${new Date().toISOString().replace(/[:.]/g, '-')}`, { machine, store, rounds, hours: HOURS, stepSeconds: 15, results });
  console.log(`written to ${file}`);
}

await main();
