/**
 * The gate's comparison of a run with its baseline, rule by rule, for all requests together and per endpoint.
 *
 * A rule's verdict is
 * - regression: the change passes the rule's threshold in the bad direction, and the per-second values of the
 *   two runs show a shift in that direction (one-sided test, Holm-corrected over the gate, at `alpha`);
 * - improvement: the same in the good direction;
 * - no change: enough data, but no change beyond the threshold that the data can tell from noise;
 * - inconclusive: too few seconds to judge (or the endpoint is in one run only).
 * Magnitudes are whole-run values (p95 from the merged histogram, requests per second, failed/all requests); the
 * evidence comes from the 1-second intervals, the first and last second of each run left out (partial seconds,
 * connection set-up). Absolute rules (`error_rate > 0`, `p99 > 800`) judge the current run alone.
 *
 * With a history (earlier runs of the test, see noise.ts) a latency or throughput change must also stand out
 * from the run-to-run spread of the whole-run value: its p-value is the larger of the per-second test's and the
 * noise test's, an intersection-union test (R. L. Berger, "Multiparameter hypothesis testing and acceptance
 * sampling", Technometrics 24(4), 1982) that is significant only when both are, at the same level.
 */
import { TelltaleError } from '../errors.ts';
import { trendPercentiles, type SerializedTrend } from '../runs/histogram-codec.ts';
import type { RunRecord } from '../runs/schema.ts';
import { LATENCY_METRICS, type GateMetric, type GateRule, type RuleKind } from './rules.ts';
import { noisePValue, runToRunNoise, type RunNoise } from './noise.ts';
import { holm, mannWhitney, proportionIncrease } from './stats.ts';

export type VerdictKind = 'regression' | 'improvement' | 'no change' | 'inconclusive';

export interface GateOptions {
  /** family-wise significance level (default 0.01) */
  alpha?: number;
  /** fewest 1-second intervals per run for a comparison (default 10) */
  minIntervals?: number;
  /** an inconclusive verdict fails the gate */
  failOnInconclusive?: boolean;
  /** fewest history runs (the baseline included) to estimate run-to-run noise from (default 5) */
  minHistory?: number;
  /** endpoints with rules of their own (from a config file): the rules for every endpoint skip them */
  ownRules?: readonly string[];
}

export type ResolvedGateOptions = Required<Omit<GateOptions, 'ownRules'>>;

export interface Verdict {
  rule: string;
  metric: GateMetric;
  kind: RuleKind;
  /** null: all requests together */
  endpoint: string | null;
  verdict: VerdictKind;
  /** whole-run values (ms, requests/s or a rate); absent where a run has none */
  baseline?: number;
  current?: number;
  /** relative change (0.12 = +12%) for relative rules, absolute change otherwise; absent for absolute rules */
  change?: number;
  threshold: number;
  /** one-sided p-value in the rule's bad direction, before correction */
  pValue?: number;
  /** 1-second intervals compared */
  intervals?: { baseline: number; current: number };
  /**
   * the run-to-run noise test, when the history allowed one: the history's median whole-run value, the robust
   * spread of its logs (0.03 ≈ 3%) and the one-sided p-value of the current run against them
   */
  noise?: { runs: number; median: number; sigma: number; pValue: number };
  /** one sentence for people */
  reason: string;
}

export interface GateResult {
  testName: string;
  baselineRunId: string;
  currentRunId: string;
  passed: boolean;
  options: ResolvedGateOptions;
  /** the earlier runs (the baseline included) the run-to-run noise was estimated from */
  history: { runs: number; ids: string[] };
  verdicts: Verdict[];
  counts: Record<VerdictKind, number>;
}

const PCT: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** What one run has for one scope (all requests, or one endpoint). */
interface ScopeData {
  requests: number;
  failed: number;
  durationSec: number;
  durations: SerializedTrend | null;
  /** per-second values, edges left out */
  perSecond: { requests: number[]; failed: number[]; latency: Record<string, number[]> };
}

function innerSeconds(record: RunRecord): number[] {
  return record.timeline.map((p) => p.time).slice(1, -1);
}

function overallData(r: RunRecord): ScopeData {
  const inner = new Set(innerSeconds(r));
  const points = r.timeline.filter((p) => inner.has(p.time));
  const latency: Record<string, number[]> = {};
  for (const m of LATENCY_METRICS) latency[m] = points.flatMap((p) => (p[m as 'p95'] === undefined ? [] : [p[m as 'p95'] as number]));
  return {
    requests: r.timeline.reduce((n, p) => n + p.httpReqs, 0),
    failed: r.timeline.reduce((n, p) => n + p.httpReqFailed, 0),
    durationSec: Math.max(1e-3, (r.endTime - r.startTime) / 1000),
    durations: r.histograms.http_req_duration ?? null,
    perSecond: { requests: points.map((p) => p.httpReqs), failed: points.map((p) => p.httpReqFailed), latency },
  };
}

function endpointData(r: RunRecord, name: string): ScopeData | undefined {
  const e = r.endpoints.find((x) => !x.other && x.name === name);
  if (e === undefined) return undefined;
  const at = new Map(e.series.time.map((t, i) => [t, i]));
  const inner = innerSeconds(r);
  const latency: Record<string, number[]> = {};
  for (const m of LATENCY_METRICS) {
    const col = e.series[m as 'p95'];
    latency[m] = inner.flatMap((t) => {
      const i = at.get(t);
      const v = i === undefined ? null : col[i];
      return v === null ? [] : [v];
    });
  }
  // a second without a request of the endpoint had zero throughput
  const count = (col: number[]) => inner.map((t) => (at.has(t) ? col[at.get(t) as number] : 0));
  return {
    requests: e.requests,
    failed: e.failed,
    durationSec: Math.max(1e-3, (r.endTime - r.startTime) / 1000),
    durations: e.durations,
    perSecond: { requests: count(e.series.requests), failed: count(e.series.failed), latency },
  };
}

function wholeRun(d: ScopeData, metric: GateMetric): number | undefined {
  if (metric === 'throughput') return d.requests / d.durationSec;
  if (metric === 'error_rate') return d.requests === 0 ? undefined : d.failed / d.requests;
  return d.durations === null ? undefined : trendPercentiles(d.durations, [PCT[metric]])[0];
}

function perSecond(d: ScopeData, metric: GateMetric): number[] {
  if (metric === 'throughput') return d.perSecond.requests;
  if (metric === 'error_rate') return d.perSecond.requests.filter((n) => n > 0);
  return d.perSecond.latency[metric];
}

/** A verdict still waiting for the multiple-testing correction. */
interface Pending {
  v: Verdict;
  pBad?: number;
  pGood?: number;
  /** the change passes the threshold in the bad / the good direction */
  bad: boolean;
  good: boolean;
  relative: boolean;
  /** the per-second test's p-value, before the noise test joined it */
  pIntervals?: number;
}

const fmt = (metric: GateMetric, v: number | undefined): string => {
  if (v === undefined) return '-';
  if (metric === 'error_rate') return `${(v * 100).toFixed(2)}%`;
  if (metric === 'throughput') return `${v.toFixed(1)}/s`;
  return `${v.toFixed(2)}ms`;
};
const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

function judge(rule: GateRule, endpoint: string | null, base: ScopeData | undefined, cur: ScopeData | undefined, minIntervals: number, noise?: RunNoise): Pending {
  const v: Verdict = { rule: rule.text, metric: rule.metric, kind: rule.kind, endpoint, verdict: 'inconclusive', threshold: rule.threshold, reason: '' };
  const pending: Pending = { v, bad: false, good: false, relative: rule.kind.startsWith('relative') };
  const curValue = cur && wholeRun(cur, rule.metric);
  if (curValue !== undefined) v.current = curValue;
  if (rule.kind === 'absolute') {
    if (curValue === undefined) {
      v.reason = cur === undefined ? 'endpoint only in the baseline run' : `no ${rule.metric} in the current run`;
      return pending;
    }
    const breached = rule.op === '>' ? curValue > rule.threshold : curValue < rule.threshold;
    v.verdict = breached ? 'regression' : 'no change';
    v.reason = `${rule.metric} ${fmt(rule.metric, curValue)} ${breached ? 'breaks' : 'keeps'} the limit ${rule.op} ${fmt(rule.metric, rule.threshold)}`;
    return pending;
  }
  if (base === undefined || cur === undefined) {
    v.reason = `endpoint only in the ${base === undefined ? 'current' : 'baseline'} run`;
    return pending;
  }
  const baseValue = wholeRun(base, rule.metric);
  if (baseValue !== undefined) v.baseline = baseValue;
  const a = perSecond(base, rule.metric);
  const b = perSecond(cur, rule.metric);
  v.intervals = { baseline: a.length, current: b.length };
  if (baseValue === undefined || curValue === undefined) {
    v.reason = `no ${rule.metric} in the ${baseValue === undefined ? 'baseline' : 'current'} run`;
    return pending;
  }
  if (a.length < minIntervals || b.length < minIntervals) {
    v.reason = `too few 1-second intervals to judge (${a.length} in the baseline, ${b.length} in the current run; at least ${minIntervals} each)`;
    return pending;
  }
  const up = rule.kind === 'relative_increase' || rule.kind === 'increase';
  let change: number;
  if (pending.relative) change = baseValue === 0 ? (curValue === 0 ? 0 : Infinity) : (curValue - baseValue) / baseValue;
  else change = curValue - baseValue;
  v.change = change;
  const worse = up ? change : -change;
  pending.bad = worse > rule.threshold;
  pending.good = -worse > rule.threshold;
  if (rule.metric === 'error_rate') {
    pending.pBad = up ? proportionIncrease(base.failed, base.requests, cur.failed, cur.requests) : proportionIncrease(cur.failed, cur.requests, base.failed, base.requests);
    pending.pGood = up ? proportionIncrease(cur.failed, cur.requests, base.failed, base.requests) : proportionIncrease(base.failed, base.requests, cur.failed, cur.requests);
  } else {
    const t = mannWhitney(a, b);
    pending.pBad = up ? t.pGreater : t.pLess;
    pending.pGood = up ? t.pLess : t.pGreater;
    pending.pIntervals = pending.pBad;
    if (noise !== undefined && curValue > 0) {
      const pNoise = noisePValue(curValue, noise, up);
      v.noise = { runs: noise.runs, median: Math.exp(noise.center), sigma: noise.sigma, pValue: pNoise };
      pending.pBad = Math.max(pending.pBad, pNoise);
      pending.pGood = Math.max(pending.pGood, noisePValue(curValue, noise, !up));
    }
  }
  v.pValue = pending.pBad;
  return pending;
}

/** Fills in the verdicts of the comparisons once the tests are corrected for their number. */
function decide(pending: Pending[], alpha: number): void {
  const tested = pending.filter((p) => p.pBad !== undefined);
  const bad = holm(tested.map((p) => p.pBad as number), alpha);
  const good = holm(tested.map((p) => p.pGood as number), alpha);
  tested.forEach((p, i) => {
    const v = p.v;
    const delta = p.relative ? signedPct(v.change as number) : `${(v.change as number) >= 0 ? '+' : ''}${fmt(v.metric, v.change)}`;
    const what = `${v.metric} ${fmt(v.metric, v.baseline)} → ${fmt(v.metric, v.current)} (${delta})`;
    const pText = `p = ${(p.pBad as number).toPrecision(2)}`;
    const n = v.noise;
    const noiseText = n === undefined ? '' : `run-to-run noise (median ${fmt(v.metric, n.median)}, σ ${(n.sigma * 100).toFixed(1)}% over ${n.runs} runs)`;
    if (p.bad && bad[i]) {
      v.verdict = 'regression';
      v.reason = `${what}, beyond the threshold and shown by the per-second values${n ? ` and beyond the ${noiseText}` : ''} (${pText})`;
    } else if (p.good && good[i]) {
      v.verdict = 'improvement';
      v.reason = `${what}, beyond the threshold in the good direction and shown by the per-second values${n ? ` and beyond the ${noiseText}` : ''}`;
    } else if (p.bad && n !== undefined && n.pValue > (p.pIntervals as number)) {
      v.verdict = 'no change';
      v.reason = `${what} is beyond the threshold, but within the ${noiseText} (${pText})`;
    } else if (p.bad) {
      v.verdict = 'no change';
      v.reason = `${what} is beyond the threshold, but the per-second values do not tell it from noise (${pText})`;
    } else {
      v.verdict = 'no change';
      v.reason = `${what}, within the threshold`;
    }
  });
}

/** Whole-run values of one record, by metric and scope, computed once: a history is read by every rule. */
const wholeRunMemo = new WeakMap<RunRecord, Map<string, number | undefined>>();

function wholeRunOf(r: RunRecord, metric: GateMetric, endpoint: string | null): number | undefined {
  let memo = wholeRunMemo.get(r);
  if (memo === undefined) wholeRunMemo.set(r, (memo = new Map()));
  const key = `${metric}\u0000${endpoint ?? ''}\u0000${endpoint === null ? 'all' : 'one'}`;
  if (!memo.has(key)) {
    const d = endpoint === null ? overallData(r) : endpointData(r, endpoint);
    memo.set(key, d === undefined || d.requests === 0 ? undefined : wholeRun(d, metric));
  }
  return memo.get(key);
}

/**
 * Compares `current` with `baseline` under `rules`. `history`: earlier runs of the same test (the baseline may
 * be among them; the current run is left out) to estimate the run-to-run noise from; none, and a pair of runs is
 * judged on its own.
 */
export function compareRuns(baseline: RunRecord, current: RunRecord, rules: readonly GateRule[], options: GateOptions = {}, history: readonly RunRecord[] = []): GateResult {
  const opts: ResolvedGateOptions = {
    alpha: options.alpha ?? 0.01,
    minIntervals: options.minIntervals ?? 10,
    failOnInconclusive: options.failOnInconclusive ?? false,
    minHistory: options.minHistory ?? 5,
  };
  if (baseline.testName !== current.testName) {
    throw new TelltaleError('TT_GATE_MISMATCH', `the baseline is a run of test ${JSON.stringify(baseline.testName)}, the current run of ${JSON.stringify(current.testName)}`);
  }
  for (const h of history) {
    if (h.testName !== baseline.testName) throw new TelltaleError('TT_GATE_MISMATCH', `history run ${h.id} is a run of test ${JSON.stringify(h.testName)}, not ${JSON.stringify(baseline.testName)}`);
  }
  const earlier = [...new Map([baseline, ...history].filter((h) => h.id !== current.id).map((h) => [h.id, h])).values()];
  const noiseOf = (metric: GateMetric, endpoint: string | null): RunNoise | undefined => {
    if (metric === 'error_rate' || earlier.length < opts.minHistory) return undefined;
    return runToRunNoise(earlier.flatMap((h) => wholeRunOf(h, metric, endpoint) ?? []), opts.minHistory);
  };
  const baseAll = overallData(baseline);
  const curAll = overallData(current);
  for (const [which, d] of [['baseline', baseAll], ['current', curAll]] as const) {
    if (d.requests === 0) throw new TelltaleError('TT_GATE_MISMATCH', `the ${which} run made no HTTP requests: nothing to compare`);
  }
  const names = (r: RunRecord) => r.endpoints.filter((e) => !e.other).map((e) => e.name);
  const allNames = [...new Set([...names(baseline), ...names(current)])].sort();
  const own = new Set(options.ownRules ?? []);
  const pending: Pending[] = [];
  const add = (rule: GateRule, endpoint: string | null) => {
    const [b, c] = endpoint === null ? [baseAll, curAll] : [endpointData(baseline, endpoint), endpointData(current, endpoint)];
    pending.push(judge(rule, endpoint, b, c, opts.minIntervals, rule.kind === 'absolute' ? undefined : noiseOf(rule.metric, endpoint)));
  };
  for (const rule of rules) {
    if (rule.endpoint !== undefined) {
      if (!allNames.includes(rule.endpoint)) {
        throw new TelltaleError('TT_GATE_MISMATCH', `rule ${JSON.stringify(rule.text)} names endpoint ${JSON.stringify(rule.endpoint)}, which neither run has`);
      }
      add(rule, rule.endpoint);
      continue;
    }
    add(rule, null);
    // one endpoint alone is all requests: judging it again would only repeat the verdict
    if (allNames.length > 1) for (const name of allNames) if (!own.has(name)) add(rule, name);
  }
  decide(pending, opts.alpha);
  const verdicts = pending.map((p) => p.v);
  const counts: Record<VerdictKind, number> = { regression: 0, improvement: 0, 'no change': 0, inconclusive: 0 };
  for (const v of verdicts) counts[v.verdict]++;
  const passed = counts.regression === 0 && !(opts.failOnInconclusive && counts.inconclusive > 0);
  const used = earlier.length >= opts.minHistory ? earlier : [];
  return {
    testName: current.testName,
    baselineRunId: baseline.id,
    currentRunId: current.id,
    passed,
    options: opts,
    history: { runs: used.length, ids: used.map((h) => h.id) },
    verdicts,
    counts,
  };
}
