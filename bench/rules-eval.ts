/**
 * Rule evaluation at scale: 1,000 alerting rules (the golden-signal shapes of
 * rules/telltale-golden-signals.yml, written per service) evaluated every 15 s over 10,000 series fed
 * live every 15 s, first by Telltale (embedded series store, rule manager, dispatcher and a webhook on the
 * real clock), then by the real Prometheus (GOMAXPROCS=1) fed the same samples by remote write.
 *
 * Reported: evaluation time per cycle (the sum of the groups' evaluation times in one interval, which
 * is what one core spends) as p50 / p99 / max over the cycles, the ratio Telltale / Prometheus, and
 * Telltale's notification latency from a threshold breach (the samples that cross it are committed)
 * to the webhook request arriving; the goal is one evaluation interval + group_wait.
 *
 *   node bench/rules-eval.ts [--cycles 8] [--no-prometheus]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAlertStore } from '../src/alerting/alert-store.ts';
import { AlertingApi } from '../src/alerting/api.ts';
import { loadAlertingConfig } from '../src/alerting/config.ts';
import { Dispatcher } from '../src/alerting/dispatcher.ts';
import { encodeWriteRequest, snappyEncode } from '../src/ingest/remote-write-codec.ts';
import { systemClock } from '../src/load/clock.ts';
import { loadRuleFiles } from '../src/rules/rule-file.ts';
import { RuleManager } from '../src/rules/rule-manager.ts';
import type { Labels } from '../src/series/types.ts';
import { openTsdb } from '../src/tsdb/db.ts';
import { hasPrometheus, startPrometheus } from '../test/helpers/prometheus.ts';
import { fmt, machineInfo, numberFlag, parseFlags, sleep, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const CYCLES = Math.min(40, numberFlag(flags, 'cycles', 8));
const INTERVAL = 15_000;
const HISTORY = 40; // scrapes before the rules start: 10 minutes
const JOBS = 50;
const INSTANCES = 2;
const ROUTES = 10;
const LE = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
const GROUP_WAIT_S = 5;

// ---- data: per job, instance and route, two request counters (200, 500) and 8 histogram buckets ----------
interface Series {
  labels: Labels;
  kind: 'ok' | 'err' | 'bucket';
  le: number;
  job: number;
  value: number;
}
const series: Series[] = [];
for (let j = 0; j < JOBS; j++) {
  for (let i = 0; i < INSTANCES; i++) {
    for (let r = 0; r < ROUTES; r++) {
      const base = { job: `svc-${j}`, instance: `10.0.${j}.${i}:8080`, route: `/r${r}` };
      series.push({ labels: { __name__: 'http_requests_total', ...base, code: '200' }, kind: 'ok', le: 0, job: j, value: 0 });
      series.push({ labels: { __name__: 'http_requests_total', ...base, code: '500' }, kind: 'err', le: 0, job: j, value: 0 });
      for (const le of LE) series.push({ labels: { __name__: 'http_request_duration_seconds_bucket', ...base, le }, kind: 'bucket', le: le === '+Inf' ? Infinity : Number(le), job: j, value: 0 });
    }
  }
}

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
/** Jobs whose next scrape carries a burst of 5xx (a breach of the error-rate rules). */
const breaching = new Set<number>();

/** Advances every counter by one scrape: ~10 req/s per route, 0.2% errors, latency around 80 ms. */
function scrape(): void {
  let requests = 0;
  for (const s of series) {
    if (s.kind === 'ok') {
      requests = Math.round(150 * (0.8 + 0.4 * random()));
      s.value += requests;
    } else if (s.kind === 'err') {
      s.value += breaching.has(s.job) ? 100_000 : random() < 0.3 ? 1 : 0;
    } else {
      // the share of requests at or under le, from a latency distribution centred near 80 ms
      const share = s.le === Infinity ? 1 : 1 - Math.exp(-s.le / 0.08);
      s.value += Math.round(requests * share);
    }
  }
  breaching.clear();
}

// ---- rules: 20 per service, 50 services, one group per service -------------------------------------------
function ruleFile(): string {
  const lines = ['groups:'];
  for (let j = 0; j < JOBS; j++) {
    const m = `job="svc-${j}"`;
    const err = `sum by (job) (rate(http_requests_total{${m},code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total{${m}}[5m]))`;
    const q = (p: number) => `histogram_quantile(${p}, sum by (job, le) (rate(http_request_duration_seconds_bucket{${m}}[5m])))`;
    const rules: Array<[string, string]> = [
      ['HTTPErrorRatePage', `${err} > 0.05`],
      ['HTTPErrorRateTicket', `${err} > 0.02`],
      ['HTTPLatencyP95Page', `${q(0.95)} > 2`],
      ['HTTPLatencyP95Ticket', `${q(0.95)} > 0.5`],
      ['HTTPLatencyP99Page', `${q(0.99)} > 5`],
      ['HTTPTrafficDrop', `sum by (job) (rate(http_requests_total{${m}}[5m])) < 1`],
    ];
    for (let r = 0; r < ROUTES; r++) {
      rules.push([`RouteLatencyP95_r${r}`, `histogram_quantile(0.95, sum by (job, route, le) (rate(http_request_duration_seconds_bucket{${m},route="/r${r}"}[5m]))) > 1`]);
    }
    for (let r = 0; r < 4; r++) {
      rules.push([`RouteErrorRate_r${r}`, `sum by (job, route) (rate(http_requests_total{${m},route="/r${r}",code=~"5.."}[5m])) / sum by (job, route) (rate(http_requests_total{${m},route="/r${r}"}[5m])) > 0.1`]);
    }
    lines.push(`  - name: svc-${j}`, '    interval: 15s', '    rules:');
    for (const [name, expr] of rules) lines.push(`      - alert: ${name}`, `        expr: '${expr}'`, '        labels: { severity: page }');
  }
  return `${lines.join('\n')}\n`;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1], n: s.length };
};

const dir = mkdtempSync(join(tmpdir(), 'tt-rules-eval-'));
const rulesPath = join(dir, 'rules.yml');
writeFileSync(rulesPath, ruleFile());
const machine = machineInfo();
warnIfBusy();
process.stderr.write(`${series.length} series, ${JOBS * 20} rules in ${JOBS} groups, every ${INTERVAL / 1000} s, ${CYCLES} cycles\n`);

// ---- Telltale -----------------------------------------------------------------------------------------------
async function runTelltale() {
  const arrivals = new Map<string, number>();
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const t = Date.now();
      for (const a of (JSON.parse(body) as { alerts: Array<{ labels: Labels }> }).alerts) {
        const key = `${a.labels.alertname}/${a.labels.job}`;
        if (!arrivals.has(key)) arrivals.set(key, t);
      }
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const tsdb = await openTsdb({ dir: join(dir, 'telltale-data'), clock: () => Date.now() });
  const store = await openAlertStore(':memory:');
  const dispatcher = await Dispatcher.create({
    config: loadAlertingConfig(`route:\n  receiver: hook\n  group_by: [alertname, job]\n  group_wait: ${GROUP_WAIT_S}s\n  group_interval: 5m\nreceivers:\n  - name: hook\n    webhook_configs: [{ url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/" }]\n`),
    store, clock: { now: () => Date.now() },
  });
  dispatcher.start();
  const api = new AlertingApi(dispatcher);
  const rules = new RuleManager({ files: await loadRuleFiles([rulesPath]), queryable: tsdb, storage: tsdb, clock: systemClock, evaluationIntervalMs: INTERVAL, externalURL: 'http://bench', notify: (a) => api.receive(a) });

  const append = async (t: number) => {
    const app = tsdb.appender();
    for (const s of series) app.append(s.labels, t, s.value);
    await app.commit();
  };
  const start = Date.now();
  for (let k = HISTORY; k > 0; k--) {
    scrape();
    await append(start - k * INTERVAL);
  }
  rules.start();
  const evals = new Map<string, Map<number, number>>();
  const breaches = new Map<string, number>();
  const end = start + (CYCLES + 1) * INTERVAL;
  let next = start;
  let cycle = 0;
  const poll = setInterval(() => {
    for (const g of rules.groups) {
      if (g.lastEvaluation === undefined || g.evaluationSeconds === undefined) continue;
      let m = evals.get(g.group.name);
      if (!m) evals.set(g.group.name, (m = new Map()));
      m.set(g.lastEvaluation, g.evaluationSeconds);
    }
  }, 200);
  while (Date.now() < end) {
    await sleep(Math.max(0, next - Date.now()));
    // a breach on a different service every cycle after the first two
    if (cycle >= 2) breaching.add(cycle);
    scrape();
    await append(Date.now());
    if (cycle >= 2) breaches.set(`HTTPErrorRatePage/svc-${cycle}`, Date.now());
    cycle++;
    next += INTERVAL;
  }
  await sleep(INTERVAL + GROUP_WAIT_S * 1000 + 2000);
  clearInterval(poll);
  await rules.stop();
  await dispatcher.stop();
  await store.close();
  await tsdb.close();
  await new Promise<void>((r) => hook.close(() => r()));
  // one cycle per interval: the sum over groups of the evaluations in that interval
  const perCycle = new Map<number, number>();
  for (const m of evals.values()) for (const [t, s] of m) perCycle.set(Math.floor((t - start) / INTERVAL), (perCycle.get(Math.floor((t - start) / INTERVAL)) ?? 0) + s);
  const cycles = [...perCycle.entries()].filter(([, s]) => s > 0).map(([, s]) => s * 1000);
  const latencies = [...breaches].map(([key, t]) => (arrivals.has(key) ? arrivals.get(key)! - t : NaN));
  return { cycles, latencies };
}

// ---- Prometheus ----------------------------------------------------------------------------------------------
async function runPrometheus() {
  process.env.GOMAXPROCS = '1';
  const prom = await startPrometheus({
    config: `global:\n  evaluation_interval: 15s\nrule_files: [${rulesPath}]\n`,
    args: ['--web.enable-remote-write-receiver'],
  });
  try {
    for (const s of series) s.value = 0;
    const write = async (t: number) => {
      const body = snappyEncode(encodeWriteRequest(series.map((s) => ({ labels: s.labels, timestamps: [t], values: [s.value] }))));
      const res = await fetch(`${prom.url}/api/v1/write`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' } });
      if (!res.ok) throw new Error(`remote write: ${res.status} ${await res.text()}`);
    };
    const start = Date.now();
    for (let k = HISTORY; k > 0; k--) {
      scrape();
      await write(start - k * INTERVAL);
    }
    const cycles: number[] = [];
    let seen = '';
    const end = start + (CYCLES + 1) * INTERVAL;
    let next = start;
    while (Date.now() < end) {
      await sleep(Math.max(0, next - Date.now()));
      scrape();
      await write(Date.now());
      next += INTERVAL;
      // the groups' last durations from Prometheus' own /metrics, summed once every group has evaluated again
      const text = await (await fetch(`${prom.url}/metrics`)).text();
      const values = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
      const durations = values('prometheus_rule_group_last_duration_seconds');
      const stamps = values('prometheus_rule_group_last_evaluation_timestamp_seconds');
      const oldest = Math.min(...stamps);
      if (stamps.length === JOBS && oldest > 0 && String(oldest) !== seen) {
        seen = String(oldest);
        cycles.push(durations.reduce((a, b) => a + b, 0) * 1000);
      }
    }
    return { cycles };
  } finally {
    await prom.stop();
  }
}

try {
  const telltale = await runTelltale();
  const prometheus = flags.has('no-prometheus') || !hasPrometheus() ? undefined : await runPrometheus();
  const t = stats(telltale.cycles);
  const p = prometheus ? stats(prometheus.cycles) : undefined;
  const rows = [
    ['telltale', fmt(t.p50, 1), fmt(t.p99, 1), fmt(t.max, 1), String(t.n)],
    ...(p ? [['prometheus', fmt(p.p50, 1), fmt(p.p99, 1), fmt(p.max, 1), String(p.n)], ['ratio', fmt(t.p50 / p.p50, 2), fmt(t.p99 / p.p99, 2), fmt(t.max / p.max, 2), '']] : []),
  ];
  process.stdout.write(`\nevaluation time per cycle (ms), ${JOBS * 20} rules over ${series.length} series\n${table(['', 'p50', 'p99', 'max', 'cycles'], rows)}\n`);
  const l = stats(telltale.latencies.filter((x) => Number.isFinite(x)));
  process.stdout.write(`\nnotification latency, breach → webhook (ms), goal ≤ ${INTERVAL + GROUP_WAIT_S * 1000}: p50 ${fmt(l.p50)} max ${fmt(l.max)} (${l.n} of ${telltale.latencies.length} breaches delivered)\n`);
  const file = writeResult('rules-eval', { machine, cycles: CYCLES, series: series.length, rules: JOBS * 20, telltale: { ...t, latency: l, raw: telltale }, prometheus: p ? { ...p, raw: prometheus } : null });
  process.stdout.write(`\n${file}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
