/**
 * Cost of one HTTP check run against a bare request on a fresh connection, both against the private nginx:
 * how much the probe (phase timing, assertions, verdict, retries/timeout machinery) adds to a request. Then
 * how many check runs per second the scheduler sustains on a fake clock with an instant probe.
 *
 *   node bench/probe-http.ts                       # 5 interleaved rounds of 300 sequential requests
 *   node bench/probe-http.ts --rounds 3 --requests 200
 */
import http from 'node:http';
import { systemClock } from '../src/load/clock.ts';
import { parseChecks } from '../src/probes/parse-checks.ts';
import type { CheckDefinition } from '../src/probes/check-types.ts';
import { runCheck } from '../src/probes/run-check.ts';
import { Scheduler } from '../src/probes/scheduler.ts';
import { verdict } from '../src/probes/verdict.ts';
import { startNginx, stopOnSignals } from './lib/nginx.ts';
import { cpuFlag, fmt, machineInfo, numberFlag, parseFlags, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const rounds = numberFlag(flags, 'rounds', 5);
const requests = numberFlag(flags, 'requests', 300);
const serverCpu = cpuFlag(flags, 'server-cpu', 0);

function bareRequest(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Round {
  client: string;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
}

async function measure(client: string, once: () => Promise<void>): Promise<Round> {
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { client, p50: times[Math.floor(times.length * 0.5)], p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))], cpuUsPerRequest: (cpu.user + cpu.system) / requests };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The scheduler on the real clock: `checks` checks every 10 s (spread by their offsets) with an instant probe
 * for `seconds`, so the figure is the scheduler's own cost (timers, grid, runCheck, verdict), not a probe's.
 */
async function schedulerCost(checks: number, seconds: number): Promise<{ runs: number; cpuMs: number; cpuUsPerRun: number; lateP99Ms: number }> {
  const defs = parseChecks(Array.from({ length: checks }, (_, i) => ({ name: `c${i}`, type: 'tcp', host: '127.0.0.1', port: 1, interval: '10s' })));
  let runs = 0;
  const late: number[] = [];
  const s = new Scheduler({
    clock: systemClock,
    concurrency: 64,
    run: (def: CheckDefinition, signal) => runCheck(def, { clock: systemClock, probes: { tcp: (d) => verdict(d, { durationMs: 0, assertions: [] }) } }, signal),
    onResult: (def, r) => {
      runs++;
      // How late the run started against its slot on the grid.
      const offset = offsets.get(def.name)!;
      // The nearest slot: a timer may fire a fraction of a millisecond before the high-resolution clock says.
      const slot = Math.round((r.startedAt - offset) / def.intervalMs) * def.intervalMs + offset;
      late.push(r.startedAt - slot);
    },
  });
  const offsets = new Map<string, number>();
  for (const d of defs) {
    s.add(d);
    offsets.set(d.name, s.schedule(d.name)!.offsetMs);
  }
  const cpu0 = process.cpuUsage();
  s.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await s.stop();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  late.sort((a, b) => a - b);
  return { runs, cpuMs, cpuUsPerRun: (cpuMs * 1000) / Math.max(1, runs), lateP99Ms: late[Math.floor(late.length * 0.99)] ?? NaN };
}

warnIfBusy();
const nginx = await startNginx({ cpu: serverCpu });
stopOnSignals(nginx);
try {
  const url = `${nginx.url}/`;
  const def = parseChecks([{ name: 'bench', type: 'http', request: { url }, assertions: [{ source: 'statusCode', comparison: 'equals', target: 200 }, { source: 'textBody', comparison: 'contains', target: 'ok' }] }])[0];
  const clients: [string, () => Promise<void>][] = [
    ['node:http, fresh connection', () => bareRequest(url)],
    ['telltale http check', async () => {
      const r = await runCheck(def, { clock: systemClock });
      if (r.status !== 'passed') throw new Error(r.failures.join('; '));
    }],
  ];
  // Warm-up: JIT and nginx.
  for (const [, once] of clients) for (let i = 0; i < 50; i++) await once();
  const all: Round[] = [];
  for (let r = 0; r < rounds; r++) for (const [name, once] of clients) all.push(await measure(name, once));
  const rows = clients.map(([name]) => {
    const mine = all.filter((x) => x.client === name);
    return { client: name, p50: median(mine.map((x) => x.p50)), p99: median(mine.map((x) => x.p99)), cpuUsPerRequest: median(mine.map((x) => x.cpuUsPerRequest)) };
  });
  const base = rows[0];
  process.stdout.write(`${table(['client', 'p50', 'p99', 'CPU per request', 'p50 vs bare'], rows.map((r) => [r.client, `${r.p50.toFixed(3)} ms`, `${r.p99.toFixed(3)} ms`, `${fmt(r.cpuUsPerRequest)} µs`, `${(r.p50 / base.p50).toFixed(2)}×`]))}\n\n`);

  const sched = await schedulerCost(5000, 20);
  process.stdout.write(`scheduler: 5,000 checks every 10 s for 20 s (instant probe): ${fmt(sched.runs)} runs, ${fmt(sched.cpuMs)} ms CPU (${fmt(sched.cpuUsPerRun, 1)} µs per run, ${((sched.cpuMs / 20_000) * 100).toFixed(1)}% of a core); p99 start delay after the slot ${sched.lateP99Ms.toFixed(1)} ms\n`);
  const file = writeResult('probe-http', { machine: machineInfo(), rounds, requests, serverPinned: nginx.pinned, rows, rounds_raw: all, scheduler: sched });
  process.stdout.write(`results: ${file}\n`);
} finally {
  await nginx.stop();
}
