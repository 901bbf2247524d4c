/**
 * remote_write ingest into the embedded store, against the real Prometheus receiving the same stream.
 *
 *   taskset -c 1 node bench/remote-write-ingest.ts [--series 8000] [--steps 375] [--shards 4] [--cpu 0] [--rounds 1] [--only telltale|prometheus] [--cpu-prof DIR]
 *
 * Each server runs alone on `--cpu` (taskset; Prometheus with GOMAXPROCS=1): `telltale serve` with its series
 * store on a temporary directory, and `prometheus --web.enable-remote-write-receiver`. The stream is
 * `--series` series (request counters, latency buckets and gauges of 100 instances) scraped every 15 s for
 * `--steps` scrapes, ending now; it is split by series into `--shards` shards, as Prometheus' sender does,
 * and each shard sends one WriteRequest per scrape (snappy + protobuf, encoded before the clock starts), one
 * at a time, waiting for the acknowledgement. Samples/s is samples acknowledged over the wall time from the
 * first send to the last acknowledgement; samples per CPU-second divides by the server's own CPU time over
 * the same span (/proc), which other load on the machine disturbs less. Afterwards both servers are asked how
 * many samples they hold (`count_over_time`), which must equal what was sent. `--cpu-prof DIR` writes a V8
 * CPU profile of the Telltale server into DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { encodeWriteRequest, snappyEncode } from '../src/ingest/remote-write-codec.ts';
import type { Labels } from '../src/series/types.ts';
import { freePort } from '../test/helpers/prometheus.ts';
import { makeAdminToken } from '../test/helpers/serve.ts';
import { TELLTALE_BIN, cpuFlag, fmt, machineInfo, numberFlag, parseFlags, pinned, sleep, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const SERIES = numberFlag(flags, 'series', 8000);
const STEPS = numberFlag(flags, 'steps', 375);
const SHARDS = numberFlag(flags, 'shards', 4);
const ROUNDS = numberFlag(flags, 'rounds', 1);
const CPU = cpuFlag(flags, 'cpu', 0);
const only = flags.get('only');
if (only !== undefined && only !== 'telltale' && only !== 'prometheus') throw new Error('--only takes telltale or prometheus');
const cpuProf = flags.get('cpu-prof');
if (cpuProf === true) throw new Error('--cpu-prof needs a directory');
const CPU_PROF = typeof cpuProf === 'string' ? cpuProf : undefined;
const PROMETHEUS_BIN = process.env.TELLTALE_TEST_PROMETHEUS ?? '/usr/bin/prometheus';
const STEP_MS = 15_000;
/** Whether every server ran under taskset on CPU (false when the core is not there, or taskset is missing). */
let serversPinned = true;

function seriesLabels(i: number): Labels {
  const instance = `10.0.0.${i % 100}:9100`;
  const k = Math.floor(i / 100);
  // k picks the kind; j numbers the series of that kind on one instance, so every label set is distinct
  const j = Math.floor(k / 4);
  switch (k % 4) {
    case 0:
      return { __name__: 'http_requests_total', job: 'api', instance, route: `/r${Math.floor(j / 5)}`, code: ['200', '201', '404', '500', '503'][j % 5] };
    case 1:
      return { __name__: 'http_request_duration_seconds_bucket', job: 'api', instance, route: `/r${Math.floor(j / 10)}`, le: ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'][j % 10] };
    case 2:
      return { __name__: 'node_cpu_seconds_total', job: 'node', instance, cpu: String(Math.floor(j / 4)), mode: ['user', 'system', 'idle', 'iowait'][j % 4] };
    default:
      return { __name__: 'process_resident_memory_bytes', job: 'api', instance, worker: String(j) };
  }
}

function valueAt(i: number, step: number): number {
  const kind = Math.floor(i / 100) % 4;
  if (kind === 0 || kind === 1) return step * (1 + (i % 7)) + (i % 13);
  if (kind === 2) return Math.round((step * 15 * 0.37 + i) * 100) / 100;
  return 150_000_000 + ((i * 7919 + step * 104_729) % 50_000_000);
}

/** requests[shard][step]: the encoded WriteRequests, in time order per shard. */
function buildRequests(endMs: number): { requests: Uint8Array[][]; samples: number; bytes: number } {
  const labels = Array.from({ length: SERIES }, (_, i) => seriesLabels(i));
  const start = Math.floor(endMs / STEP_MS) * STEP_MS - (STEPS - 1) * STEP_MS;
  const requests: Uint8Array[][] = [];
  let bytes = 0;
  for (let s = 0; s < SHARDS; s++) {
    const mine = labels.map((l, i) => ({ l, i })).filter(({ i }) => i % SHARDS === s);
    const list: Uint8Array[] = [];
    for (let step = 0; step < STEPS; step++) {
      const t = start + step * STEP_MS;
      const body = snappyEncode(encodeWriteRequest(mine.map(({ l, i }) => ({ labels: l, timestamps: [t + (i % 1000)], values: [valueAt(i, step)] }))));
      bytes += body.length;
      list.push(body);
    }
    requests.push(list);
  }
  return { requests, samples: SERIES * STEPS, bytes };
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Target {
  name: string;
  url: string;
  /** credentials the server asks for */
  headers: Record<string, string>;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${url} did not become ready:\n${log()}`);
}

async function launch(name: string, cmd: string, args: string[], readyUrl: string, url: string, cwd: string, env: NodeJS.ProcessEnv, cleanup: string): Promise<Target> {
  const p = pinned(CPU, cmd, args);
  if (!p.pinned) serversPinned = false;
  const child = spawn(p.cmd, p.args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitReady(readyUrl, child, () => stderr);
  return {
    name,
    url,
    headers: {},
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(cleanup, { recursive: true, force: true });
    },
  };
}

async function startTelltale(): Promise<Target> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tt-rw-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, TELLTALE_ADMIN_PASSWORD: process.env.TELLTALE_ADMIN_PASSWORD ?? 'bench-admin-password' };
  const data = join(dir, 'data');
  const token = makeAdminToken(['--data', data], { cwd: dir });
  const target = await launch('telltale', process.execPath, [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), TELLTALE_BIN, 'serve', '--listen', `127.0.0.1:${port}`, '--data', data, '--log-level', 'warn'], `${url}/readyz`, url, dir, env, dir);
  target.headers = { authorization: `Bearer ${token}` };
  return target;
}

async function startPrometheus(): Promise<Target> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tt-rw-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=warn'];
  return launch('prometheus', PROMETHEUS_BIN, args, `${url}/-/ready`, url, dir, { ...process.env, GOMAXPROCS: '1' }, dir);
}

const HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

async function send(target: Target, requests: Uint8Array[][]): Promise<{ wallMs: number; cpuS: number; failures: number }> {
  let failures = 0;
  const cpu0 = cpuSeconds(target.child.pid!);
  const t0 = performance.now();
  await Promise.all(
    requests.map(async (list) => {
      for (const body of list) {
        const res = await fetch(`${target.url}/api/v1/write`, { method: 'POST', body, headers: { ...HEADERS, ...target.headers } });
        await res.arrayBuffer();
        if (res.status !== 204 && res.status !== 200) {
          failures++;
          if (failures <= 3) process.stderr.write(`${target.name}: HTTP ${res.status}\n`);
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { wallMs, cpuS: cpuSeconds(target.child.pid!) - cpu0, failures };
}

async function storedSamples(target: Target, atMs: number): Promise<number> {
  const range = `${Math.ceil((STEPS * STEP_MS) / 60_000) + 5}m`;
  const q = new URLSearchParams({ query: `sum(count_over_time({job=~"api|node"}[${range}]))`, time: String(atMs / 1000 + 1) });
  const res = await fetch(`${target.url}/api/v1/query?${q}`, { headers: target.headers });
  const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
  return Number(body.data?.result?.[0]?.value[1] ?? 0);
}

warnIfBusy();
const machine = machineInfo();
const rows: string[][] = [];
const results: unknown[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const start of [startTelltale, startPrometheus].filter((_, i) => only === undefined || only === ['telltale', 'prometheus'][i])) {
    const endMs = Date.now();
    const { requests, samples, bytes } = buildRequests(endMs);
    const target = await start();
    try {
      const r = await send(target, requests);
      const stored = await storedSamples(target, endMs);
      const perSec = samples / (r.wallMs / 1000);
      const perCpu = samples / r.cpuS;
      rows.push([`${target.name} (round ${round})`, fmt(samples), fmt(r.wallMs / 1000, 2), fmt(perSec), fmt(r.cpuS, 2), fmt(perCpu), fmt(stored), String(r.failures)]);
      results.push({ round, target: target.name, samples, compressedBytes: bytes, wallMs: r.wallMs, cpuSeconds: r.cpuS, samplesPerSecond: perSec, samplesPerCpuSecond: perCpu, stored, failures: r.failures });
      process.stderr.write(`${target.name}: ${fmt(perSec)} samples/s, ${fmt(perCpu)} per CPU-second, stored ${fmt(stored)} of ${fmt(samples)}\n`);
    } finally {
      await target.stop();
    }
  }
}
console.log(`${SERIES} series × ${STEPS} scrapes in ${SHARDS} shards (${SERIES / SHARDS} samples per request), ${serversPinned && CPU !== null ? `servers pinned to CPU ${CPU}` : 'servers NOT pinned'}; load average ${machine.loadAvg.join(' ')}`);
console.log(table(['server', 'samples', 'wall s', 'samples/s', 'server CPU s', 'samples/CPU-s', 'stored', 'failed requests'], rows));
const summary = (name: string, key: 'samplesPerSecond' | 'samplesPerCpuSecond'): number => {
  const v = results.filter((r) => (r as { target: string }).target === name).map((r) => (r as Record<string, number>)[key]);
  return v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
};
const ratio = summary('telltale', 'samplesPerSecond') / summary('prometheus', 'samplesPerSecond');
const cpuRatio = summary('telltale', 'samplesPerCpuSecond') / summary('prometheus', 'samplesPerCpuSecond');
if (only === undefined) console.log(`telltale / prometheus: ${ratio.toFixed(2)}× samples/s, ${cpuRatio.toFixed(2)}× samples per CPU-second`);
console.log(`results: ${writeResult('remote-write-ingest', { machine, series: SERIES, steps: STEPS, shards: SHARDS, cpu: CPU, serversPinned, results, ratio, cpuRatio })}`);
