/**
 * Two runs side by side, for `telltale compare A B`: their whole-run latency distributions (from the records'
 * merged histograms), percentiles with deltas, per-endpoint figures, per-second series, and the gate's
 * verdicts for the pair. Runs of different tests are still compared — a report is for reading — but the result
 * says so, and no verdicts are given for them.
 */
import { isTelltaleError } from '../errors.ts';
import { trendPercentiles, type SerializedTrend } from '../runs/histogram-codec.ts';
import type { RunRecord } from '../runs/schema.ts';
import { compareRuns, type GateOptions, type GateResult } from './compare.ts';
import type { GateRule } from './rules.ts';

export const DIFF_PERCENTILES = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RunSide {
  id: string;
  testName: string;
  startTime: number;
  endTime: number;
  git: RunRecord['git'];
  passed: boolean;
  requests: number;
  failed: number;
  /** requests per second over the run */
  throughput: number;
  /** failed / all requests; null without requests */
  errorRate: number | null;
  latency: LatencySummary | null;
  /** [percentile 0-100, ms] along the distribution, for the overlaid curves */
  curve: [number, number][];
  /** the share of requests (0-1) per bin of `bins` edges, for the overlaid histograms */
  density: number[];
  /** per second since the run's start: requests, failed requests, p95 (ms) */
  series: { t: number; requests: number; failed: number; p95?: number }[];
}

export interface EndpointFigures {
  requests: number;
  throughput: number;
  errorRate: number | null;
  latency: LatencySummary | null;
}

export interface EndpointDiff {
  name: string;
  other: boolean;
  a?: EndpointFigures;
  b?: EndpointFigures;
}

export interface RunDiff {
  a: RunSide;
  b: RunSide;
  sameTest: boolean;
  /** log10(ms) edges of the density bins, shared by both runs */
  bins: number[];
  endpoints: EndpointDiff[];
  /** the gate's comparison of B (current) with A (baseline), or why there is none */
  gate: GateResult | { error: string };
  warnings: string[];
}

/** Percentiles along the curve: dense in the tail, where runs differ most. */
const CURVE_POINTS = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999];
/** Quantiles the density is read from: each is 1/QUANTILES of the requests. */
const QUANTILES = 1000;
const BINS = 48;

function latencyOf(t: SerializedTrend | null | undefined): LatencySummary | null {
  if (!t || t.n === 0) return null;
  const [p50, p90, p95, p99] = trendPercentiles(t, DIFF_PERCENTILES.map(([, p]) => p));
  return { p50, p90, p95, p99, max: t.max };
}

function quantiles(t: SerializedTrend | null | undefined): number[] {
  if (!t || t.n === 0) return [];
  return trendPercentiles(t, Array.from({ length: QUANTILES }, (_, i) => (i + 0.5) / QUANTILES));
}

function densityOf(qs: readonly number[], bins: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, bins.length - 1)).fill(0);
  if (qs.length === 0) return out;
  for (const q of qs) {
    const x = Math.log10(Math.max(q, 1e-6));
    let k = bins.findIndex((edge, i) => i > 0 && x <= edge) - 1;
    if (k < 0) k = x < bins[0] ? 0 : out.length - 1;
    out[k] += 1 / qs.length;
  }
  return out;
}

function side(r: RunRecord, qs: number[], bins: number[]): RunSide {
  const requests = r.timeline.reduce((n, p) => n + p.httpReqs, 0);
  const failed = r.timeline.reduce((n, p) => n + p.httpReqFailed, 0);
  const durationSec = Math.max(1e-3, (r.endTime - r.startTime) / 1000);
  const t = r.histograms.http_req_duration;
  const curveMs = t && t.n > 0 ? trendPercentiles(t, CURVE_POINTS.map((p) => p / 100)) : [];
  const curve = curveMs.map((ms, i): [number, number] => [CURVE_POINTS[i], ms]);
  return {
    id: r.id,
    testName: r.testName,
    startTime: r.startTime,
    endTime: r.endTime,
    git: r.git,
    passed: r.status.thresholdsPassed && r.status.exitCode === 0,
    requests,
    failed,
    throughput: requests / durationSec,
    errorRate: requests === 0 ? null : failed / requests,
    latency: latencyOf(t),
    curve,
    density: densityOf(qs, bins),
    series: r.timeline.map((p) => ({ t: (p.time - r.startTime) / 1000, requests: p.httpReqs, failed: p.httpReqFailed, ...(p.p95 === undefined ? {} : { p95: p.p95 }) })),
  };
}

function endpointFigures(e: RunRecord['endpoints'][number], r: RunRecord): EndpointFigures {
  return {
    requests: e.requests,
    throughput: e.requests / Math.max(1e-3, (r.endTime - r.startTime) / 1000),
    errorRate: e.requests === 0 ? null : e.failed / e.requests,
    latency: latencyOf(e.durations),
  };
}

/** Bin edges over both runs' latencies, in log10(ms), a little wider than the data. */
function binEdges(qa: readonly number[], qb: readonly number[]): number[] {
  const logs = [...qa, ...qb].filter((q) => q > 0).map((q) => Math.log10(q));
  if (logs.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of logs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (!(hi > lo)) {
    lo -= 0.05;
    hi += 0.05;
  }
  const pad = (hi - lo) * 0.02;
  return Array.from({ length: BINS + 1 }, (_, i) => lo - pad + ((hi - lo + 2 * pad) * i) / BINS);
}

/** A (the baseline) against B (the run judged). */
export function diffRuns(a: RunRecord, b: RunRecord, rules: readonly GateRule[], options: GateOptions = {}): RunDiff {
  const qa = quantiles(a.histograms.http_req_duration);
  const qb = quantiles(b.histograms.http_req_duration);
  const bins = binEdges(qa, qb);
  const sameTest = a.testName === b.testName;
  const warnings: string[] = [];
  if (!sameTest) warnings.push(`the runs are of different tests (${JSON.stringify(a.testName)} and ${JSON.stringify(b.testName)}): figures are shown side by side, but the gate gives no verdicts`);
  if (a.id === b.id) warnings.push('both sides are the same run');
  let gate: RunDiff['gate'];
  if (!sameTest) gate = { error: 'runs of different tests are not judged' };
  else {
    try {
      gate = compareRuns(a, b, rules, options);
    } catch (err) {
      if (!isTelltaleError(err)) throw err;
      gate = { error: err.message };
      warnings.push(`no verdicts: ${err.message}`);
    }
  }
  const names = new Map<string, EndpointDiff>();
  for (const [key, r] of [['a', a], ['b', b]] as const) {
    for (const e of r.endpoints) {
      const id = `${e.other ? 'other' : 'name'}:${e.name}`;
      const d = names.get(id) ?? { name: e.name, other: e.other };
      d[key] = endpointFigures(e, r);
      names.set(id, d);
    }
  }
  const endpoints = [...names.values()].sort((x, y) => Number(x.other) - Number(y.other) || (y.b?.requests ?? 0) + (y.a?.requests ?? 0) - ((x.b?.requests ?? 0) + (x.a?.requests ?? 0)) || (x.name < y.name ? -1 : 1));
  return { a: side(a, qa, bins), b: side(b, qb, bins), sameTest, bins, endpoints, gate, warnings };
}
