/**
 * Memory of the engine.
 *
 *   (a) idle VUs: 10,000 VUs that only sleep (constant-vus, 30 s); peak RSS of the telltale process,
 *       worker threads included (they share the process), plus any child process.
 *       Not pinned: VU initialization may use every core.
 *   (b) long run: 2,000 iterations/s constant-arrival-rate against a local nginx for N minutes; RSS every
 *       10 s; after the first minute (warm-up: JIT, pools, histograms fill up) the peak RSS of the last third
 *       of the window against that of the first third (see growthVerdict).
 *       nginx on core 0, telltale on core 1 (`none` lifts either pin).
 *
 *   node bench/memory.ts [--only vus|rate] [--vus 10000] [--vus-duration 30] [--minutes 10] [--rate 2000]
 *                        [--interval 10] [--workers N] [--server-cpu 0] [--client-cpu 1]
 *
 * Writes bench/results/memory.json.
 */
import { join } from 'node:path';
import { startNginx, stopOnSignals } from './lib/nginx.ts';
import { MB, runTelltale, slope, type MemorySample } from './lib/telltale.ts';
import { REPO_ROOT, cpuFlag, fmt, machineInfo, numberFlag, parseFlags, summaryStat, table, warnIfBusy, writeResult } from './lib/util.ts';

const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

interface IdleVusResult {
  vus: number;
  durationS: number;
  ok: boolean;
  note?: string;
  peakRssBytes?: number;
  peakHwmBytes?: number;
  /** Peak RSS divided by VUs: an upper bound on the cost of one idle VU (it includes the runtime's baseline). */
  bytesPerVu?: number;
  samples: number;
}

async function idleVus(vus: number, durationS: number, workers: string | undefined): Promise<IdleVusResult> {
  process.stderr.write(`(a) ${vus} sleeping VUs for ${durationS}s...\n`);
  const r = await runTelltale({
    args: [...(workers ? ['--workers', workers] : []), '--quiet', '-u', String(vus), '-d', `${durationS}s`, join(REPO_ROOT, 'bench', 'scripts', 'sleep.ts')],
    // Sleeping VUs finish their 10 s sleep during graceful stop, and 10k VUs take a while to initialize.
    timeoutMs: (durationS + 120) * 1000,
    sampleEveryMs: 250,
  });
  const peakRss = Math.max(0, ...r.samples.map((s) => s.rss));
  const peakHwm = Math.max(0, ...r.samples.map((s) => s.hwm));
  const res: IdleVusResult = { vus, durationS, ok: r.ok, samples: r.samples.length };
  if (r.note) res.note = r.note;
  if (r.samples.length) {
    res.peakRssBytes = peakRss;
    res.peakHwmBytes = peakHwm;
    res.bytesPerVu = Math.max(peakRss, peakHwm) / vus;
  }
  return res;
}

interface LongRunResult {
  rate: number;
  minutes: number;
  ok: boolean;
  note?: string;
  achievedRate?: number;
  dropped?: number;
  series: { t: number; rssBytes: number }[];
  warmupS: number;
  /** MB per minute after warm-up, least squares (for information; the verdict compares peaks). */
  slopeMbPerMin?: number;
  /** Highest RSS in the first and in the last third of the window after warm-up. */
  firstPeakMb?: number;
  lastPeakMb?: number;
  verdict: 'flat' | 'grows' | 'too short' | 'not measured';
}

/**
 * Compares the envelope of the RSS, not a fitted line: the collector's sawtooth and the allocator's steps make
 * a least-squares slope over a few minutes depend on where a drop happens to fall. The window after warm-up is
 * cut in thirds; "grows" when the highest RSS of the last third exceeds the highest of the first third by more
 * than max(5 MB, 5% of that first peak). A steady leak of L MB/min raises the last peak by about L times two
 * thirds of the window (4 minutes in a 10-minute run), so 2 MB/min and more are caught. The slope is reported
 * alongside.
 */
export function growthVerdict(
  series: { t: number; rssBytes: number }[],
  warmupMs: number,
): { slopeMbPerMin?: number; firstPeakMb?: number; lastPeakMb?: number; verdict: LongRunResult['verdict'] } {
  const after = series.filter((s) => s.t >= warmupMs);
  if (after.length < 6) return { verdict: 'too short' };
  const perMs = slope(after.map((s) => ({ x: s.t, y: s.rssBytes })));
  const slopeMbPerMin = (perMs * 60_000) / MB;
  const t0 = after[0].t;
  const span = after[after.length - 1].t - t0;
  const peak = (from: number, to: number) =>
    Math.max(...after.filter((s) => s.t - t0 >= from * span && s.t - t0 <= to * span).map((s) => s.rssBytes));
  const first = peak(0, 1 / 3);
  const last = peak(2 / 3, 1);
  const tolerance = Math.max(5 * MB, 0.05 * first);
  return { slopeMbPerMin, firstPeakMb: first / MB, lastPeakMb: last / MB, verdict: last - first > tolerance ? 'grows' : 'flat' };
}

async function longRun(opts: {
  rate: number;
  minutes: number;
  intervalS: number;
  workers: string | undefined;
  serverCpu: number | null;
  clientCpu: number | null;
}): Promise<LongRunResult> {
  const durationS = Math.max(1, Math.round(opts.minutes * 60));
  const server = await startNginx({ cpu: opts.serverCpu });
  stopOnSignals(server);
  process.stderr.write(`(b) ${opts.rate} iterations/s for ${durationS}s against ${server.url}, RSS every ${opts.intervalS}s...\n`);
  const series: { t: number; rssBytes: number }[] = [];
  let nextReport = 0;
  let result;
  try {
    result = await runTelltale({
      args: [
        ...(opts.workers ? ['--workers', opts.workers] : []), '--quiet',
        '-e', `URL=${server.url}`, '-e', `RATE=${opts.rate}`, '-e', `DURATION=${durationS}s`,
        '-e', `PRE_VUS=${Math.max(10, Math.ceil(opts.rate / 20))}`, '-e', `MAX_VUS=${Math.max(100, Math.ceil(opts.rate / 2))}`,
        join(REPO_ROOT, 'bench', 'scripts', 'arrival-get.ts'),
      ],
      timeoutMs: (durationS + 120) * 1000,
      cpu: opts.clientCpu,
      sampleEveryMs: 1000,
      onSample: (s: MemorySample) => {
        if (s.t < nextReport) return;
        nextReport += opts.intervalS * 1000;
        series.push({ t: Math.round(s.t), rssBytes: s.rss });
        process.stderr.write(`  ${String(Math.round(s.t / 1000)).padStart(5)}s  ${mb(s.rss)}\n`);
      },
    });
  } finally {
    await server.stop();
  }
  const warmupMs = Math.min(60_000, (durationS * 1000) / 2);
  const res: LongRunResult = { rate: opts.rate, minutes: opts.minutes, ok: result.ok, series, warmupS: warmupMs / 1000, verdict: 'not measured' };
  if (result.note) res.note = result.note;
  if (result.ok) {
    const count = summaryStat(result.summary, 'iterations', 'count');
    if (count !== undefined) res.achievedRate = count / durationS;
    res.dropped = summaryStat(result.summary, 'dropped_iterations', 'count') ?? 0;
  }
  if (series.length) Object.assign(res, growthVerdict(series, warmupMs));
  return res;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const only = flags.get('only');
  if (only !== undefined && only !== 'vus' && only !== 'rate') throw new Error('--only takes "vus" or "rate"');
  const workers = typeof flags.get('workers') === 'string' ? (flags.get('workers') as string) : undefined;
  warnIfBusy();
  const machine = machineInfo();
  const out: { idleVus?: IdleVusResult; longRun?: LongRunResult } = {};

  if (only !== 'rate') {
    const a = await idleVus(numberFlag(flags, 'vus', 10_000), numberFlag(flags, 'vus-duration', 30), workers);
    out.idleVus = a;
    console.log(`\n(a) ${fmt(a.vus)} sleeping VUs, ${a.durationS}s`);
    if (a.peakRssBytes !== undefined) {
      console.log(`    peak RSS ${mb(Math.max(a.peakRssBytes, a.peakHwmBytes ?? 0))} (${fmt((a.bytesPerVu ?? 0) / 1024, 1)} KB per VU, upper bound)`);
    }
    if (a.note) console.log(`    ${a.ok ? '' : 'not available: '}${a.note.replace(/^not available: /, '')}`);
  }

  if (only !== 'vus') {
    const b = await longRun({
      rate: numberFlag(flags, 'rate', 2000),
      minutes: numberFlag(flags, 'minutes', 10),
      intervalS: numberFlag(flags, 'interval', 10),
      workers,
      serverCpu: cpuFlag(flags, 'server-cpu', 0),
      clientCpu: cpuFlag(flags, 'client-cpu', 1),
    });
    out.longRun = b;
    console.log(`\n(b) ${fmt(b.rate)} iterations/s for ${b.minutes} min`);
    if (b.series.length) {
      console.log(table(['t', 'RSS'], b.series.map((s) => [`${Math.round(s.t / 1000)}s`, mb(s.rssBytes)])));
      const slopeText = b.slopeMbPerMin === undefined
        ? ''
        : ` (peak RSS ${b.firstPeakMb!.toFixed(1)} MB in the first third after ${b.warmupS}s, ${b.lastPeakMb!.toFixed(1)} MB in the last; fitted slope ${b.slopeMbPerMin.toFixed(2)} MB/min)`;
      console.log(`    RSS after warm-up: ${b.verdict}${slopeText}`);
    }
    if (b.achievedRate !== undefined) console.log(`    achieved ${fmt(b.achievedRate, 1)} iterations/s, dropped ${fmt(b.dropped)}`);
    if (b.note) console.log(`    ${b.ok ? '' : 'not available: '}${b.note.replace(/^not available: /, '')}`);
  }

  const file = writeResult('memory', { benchmark: 'memory', date: new Date().toISOString(), machine, ...out });
  console.log(`\nresults: ${file}`);
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
