/**
 * Run-to-run noise from a test's history. Two runs of the same system differ as a whole — another runner,
 * neighbours on the host, a colder cache — and that offset moves every second of a run alike, so the
 * per-second test of one pair of runs cannot tell it from a real change. Earlier runs of the same test (the
 * last passing runs on the baseline's branch) show how far whole-run values wander between runs, and a
 * regression then has to stand out from that spread too.
 *
 * - The spread is estimated on log values (a relative spread: 0.03 is about 3%) with the median absolute
 *   deviation, scaled by 1.4826 to estimate the standard deviation of a normal distribution (F. R. Hampel,
 *   "The influence curve and its role in robust estimation", JASA 69, 1974; P. J. Rousseeuw and C. Croux,
 *   "Alternatives to the median absolute deviation", JASA 88, 1993). One disturbed run in the history moves
 *   it little, where it would inflate a standard deviation.
 * - The test asks whether the current run lies beyond what the earlier runs predict for one more run of the
 *   same system: a one-sided prediction bound (G. J. Hahn and W. Q. Meeker, "Statistical Intervals", Wiley
 *   1991, ch. 4) centred on the median m of the history's logs. Under "no change", log(current) − m has
 *   variance σ²·(1 + π/(2n)) (π/(2n)·σ² is the large-sample variance of a normal sample's median), so
 *   t = (log(current) − m) / (σ̂·√(1 + π/(2n))) is referred to Student's t. Centring on all n runs rather
 *   than on the baseline alone (variance 2σ²) is what keeps the power: the history knows the baseline
 *   system's level better than one run of it does.
 * - The MAD is a noisier estimate than the standard deviation (asymptotic efficiency 37% at the normal), so
 *   the degrees of freedom are those of a variance estimate of equal precision, ν = 0.37·(n − 1), the
 *   Satterthwaite-style match of the estimator's variance to a scaled χ² (F. E. Satterthwaite, "An
 *   approximate distribution of estimates of variance components", Biometrics Bulletin 2(6), 1946).
 *   Simulated on normal data at α = 0.01 the test stays at or below its level from 5 runs on (0.6% of
 *   200,000 trials at n = 5, 0.7% at 10, 0.9% at 20, 1.0% at 40).
 *
 * The history stands for the baseline's system: the passing runs of its branch. A branch whose performance
 * changed within the history's window blurs the estimate, so the window is bounded (20 runs by default).
 */
import { studentUpperTail } from './student.ts';

/** The MAD's asymptotic efficiency relative to the standard deviation at the normal distribution. */
export const MAD_EFFICIENCY = 0.37;
/** 1 / Φ⁻¹(3/4): makes the MAD of normal data estimate its standard deviation. */
export const MAD_TO_SD = 1.4826;
/** Whole-run percentiles come from histograms with 3 significant digits: no spread is resolved below 0.1%. */
export const SIGMA_FLOOR = 1e-3;

export interface RunNoise {
  /** runs the spread was estimated from */
  runs: number;
  /** median of the log of the whole-run value */
  center: number;
  /** robust standard deviation of the log of the whole-run value between runs (0.03 ≈ 3%) */
  sigma: number;
  /** degrees of freedom of the test */
  dof: number;
}

export function median(xs: readonly number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 === 1 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** The run-to-run spread of positive whole-run values, or undefined with fewer than `minRuns` of them. */
export function runToRunNoise(values: readonly number[], minRuns: number): RunNoise | undefined {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log);
  if (logs.length < Math.max(2, minRuns)) return undefined;
  const m = median(logs);
  const sigma = Math.max(SIGMA_FLOOR, MAD_TO_SD * median(logs.map((x) => Math.abs(x - m))));
  return { runs: logs.length, center: m, sigma, dof: Math.max(1, MAD_EFFICIENCY * (logs.length - 1)) };
}

/**
 * One-sided p-value for "a run with whole-run value `value` (> 0) is above (`up`) or below the values of the
 * system the history measured".
 */
export function noisePValue(value: number, noise: RunNoise, up: boolean): number {
  const t = (Math.log(value) - noise.center) / (noise.sigma * Math.sqrt(1 + Math.PI / (2 * noise.runs)));
  return studentUpperTail(up ? t : -t, noise.dof);
}
