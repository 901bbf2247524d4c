/**
 * The gate's false-alarm rate and power on synthetic pairs of runs, through the real path: requests →
 * Aggregator → MergedResult → run record → compareRuns with the default p95 rule.
 *
 *   node bench/gate-simulation.ts [--pairs 1000] [--seconds 20] [--rps 200] [--history 20]
 *                                 [--run-noise 0.03] [--drift 0.05] [--lag1 0.5] [--seed 1]
 *
 * The model of a run: latencies are lognormal (median 20 ms, sigma 0.35); each second has its own
 * multiplicative drift, an AR(1) process in log space (stationary sd `--drift`, correlation `--lag1` between
 * neighbouring seconds), so seconds are not independent; and each run as a whole is off by a factor
 * exp(N(0, run-noise)), the run-to-run noise of the machine. bench/gate-loopback.ts measures these three on
 * real runs. A/A pairs share every parameter; A/B pairs multiply the current run's latencies by 1 + shift.
 *
 * Every pair is judged twice: alone, and with a history — the `--history` (20) A runs before it, as a store
 * holds the last passing runs of the baseline's branch. The history is a sliding window: each pair's baseline
 * joins it for the next pairs (so neighbouring pairs share most of their history, as CI jobs on one branch do),
 * after a warm-up of `--history` runs. `--history 0` judges the pairs alone only.
 *
 * Reports the share of A/A pairs with a regression verdict (the goal is below 1%) and, per shift, the share
 * of A/B pairs flagged, with the smallest shift flagged in at least 95% of pairs; writes
 * bench/results/gate-simulation.json.
 */
import { compareRuns } from '../src/gate/compare.ts';
import { parseRule } from '../src/gate/rules.ts';
import { normalizeOptions } from '../src/load/options.ts';
import { Aggregator, MergedResult, MetricRegistry } from '../src/metrics/index.ts';
import { buildRunRecord } from '../src/runs/record.ts';
import type { RunRecord } from '../src/runs/schema.ts';
import { fmt, machineInfo, numberFlag, parseFlags, table, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const PAIRS = numberFlag(flags, 'pairs', 1000);
const SECONDS = numberFlag(flags, 'seconds', 20);
const RPS = numberFlag(flags, 'rps', 200);
const RUN_NOISE = numberFlag(flags, 'run-noise', 0.03);
const SEED = numberFlag(flags, 'seed', 1);
const DRIFT = numberFlag(flags, 'drift', 0.05);
const LAG1 = numberFlag(flags, 'lag1', 0.5);
const HISTORY = numberFlag(flags, 'history', 20);
const SHIFTS = [0.1, 0.125, 0.15, 0.2, 0.25, 0.3];
const RULES = [parseRule('p95 relative_increase > 10%')];

/** xorshift128+ — a seeded generator, so every figure here can be reproduced. */
function rng(seed: number): () => number {
  let a = (seed * 0x9e3779b1) >>> 0 || 1;
  let b = (seed * 0x85ebca6b + 0x165667b1) >>> 0 || 2;
  return () => {
    let t = a;
    const s = b;
    a = s;
    t ^= t << 11;
    t ^= t >>> 8;
    b = (t ^ s ^ (s >>> 19)) >>> 0;
    return (b >>> 0) / 2 ** 32;
  };
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const registry = new MetricRegistry();
const options = { ...normalizeOptions({ vus: 10, duration: `${SECONDS}s` }, { source: 'sim.ts' }), noColor: true };
const T0 = 1_700_000_000_000;
const TAGS = { name: 'api', method: 'GET', status: '200', expected_response: 'true' };

function simulatedRun(rand: () => number, id: string, shift: number): RunRecord {
  const agg = new Aggregator(registry);
  const merged = new MergedResult(registry);
  const runFactor = Math.exp(normal(rand) * RUN_NOISE) * (1 + shift);
  let drift = 0;
  for (let sec = 0; sec < SECONDS; sec++) {
    drift = LAG1 * drift + Math.sqrt(1 - LAG1 * LAG1) * DRIFT * normal(rand);
    const factor = runFactor * Math.exp(drift);
    for (let i = 0; i < RPS; i++) {
      const time = T0 + sec * 1000 + (i * 1000) / RPS;
      const ms = 20 * Math.exp(0.35 * normal(rand)) * factor;
      agg.add({ metric: 'http_reqs', value: 1, tags: TAGS, time });
      agg.add({ metric: 'http_req_duration', value: ms, tags: TAGS, time });
      agg.add({ metric: 'http_req_failed', value: 0, tags: TAGS, time });
    }
    merged.merge(agg.flush());
  }
  const durationMs = SECONDS * 1000;
  return buildRunRecord({
    outcome: {
      report: {
        summary: merged.buildSummaryData({ registry, trendStats: ['p(95)'], noColor: true, testRunDurationMs: durationMs, isStdOutTTY: false, isStdErrTTY: false }),
        timeline: merged.timeline(),
        errors: [],
        distributions: {},
        endpoints: merged.endpoints(),
        histograms: merged.trendStates(),
        meta: { script: 'sim.ts', startTime: T0, endTime: T0 + durationMs, workers: 1, version: 'sim', scenarios: [] },
      },
      thresholds: [],
      thresholdsOk: true,
      exitCode: 0,
      options,
      scriptOptions: {},
    },
    script: 'sim.ts',
    scriptSource: 'sim',
    environment: { ci: { provider: null }, git: {} },
    id,
  });
}

interface Share {
  alone: number;
  withHistory: number;
}

function flaggedShare(shift: number, seed: number): Share {
  const rand = rng(seed);
  const window: RunRecord[] = [];
  for (let i = 0; i < HISTORY; i++) window.push(simulatedRun(rand, `h${i}`, 0));
  let alone = 0;
  let withHistory = 0;
  for (let i = 0; i < PAIRS; i++) {
    const base = simulatedRun(rand, `b${i}`, 0);
    const cur = simulatedRun(rand, `c${i}`, shift);
    if (compareRuns(base, cur, RULES).counts.regression > 0) alone++;
    if (HISTORY > 0) {
      if (compareRuns(base, cur, RULES, {}, window).counts.regression > 0) withHistory++;
      window.push(base);
      window.shift();
    }
  }
  return { alone: alone / PAIRS, withHistory: withHistory / PAIRS };
}

const started = Date.now();
const falseAlarms = flaggedShare(0, SEED);
const power = SHIFTS.map((shift, i) => ({ shift, flagged: flaggedShare(shift, SEED + 1 + i) }));
const smallest = (key: keyof Share) => power.find((p) => p.flagged[key] >= 0.95)?.shift;
const pct = (x: number) => `${fmt(x * 100, 1)}%`;
const smallestText = (s: number | undefined) => (s === undefined ? 'none tried' : `+${fmt(s * 100, 1)}%`);

console.log(
  `gate simulation: ${PAIRS} pairs per row, ${SECONDS} s runs at ${RPS} req/s, run-to-run noise ${RUN_NOISE * 100}%, ` +
    `per-second drift ${DRIFT * 100}% (lag-1 ${LAG1}), rule "p95 relative_increase > 10%", history ${HISTORY} runs`,
);
const head = HISTORY > 0 ? ['p95 shift', 'flagged, pair alone', `flagged, with ${HISTORY} runs of history`] : ['p95 shift', 'pairs flagged'];
const row = (label: string, s: Share) => (HISTORY > 0 ? [label, pct(s.alone), pct(s.withHistory)] : [label, pct(s.alone)]);
console.log(table(head, [row('0 (A/A)', falseAlarms), ...power.map((p) => row(`+${fmt(p.shift * 100, 1)}%`, p.flagged))]));
console.log(
  `smallest shift flagged in >= 95% of pairs: alone ${smallestText(smallest('alone'))}` +
    `${HISTORY > 0 ? `, with history ${smallestText(smallest('withHistory'))}` : ''}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
writeResult('gate-simulation', {
  pairs: PAIRS,
  seconds: SECONDS,
  rps: RPS,
  runNoise: RUN_NOISE,
  drift: DRIFT,
  lag1: LAG1,
  history: HISTORY,
  seed: SEED,
  falseAlarms,
  power,
  smallestDetected95: { alone: smallest('alone'), withHistory: HISTORY > 0 ? smallest('withHistory') : undefined },
  machine: machineInfo(),
});
