/**
 * Threshold evaluation against the merged metrics, with k6's rules:
 * - during the run, thresholds of a metric without samples are skipped (they pass and never abort);
 * - at the end (`final`), such a metric is evaluated with k6's empty values: counter count 0 and rate 0,
 *   gauge value 0, trend stats 0 — except a rate metric, whose 0/0 rate is undefined, so its thresholds pass;
 * - a counter's `rate` is its count per second of test run time.
 */
import type { ThresholdDecl } from '../../load/types.ts';
import type { MergedResult } from '../merged-result.ts';
import { submetricKeys } from '../metric-key.ts';
import { percentileStatName } from '../trend-stats.ts';
import type { SubmetricSelector } from '../types.ts';
import { parseThresholdExpression } from './parse.ts';
import type { ThresholdExpression, ThresholdResult } from './types.ts';

export interface EvaluateOptions {
  /** Test run time so far; a counter's `rate` is count per second of it. */
  testRunDurationMs: number;
  /** Time since the test started, compared with each threshold's delayAbortEval. */
  elapsedMs: number;
  /** The end-of-test evaluation: metrics without samples are evaluated too (see above). Default false. */
  final?: boolean;
}

function statKey(expr: ThresholdExpression): string {
  if (expr.aggregation === 'p') return percentileStatName(expr.percentile as number);
  return expr.aggregation;
}

function compare(lhs: number, expr: ThresholdExpression): boolean {
  const rhs = expr.value;
  switch (expr.operator) {
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    case '>=':
      return lhs >= rhs;
    case '==':
    case '===':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
  }
}

/** Evaluates every declared threshold; results follow the declaration order. */
export function evaluateThresholds(
  merged: MergedResult,
  decls: Readonly<Record<string, readonly ThresholdDecl[]>>,
  opts: EvaluateOptions,
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  const keys = submetricKeys(Object.keys(decls));
  for (const [rawKey, list] of Object.entries(decls)) {
    if (list.length === 0) continue;
    const metricKey = keys.get(rawKey)!.key;
    const exprs = list.map((d, i) => parseThresholdExpression(d.threshold, rawKey, i));
    const hasSamples = merged.hasSamples(metricKey);
    const skip = !hasSamples && !opts.final;
    const stats = [...new Set(exprs.map(statKey))];
    const values = skip ? {} : merged.metricValues(metricKey, stats, opts.testRunDurationMs);
    const rateWithoutSamples = !hasSamples && merged.metricType(metricKey) === 'rate';
    list.forEach((decl, i) => {
      const expr = exprs[i];
      const observed = values[statKey(expr)];
      const evaluated = !skip && !rateWithoutSamples && observed !== undefined;
      const ok = evaluated ? compare(observed, expr) : true;
      const result: ThresholdResult = {
        metricKey,
        expression: decl.threshold,
        ok,
        abortOnFail: decl.abortOnFail,
        abort: !ok && decl.abortOnFail && opts.elapsedMs >= decl.delayAbortEvalMs,
      };
      if (evaluated) result.observed = observed;
      results.push(result);
    });
  }
  return results;
}

/** The sub-metrics the thresholds select, one per set of tags (see submetricKeys). */
export function thresholdSelectors(decls: Readonly<Record<string, readonly ThresholdDecl[]>>): SubmetricSelector[] {
  const out = new Set<SubmetricSelector>();
  for (const sel of submetricKeys(Object.keys(decls)).values()) {
    if (Object.keys(sel.tags).length > 0) out.add(sel);
  }
  return [...out];
}

/** The percentile stats (`p(N)`) the thresholds evaluate, deduplicated, in declaration order. */
export function trendStatsNeeded(decls: Readonly<Record<string, readonly ThresholdDecl[]>>): string[] {
  const out = new Set<string>();
  for (const [key, list] of Object.entries(decls)) {
    list.forEach((d, i) => {
      const expr = parseThresholdExpression(d.threshold, key, i);
      if (expr.aggregation === 'p') out.add(statKey(expr));
    });
  }
  return [...out];
}
