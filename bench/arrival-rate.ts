/**
 * Open-model accuracy: can the engine start 5,000 iterations per second (one GET each) on schedule, for
 * 30 s, against a local nginx? Reports achieved iterations/s, dropped iterations and the ratio to target.
 *
 *   node bench/arrival-rate.ts [--rate 5000] [--duration 30] [--workers 1] [--pre-vus 200] [--max-vus 2000]
 *                              [--server-cpu 0] [--client-cpu 1]
 *
 * Writes bench/results/arrival-rate.json.
 */
import { join } from 'node:path';
import { startNginx, stopOnSignals } from './lib/nginx.ts';
import { runTelltale } from './lib/telltale.ts';
import { REPO_ROOT, cpuFlag, fmt, fmtMs, machineInfo, numberFlag, parseFlags, summaryStat, table, warnIfBusy, writeResult } from './lib/util.ts';

export interface ArrivalRateResult {
  targetRate: number;
  durationS: number;
  ok: boolean;
  note?: string;
  iterations?: number;
  /** `iterations.rate` from the summary: count over the whole test run, graceful stop included. */
  summaryRate?: number;
  /** count over the scenario's nominal duration. */
  achievedRate?: number;
  dropped?: number;
  ratio?: number;
  p50Ms?: number;
  p99Ms?: number;
  httpFailedRate?: number;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const rate = numberFlag(flags, 'rate', 5000);
  const durationS = numberFlag(flags, 'duration', 30);
  const workers = numberFlag(flags, 'workers', 1);
  const preVus = numberFlag(flags, 'pre-vus', 200);
  const maxVus = numberFlag(flags, 'max-vus', 2000);
  const clientCpu = cpuFlag(flags, 'client-cpu', 1);
  warnIfBusy();
  const machine = machineInfo();

  const server = await startNginx({ cpu: cpuFlag(flags, 'server-cpu', 0) });
  stopOnSignals(server);
  process.stderr.write(`${fmt(rate)} iterations/s for ${durationS}s against ${server.url} (${workers} worker(s), ${clientCpu === null ? 'unpinned' : `core ${clientCpu}`})...\n`);
  let run;
  try {
    run = await runTelltale({
      args: [
        '--workers', String(workers), '--quiet',
        '-e', `URL=${server.url}`, '-e', `RATE=${rate}`, '-e', `DURATION=${durationS}s`,
        '-e', `PRE_VUS=${preVus}`, '-e', `MAX_VUS=${maxVus}`,
        join(REPO_ROOT, 'bench', 'scripts', 'arrival-get.ts'),
      ],
      timeoutMs: (durationS + 90) * 1000,
      cpu: clientCpu,
    });
  } finally {
    await server.stop();
  }

  const res: ArrivalRateResult = { targetRate: rate, durationS, ok: run.ok };
  if (run.note) res.note = run.note;
  if (run.ok) {
    const s = run.summary;
    res.iterations = summaryStat(s, 'iterations', 'count');
    res.summaryRate = summaryStat(s, 'iterations', 'rate');
    res.achievedRate = res.iterations === undefined ? undefined : res.iterations / durationS;
    res.dropped = summaryStat(s, 'dropped_iterations', 'count') ?? 0;
    res.ratio = res.achievedRate === undefined ? undefined : res.achievedRate / rate;
    res.p50Ms = summaryStat(s, 'http_req_duration', 'med');
    res.p99Ms = summaryStat(s, 'http_req_duration', 'p(99)');
    res.httpFailedRate = summaryStat(s, 'http_req_failed', 'value') ?? summaryStat(s, 'http_req_failed', 'rate');
  }

  if (run.ok) {
    console.log(table(
      ['target/s', 'iterations', 'achieved/s', 'summary rate', 'dropped', 'ratio', 'p50', 'p99'],
      [[fmt(rate), fmt(res.iterations), fmt(res.achievedRate, 1), fmt(res.summaryRate, 1), fmt(res.dropped), res.ratio === undefined ? '-' : res.ratio.toFixed(3), fmtMs(res.p50Ms), fmtMs(res.p99Ms)]],
    ));
  } else {
    console.log(`telltale not available: ${res.note?.replace(/^not available: /, '')}`);
  }
  const file = writeResult('arrival-rate', {
    benchmark: 'arrival-rate',
    date: new Date().toISOString(),
    machine,
    params: { rate, durationS, workers, preVus, maxVus, clientCpu },
    result: res,
  });
  console.log(`results: ${file}`);
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
