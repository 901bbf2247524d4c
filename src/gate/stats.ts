/**
 * The statistics of the gate. Each run contributes one value per 1-second interval (that second's p95,
 * request count ...); a change counts as shown when a rank test says the current run's interval values are
 * shifted against the baseline's.
 *
 * - Mann-Whitney U test (H. B. Mann and D. R. Whitney, "On a test of whether one of two random variables is
 *   stochastically larger than the other", Annals of Mathematical Statistics 18(1), 1947), one-sided, with the
 *   normal approximation, average ranks for ties, the tie-corrected variance and a continuity correction
 *   (E. L. Lehmann, "Nonparametrics: Statistical Methods Based on Ranks", 1975, ch. 1). Rank-based, so a few
 *   outlying seconds (a GC pause, the first connections) cannot carry the verdict; the approximation is
 *   adequate from about 8-10 values per side, below which the gate reports "inconclusive" anyway.
 * - Holm's step-down correction (S. Holm, "A simple sequentially rejective multiple test procedure",
 *   Scandinavian Journal of Statistics 6(2), 1979) over all the tests of one gate, so checking many
 *   endpoints does not multiply false alarms.
 * - For error rates compared between runs, the one-sided two-proportion z-test with pooled variance.
 */

/** Standard normal upper tail P(Z > z), via the complementary error function (|error| < 1.2e-7). */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Numerical Recipes' erfc (Chebyshev fit), accurate to 1.2e-7 everywhere. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface RankTest {
  /** the Mann-Whitney U of the second sample (how often one of its values exceeds one of the first's; ties count half) */
  u: number;
  /** one-sided p-value for "the second sample tends to be larger" */
  pGreater: number;
  /** one-sided p-value for "the second sample tends to be smaller" */
  pLess: number;
}

/** Mann-Whitney U test of `b` against `a` (see the file comment). Both samples must be non-empty. */
export function mannWhitney(a: readonly number[], b: readonly number[]): RankTest {
  const n1 = a.length;
  const n2 = b.length;
  const all = [...a.map((v) => ({ v, s: 0 })), ...b.map((v) => ({ v, s: 1 }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumB = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k].s === 1) rankSumB += rank;
    i = j + 1;
  }
  const u = rankSumB - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, pGreater: 1, pLess: 1 };
  const sd = Math.sqrt(variance);
  return {
    u,
    pGreater: normalUpperTail((u - mean - 0.5) / sd),
    pLess: normalUpperTail((mean - u - 0.5) / sd),
  };
}

/**
 * One-sided two-proportion z-test: p-value for "the second proportion is larger", from failures and totals.
 * 1 when there is nothing to compare (no failures at all, or an empty side).
 */
export function proportionIncrease(failA: number, totalA: number, failB: number, totalB: number): number {
  if (totalA === 0 || totalB === 0) return 1;
  const pooled = (failA + failB) / (totalA + totalB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  if (!(se > 0)) return 1;
  return normalUpperTail((failB / totalB - failA / totalA) / se);
}

/**
 * Holm's step-down procedure: which of the p-values are significant at family-wise level `alpha`.
 * The i-th smallest p-value is compared with alpha / (m - i); testing stops at the first that is not below.
 */
export function holm(pValues: readonly number[], alpha: number): boolean[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => i).sort((x, y) => pValues[x] - pValues[y]);
  const out = new Array<boolean>(m).fill(false);
  for (let k = 0; k < m; k++) {
    const i = order[k];
    if (!(pValues[i] < alpha / (m - k))) break;
    out[i] = true;
  }
  return out;
}
