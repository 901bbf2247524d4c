/**
 * Capacity search: the highest arrival rate (req/s) at which a service still meets the test's criteria.
 *
 * The search runs the test at a series of fixed rates through `runAt`:
 *   1. probe: startRate, startRate x growth, ... (capped at maxRate) while runs pass;
 *   2. bisect between the last passing and the first failing rate until the gap is at most
 *      max(precision x last passing rate, minStep).
 * Capacity is the last passing rate, so it is always a rate that was actually run and passed. When even
 * maxRate passes, capacity is maxRate and the result says the limit was not reached. When startRate
 * already fails, capacity is null (the CLI reports TT_CAPACITY_FAILED).
 *
 * A run passes only if all of these hold:
 *   - `passed` (the thresholds held);
 *   - achievedRate >= minAchievedRatio (default 0.95) x the requested rate;
 *   - dropped iterations <= maxDropped (default: 1, or 0.1% of one second's iterations if larger).
 * The last two guard against reading the load generator's limit as the service's capacity: an
 * arrival-rate test whose generator cannot start iterations on time sends less than asked, and latency
 * thresholds then pass against a lighter load than the one being claimed. Dropped iterations also mean
 * every VU was busy waiting on the service, which is itself saturation.
 *
 * Rates are whole req/s (k6 arrival rates are integers), so the step can never be finer than 1 req/s.
 * Bisection assumes pass/fail is monotonic in the rate; with noisy results it still keeps "last passing
 * < first failing" and ends within the precision of some pass/fail boundary, never above a failing rate.
 */
import { TelltaleError } from '../errors.ts';

export interface CapacityRunResult {
  /** The test's own verdict at this rate (thresholds). */
  passed: boolean;
  /** Iterations (requests) per second actually started. */
  achievedRate: number;
  p95?: number;
  errorRate?: number;
  /** Iterations that could not start for lack of a free VU. */
  dropped?: number;
}

export type CapacityFailure = 'thresholds' | 'delivery' | 'dropped';

/** One run of the search: the runner's figures plus the verdict under the pass rule. */
export interface CapacityStep {
  /** 1-based run number. */
  index: number;
  phase: 'probe' | 'bisect';
  rate: number;
  /** Whether the run counts as passing under the rule in the module comment. */
  passed: boolean;
  /** The runner's own verdict (thresholds), before delivery and dropped iterations are judged. */
  thresholdsPassed: boolean;
  achievedRate: number;
  p95?: number;
  errorRate?: number;
  dropped?: number;
  /** Why it did not pass; absent for passing runs. */
  failure?: CapacityFailure;
  /** Human-readable reason for a failure. */
  reason?: string;
}

export interface CapacityOptions {
  startRate: number;
  maxRate: number;
  /** Probe multiplier; default 2. */
  growth?: number;
  /** Relative width of the final [pass, fail] interval; default 0.05. */
  precision?: number;
  /** Absolute width (req/s) that is always precise enough; default 1. */
  minStep?: number;
  /** Share of the requested rate a run must deliver; default 0.95. */
  minAchievedRatio?: number;
  /** Dropped iterations a passing run may have; default max(1, 0.001 x rate). */
  maxDropped?: number;
}

export interface CapacityResult {
  /** Highest passing rate, maxRate if never failed, null if startRate failed. */
  capacity: number | null;
  /** True when maxRate passed: the real capacity is at least `capacity`. */
  limitedByMax: boolean;
  /** The failing rate just above `capacity` (upper bound), when one was found. */
  upperBound: number | null;
  note?: string;
  steps: CapacityStep[];
}

export type CapacityRunner = (rate: number) => Promise<CapacityRunResult>;

function invalid(message: string, field: string): TelltaleError {
  return new TelltaleError('TT_CONFIG_INVALID', `capacity search: ${message}`, { field });
}

function checkOptions(opts: CapacityOptions): Required<Omit<CapacityOptions, 'maxDropped'>> & { maxDropped?: number } {
  const growth = opts.growth ?? 2;
  const precision = opts.precision ?? 0.05;
  const minStep = opts.minStep ?? 1;
  const minAchievedRatio = opts.minAchievedRatio ?? 0.95;
  const finite = (v: number): boolean => typeof v === 'number' && Number.isFinite(v);
  if (!finite(opts.startRate) || opts.startRate < 1) throw invalid(`startRate must be at least 1 req/s, got ${opts.startRate}`, 'startRate');
  if (!finite(opts.maxRate) || opts.maxRate < opts.startRate) throw invalid(`maxRate must be at least startRate (${opts.startRate}), got ${opts.maxRate}`, 'maxRate');
  if (!finite(growth) || growth <= 1) throw invalid(`growth must be greater than 1, got ${growth}`, 'growth');
  if (!finite(precision) || precision <= 0 || precision >= 1) throw invalid(`precision must be between 0 and 1, got ${precision}`, 'precision');
  if (!finite(minStep) || minStep <= 0) throw invalid(`minStep must be positive, got ${minStep}`, 'minStep');
  if (!finite(minAchievedRatio) || minAchievedRatio <= 0 || minAchievedRatio > 1) {
    throw invalid(`minAchievedRatio must be in (0, 1], got ${minAchievedRatio}`, 'minAchievedRatio');
  }
  if (opts.maxDropped !== undefined && (!finite(opts.maxDropped) || opts.maxDropped < 0)) {
    throw invalid(`maxDropped must be a non-negative number, got ${opts.maxDropped}`, 'maxDropped');
  }
  return {
    startRate: Math.round(opts.startRate),
    maxRate: Math.floor(opts.maxRate),
    growth,
    precision,
    minStep: Math.max(1, minStep),
    minAchievedRatio,
    maxDropped: opts.maxDropped,
  };
}

/** Applies the pass rule to one run. */
export function judgeRun(
  rate: number,
  result: CapacityRunResult,
  opts: { minAchievedRatio?: number; maxDropped?: number } = {},
): { passed: boolean; failure?: CapacityFailure; reason?: string } {
  const ratio = opts.minAchievedRatio ?? 0.95;
  const maxDropped = opts.maxDropped ?? Math.max(1, 0.001 * rate);
  const dropped = result.dropped ?? 0;
  const achieved = Number.isFinite(result.achievedRate) ? result.achievedRate : 0;
  if (!result.passed) {
    const parts: string[] = [];
    if (result.p95 !== undefined) parts.push(`p95 ${round(result.p95)}ms`);
    if (result.errorRate !== undefined) parts.push(`errors ${round(result.errorRate * 100)}%`);
    return { passed: false, failure: 'thresholds', reason: `thresholds failed${parts.length ? ` (${parts.join(', ')})` : ''}` };
  }
  if (achieved < ratio * rate) {
    return {
      passed: false,
      failure: 'delivery',
      reason: `delivered ${round(achieved)} of ${rate} req/s (< ${round(ratio * 100)}%): the generator or the service could not keep up`,
    };
  }
  if (dropped > maxDropped) {
    return { passed: false, failure: 'dropped', reason: `${dropped} dropped iterations: no free VU to start them on time` };
  }
  return { passed: true };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Finds the capacity with as few runs as the precision allows: about log_growth(maxRate/startRate)
 * probes plus log2((growth - 1) / precision) bisection runs. `onStep` sees every run as it completes.
 * Errors thrown by `runAt` end the search and propagate.
 */
export async function findCapacity(
  runAt: CapacityRunner,
  options: CapacityOptions,
  onStep?: (step: CapacityStep) => void,
): Promise<CapacityResult> {
  const opts = checkOptions(options);
  const steps: CapacityStep[] = [];

  const run = async (rate: number, phase: CapacityStep['phase']): Promise<boolean> => {
    const result = await runAt(rate);
    const verdict = judgeRun(rate, result, opts);
    const step: CapacityStep = {
      index: steps.length + 1,
      phase,
      rate,
      passed: verdict.passed,
      thresholdsPassed: result.passed,
      achievedRate: result.achievedRate,
    };
    if (result.p95 !== undefined) step.p95 = result.p95;
    if (result.errorRate !== undefined) step.errorRate = result.errorRate;
    if (result.dropped !== undefined) step.dropped = result.dropped;
    if (verdict.failure) step.failure = verdict.failure;
    if (verdict.reason) step.reason = verdict.reason;
    steps.push(step);
    onStep?.(step);
    return verdict.passed;
  };

  let lo: number | null = null;
  let hi: number | null = null;
  let rate = opts.startRate;
  while (true) {
    if (await run(rate, 'probe')) {
      lo = rate;
      if (rate >= opts.maxRate) break;
      rate = Math.min(opts.maxRate, Math.max(rate + 1, Math.round(rate * opts.growth)));
    } else {
      hi = rate;
      break;
    }
  }

  if (lo === null) {
    return {
      capacity: null,
      limitedByMax: false,
      upperBound: hi,
      note: `even the start rate of ${opts.startRate} req/s does not pass; lower --start-rate or check the thresholds`,
      steps,
    };
  }
  if (hi === null) {
    return {
      capacity: lo,
      limitedByMax: true,
      upperBound: null,
      note: `not reached: ${lo} req/s (maxRate) still passes; capacity is at least that`,
      steps,
    };
  }

  while (hi - lo > Math.max(opts.precision * lo, opts.minStep)) {
    const mid = Math.round((lo + hi) / 2);
    if (mid <= lo || mid >= hi) break;
    if (await run(mid, 'bisect')) lo = mid;
    else hi = mid;
  }
  return { capacity: lo, limitedByMax: false, upperBound: hi, steps };
}
