/**
 * Generator overhead: how many keep-alive GETs per second one core of each load generator pushes through
 * 50 connections to a local nginx that is never the bottleneck (nginx on core 0, generator on core 1).
 *
 *   node bench/http-throughput.ts [--duration 10] [--connections 50] [--tools autocannon,wrk,telltale]
 *                                 [--repeat 1] [--server-cpu 0] [--client-cpu 1]
 *
 * With --repeat N the tools run in N interleaved rounds and each row is the round with the median req/s.
 *
 * Prints tool, req/s, p50, p99 and the ratio to autocannon; writes bench/results/http-throughput.json.
 */
import { join } from 'node:path';
import { startNginx, stopOnSignals } from './lib/nginx.ts';
import { runTelltale } from './lib/telltale.ts';
import {
  AUTOCANNON_BIN, REPO_ROOT, cpuFlag, fmt, fmtMs, hasCommand, machineInfo, numberFlag, parseFlags, pinned, runCommand, sleep,
  summaryStat, table, warnIfBusy, writeResult,
} from './lib/util.ts';

export interface ToolResult {
  tool: string;
  available: boolean;
  /** Why the tool did not run or its figures are missing. */
  note?: string;
  reqPerSec?: number;
  requests?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Transport errors, timeouts and non-2xx responses. */
  errors?: number;
  pinned?: boolean;
  ratioVsAutocannon?: number;
  /** req/s of every round, when --repeat > 1. */
  runs?: number[];
}

/** The round with the median req/s stands for the tool (its latencies come from that same round). */
function medianRun(all: ToolResult[]): ToolResult {
  const ok = all.filter((r) => r.available && r.reqPerSec !== undefined);
  if (ok.length === 0) return all[all.length - 1];
  const sorted = [...ok].sort((a, b) => a.reqPerSec! - b.reqPerSec!);
  const median = { ...sorted[Math.floor((sorted.length - 1) / 2)] };
  if (all.length > 1) median.runs = ok.map((r) => r.reqPerSec!);
  return median;
}

/** autocannon --json output. Its latency histogram has 1 ms resolution. */
export function parseAutocannon(stdout: string): Omit<ToolResult, 'tool' | 'available'> {
  const line = stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error('autocannon printed no JSON');
  const j = JSON.parse(line) as {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    latency: Record<string, number>;
    requests: { total: number; average: number };
  };
  return {
    requests: j.requests.total,
    reqPerSec: j.duration > 0 ? j.requests.total / j.duration : j.requests.average,
    p50Ms: j.latency.p50,
    p99Ms: j.latency.p99,
    errors: (j.errors ?? 0) + (j.timeouts ?? 0) + (j.non2xx ?? 0),
  };
}

const WRK_UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };

function wrkLatency(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^([\d.]+)(us|ms|s|m)$/.exec(value);
  return m ? Number(m[1]) * WRK_UNIT_MS[m[2]] : undefined;
}

/** wrk --latency text output. */
export function parseWrk(stdout: string): Omit<ToolResult, 'tool' | 'available'> {
  const rps = /^Requests\/sec:\s*([\d.]+)/m.exec(stdout);
  if (!rps) throw new Error(`unexpected wrk output: ${stdout.slice(0, 200)}`);
  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)/m.exec(stdout);
  const pct = (p: string) => wrkLatency(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(stdout)?.[1]);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  let errors = non2xx ? Number(non2xx[1]) : 0;
  if (sock) errors += sock.slice(1).reduce((s, n) => s + Number(n), 0);
  return {
    reqPerSec: Number(rps[1]),
    requests: total ? Number(total[1]) : undefined,
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    errors,
  };
}

/** Telltale's --summary-export (k6 legacy summary shape). */
export function parseTelltaleSummary(summary: unknown): Omit<ToolResult, 'tool' | 'available'> {
  const reqs = summaryStat(summary, 'http_reqs', 'count');
  // A rate metric's share is `value` in the export (k6 renames it), `rate` in handleSummary data.
  const failedRate = summaryStat(summary, 'http_req_failed', 'value') ?? summaryStat(summary, 'http_req_failed', 'rate');
  return {
    reqPerSec: summaryStat(summary, 'http_reqs', 'rate'),
    requests: reqs,
    p50Ms: summaryStat(summary, 'http_req_duration', 'med') ?? summaryStat(summary, 'http_req_duration', 'p(50)'),
    p99Ms: summaryStat(summary, 'http_req_duration', 'p(99)'),
    errors: reqs !== undefined && failedRate !== undefined ? Math.round(reqs * failedRate) : undefined,
  };
}

interface Params {
  url: string;
  durationS: number;
  connections: number;
  clientCpu: number | null;
}

async function runAutocannon(p: Params): Promise<ToolResult> {
  const cmd = pinned(p.clientCpu, process.execPath, [AUTOCANNON_BIN, '-c', String(p.connections), '-d', String(p.durationS), '--json', p.url]);
  const r = await runCommand(cmd.cmd, cmd.args, { timeoutMs: (p.durationS + 30) * 1000 });
  if (r.code !== 0) return { tool: 'autocannon', available: false, note: `exit ${r.code ?? r.signal}: ${r.stderr.trim().slice(0, 200)}` };
  return { tool: 'autocannon', available: true, pinned: cmd.pinned, ...parseAutocannon(r.stdout) };
}

async function runWrk(p: Params): Promise<ToolResult> {
  if (!hasCommand('wrk')) return { tool: 'wrk', available: false, note: 'wrk is not installed (apt-get install wrk)' };
  // --latency only adds the percentile table to the output; the load is the same.
  const cmd = pinned(p.clientCpu, 'wrk', ['-t1', `-c${p.connections}`, `-d${p.durationS}s`, '--latency', p.url]);
  const r = await runCommand(cmd.cmd, cmd.args, { timeoutMs: (p.durationS + 30) * 1000 });
  if (r.code !== 0) return { tool: 'wrk', available: false, note: `exit ${r.code ?? r.signal}: ${r.stderr.trim().slice(0, 200)}` };
  return { tool: 'wrk', available: true, pinned: cmd.pinned, ...parseWrk(r.stdout) };
}

async function runTelltaleRow(p: Params): Promise<ToolResult> {
  const r = await runTelltale({
    args: ['--workers', '1', '--quiet', '-e', `URL=${p.url}`, '-u', String(p.connections), '-d', `${p.durationS}s`, join(REPO_ROOT, 'bench', 'scripts', 'get.ts')],
    timeoutMs: (p.durationS + 60) * 1000,
    cpu: p.clientCpu,
  });
  if (!r.ok) return { tool: 'telltale', available: false, note: r.note?.startsWith('not available') ? r.note : `not available: ${r.note}` };
  const parsed = parseTelltaleSummary(r.summary);
  const result: ToolResult = { tool: 'telltale', available: true, pinned: r.pinned, ...parsed };
  if (parsed.reqPerSec === undefined) result.note = 'summary export has no http_reqs.rate';
  return result;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const durationS = numberFlag(flags, 'duration', 10);
  const connections = numberFlag(flags, 'connections', 50);
  const serverCpu = cpuFlag(flags, 'server-cpu', 0);
  const clientCpu = cpuFlag(flags, 'client-cpu', 1);
  const repeat = Math.round(numberFlag(flags, 'repeat', 1));
  const tools = String(flags.get('tools') ?? 'autocannon,wrk,telltale').split(',').map((t) => t.trim());

  warnIfBusy();
  const server = await startNginx({ cpu: serverCpu });
  stopOnSignals(server);
  const machine = machineInfo();
  process.stderr.write(
    `nginx ${server.url} (pid ${server.pid}${server.pinned ? `, core ${serverCpu}` : ', unpinned'}); ` +
      `generators on ${clientCpu === null ? 'any core' : `core ${clientCpu}`}; ${connections} connections, ${durationS}s each\n`,
  );

  const params: Params = { url: server.url, durationS, connections, clientCpu };
  const runners: Record<string, (p: Params) => Promise<ToolResult>> = { autocannon: runAutocannon, wrk: runWrk, telltale: runTelltaleRow };
  for (const tool of tools) if (!runners[tool]) throw new Error(`unknown tool ${tool}; known: ${Object.keys(runners).join(', ')}`);
  const runs = new Map<string, ToolResult[]>(tools.map((t) => [t, []]));
  try {
    // Rounds interleave the tools so that a burst of outside load hits all of them alike.
    for (let round = 1; round <= repeat; round++) {
      for (const tool of tools) {
        const previous = runs.get(tool)!;
        if (previous.length && !previous[previous.length - 1].available) continue;
        process.stderr.write(`running ${tool}${repeat > 1 ? ` (round ${round}/${repeat})` : ''}...\n`);
        let res: ToolResult;
        try {
          res = await runners[tool](params);
        } catch (err) {
          res = { tool, available: false, note: (err as Error).message };
        }
        previous.push(res);
        // Lets the previous generator's sockets close before the next one connects.
        await sleep(1000);
      }
    }
  } finally {
    await server.stop();
  }
  const results = tools.map((tool) => medianRun(runs.get(tool)!));

  const base = results.find((r) => r.tool === 'autocannon' && r.reqPerSec);
  for (const r of results) if (base?.reqPerSec && r.reqPerSec !== undefined) r.ratioVsAutocannon = r.reqPerSec / base.reqPerSec;

  const range = (r: ToolResult): string[] => (repeat > 1 ? [r.runs ? `${fmt(Math.min(...r.runs))}-${fmt(Math.max(...r.runs))}` : '-'] : []);
  const rows = results.map((r) =>
    r.available
      ? [r.tool, fmt(r.reqPerSec), ...range(r), fmtMs(r.p50Ms), fmtMs(r.p99Ms), r.ratioVsAutocannon === undefined ? '-' : r.ratioVsAutocannon.toFixed(2), fmt(r.errors)]
      : [r.tool, 'not available', ...range(r), '-', '-', '-', '-'],
  );
  const header = ['tool', repeat > 1 ? 'req/s (median)' : 'req/s', ...(repeat > 1 ? ['range'] : []), 'p50', 'p99', 'vs autocannon', 'errors'];
  console.log(table(header, rows));
  for (const r of results) if (r.note) console.log(`  ${r.tool}: ${r.note}`);

  const file = writeResult('http-throughput', {
    benchmark: 'http-throughput',
    date: new Date().toISOString(),
    machine,
    params: { durationS, connections, repeat, serverCpu, clientCpu, target: 'nginx return 200 "ok\\n", keep-alive, 1 worker' },
    results,
    runs: Object.fromEntries(runs),
  });
  console.log(`results: ${file}`);
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
