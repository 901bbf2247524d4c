/**
 * The gate on real runs: false alarms (A/A) and power (A/B) with 20-second loopback runs of one server.
 *
 *   node bench/gate-loopback.ts [--pairs 20] [--delay 19] [--shift 0.15] [--workers 1] [--warmup 4]
 *
 * A node:http server on 127.0.0.1 answers every request after `--delay` ms (setTimeout). The B server is the
 * same with an injected extra delay of `--shift` times the p95 measured in a calibration run (on average:
 * timers take whole milliseconds). Each pair runs A, A again and B (`telltale run`, 20 VUs for
 * 20 s, `--record-out`), then gates A against the second A (A/A) and against B (A/B) with the default rules.
 * Every A run is also saved to a temporary run store, as CI on the main branch would record it, and each pair
 * is gated twice: alone, and with the history the gate command loads from that store (the last 20 passing runs
 * of the branch, loadHistory) for its run-to-run noise test. `--warmup` extra A runs before the first pair
 * give that history its minimum of 5 runs from the start.
 * Reports how many A/A pairs gave a regression (the goal: none) and how many A/B pairs were flagged (the
 * goal: at least 19 of 20), both ways; writes bench/results/gate-loopback.json.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { compareRuns } from '../src/gate/compare.ts';
import { DEFAULT_HISTORY_RUNS, loadHistory } from '../src/gate/history.ts';
import { DEFAULT_RULES, parseRule } from '../src/gate/rules.ts';
import { parseRecord } from '../src/runs/json.ts';
import { trendPercentiles } from '../src/runs/histogram-codec.ts';
import type { RunRecord } from '../src/runs/schema.ts';
import { openStore } from '../src/store/index.ts';
import { REPO_ROOT, TELLTALE_BIN, fmt, machineInfo, numberFlag, parseFlags, runCommand, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const PAIRS = numberFlag(flags, 'pairs', 20);
const DELAY = numberFlag(flags, 'delay', 19);
const SHIFT = numberFlag(flags, 'shift', 0.15);
const WORKERS = numberFlag(flags, 'workers', 1);
const WARMUP = numberFlag(flags, 'warmup', 4);
const RULES = DEFAULT_RULES.map((r) => parseRule(r));

let extraMs = 0;
// timers have whole milliseconds: a fractional extra delay is the whole ms below or above it, at random in
// the proportion that makes the mean exact
const server = createServer((req, res) => {
  let extra = 0;
  if (req.url === '/b') extra = Math.floor(extraMs) + (Math.random() < extraMs - Math.floor(extraMs) ? 1 : 0);
  setTimeout(() => res.end('ok'), DELAY + extra);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const dir = mkdtempSync(join(os.tmpdir(), 'telltale-gate-bench-'));
const store = await openStore({ spec: join(dir, 'history.db') });
let n = 0;

async function run(path: string): Promise<RunRecord> {
  const out = join(dir, `run-${n++}.json`);
  const r = await runCommand(process.execPath, [TELLTALE_BIN, 'run', '--quiet', '--no-summary', '--no-record', '--workers', String(WORKERS), '--record-out', out, '-e', `URL=${base}${path}`, join(REPO_ROOT, 'bench/scripts/gate-get.ts')], {
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(`telltale run exited ${r.code}: ${r.stderr}`);
  return parseRecord(readFileSync(out, 'utf8'), out);
}

const p95 = (r: RunRecord) => trendPercentiles(r.histograms.http_req_duration, [0.95])[0];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

try {
  warnIfBusy();
  const calibration = await run('/a');
  const p95a = p95(calibration);
  extraMs = SHIFT * p95a;
  console.log(`calibration: p95 ${fmt(p95a, 2)} ms; B adds ${fmt(extraMs, 2)} ms on average (+${fmt(SHIFT * 100, 1)}% of p95)`);
  const aRuns: RunRecord[] = [calibration];
  await store.saveRun(calibration);
  for (let i = 0; i < WARMUP; i++) {
    const a = await run('/a');
    aRuns.push(a);
    await store.saveRun(a);
  }
  const rows: { pair: number; aa: string; ab: string; aaHistory: string; abHistory: string; historyRuns: number; aaChange: number; abChange: number }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const a1 = await run('/a');
    await store.saveRun(a1);
    const a2 = await run('/a');
    const b = await run('/b');
    const aa = compareRuns(a1, a2, RULES);
    const ab = compareRuns(a1, b, RULES);
    // what `telltale gate` would load: the branch's passing runs before the one judged, the baseline among them
    const historyAA = await loadHistory(store, a1, a2, { runs: DEFAULT_HISTORY_RUNS });
    const historyAB = await loadHistory(store, a1, b, { runs: DEFAULT_HISTORY_RUNS });
    const aaH = compareRuns(a1, a2, RULES, {}, historyAA);
    const abH = compareRuns(a1, b, RULES, {}, historyAB);
    // the second A run joins the branch's history for the next pairs; B, a pull request's run, does not
    await store.saveRun(a2);
    aRuns.push(a1, a2);
    const row = {
      pair: i + 1,
      aa: aa.verdicts[0].verdict,
      ab: ab.verdicts[0].verdict,
      aaHistory: aaH.verdicts[0].verdict,
      abHistory: abH.verdicts[0].verdict,
      historyRuns: aaH.history.runs,
      aaChange: aa.verdicts[0].change ?? NaN,
      abChange: ab.verdicts[0].change ?? NaN,
    };
    rows.push(row);
    console.log(
      `pair ${row.pair}: A/A ${row.aa} (${fmt(row.aaChange * 100, 1)}%), A/B ${row.ab} (${fmt(row.abChange * 100, 1)}%); ` +
        `with ${row.historyRuns} runs of history: A/A ${row.aaHistory}, A/B ${row.abHistory}`,
    );
  }
  // the noise of these runs, to parameterize bench/gate-simulation.ts: run-to-run spread of the whole-run p95,
  // and the spread and lag-1 autocorrelation of the per-second p95 within a run (in log space)
  const logs = aRuns.map((r) => Math.log(p95(r)));
  const runToRun = sd(logs);
  const within = aRuns.map((r) => {
    const xs = r.timeline.slice(1, -1).flatMap((pt) => (pt.p95 === undefined ? [] : [Math.log(pt.p95)]));
    const m = mean(xs);
    let num = 0;
    for (let i = 1; i < xs.length; i++) num += (xs[i] - m) * (xs[i - 1] - m);
    return { sd: sd(xs), lag1: num / xs.reduce((a, x) => a + (x - m) ** 2, 0) };
  });
  const noise = { runToRunSd: runToRun, perSecondSd: mean(within.map((w) => w.sd)), perSecondLag1: mean(within.map((w) => w.lag1)) };
  console.log(`noise of the A runs (log p95): run to run ${fmt(noise.runToRunSd * 100, 2)}%, per second ${fmt(noise.perSecondSd * 100, 2)}% with lag-1 correlation ${fmt(noise.perSecondLag1, 2)}`);
  const count = (pick: (r: (typeof rows)[number]) => string) => rows.filter((r) => pick(r) === 'regression').length;
  const falseAlarms = count((r) => r.aa);
  const detected = count((r) => r.ab);
  const withHistory = { falseAlarms: count((r) => r.aaHistory), detected: count((r) => r.abHistory) };
  console.log(
    table(
      ['pairs', 'judged', 'A/A regressions', 'A/B flagged', 'injected'],
      [
        [String(PAIRS), 'pair alone', String(falseAlarms), `${detected}/${PAIRS}`, `+${fmt(SHIFT * 100, 1)}% p95`],
        [String(PAIRS), 'with history', String(withHistory.falseAlarms), `${withHistory.detected}/${PAIRS}`, `+${fmt(SHIFT * 100, 1)}% p95`],
      ],
    ),
  );
  writeResult('gate-loopback', { pairs: PAIRS, delayMs: DELAY, extraMs, calibrationP95: p95a, injected: SHIFT, falseAlarms, detected, withHistory, noise, rows, machine: machineInfo() });
} finally {
  await store.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
