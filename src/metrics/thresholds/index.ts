export {
  SUPPORTED_AGGREGATIONS,
  parseThresholdExpression,
  parseThresholds,
  validateThresholds,
} from './parse.ts';
export { evaluateThresholds, thresholdSelectors, trendStatsNeeded } from './evaluate.ts';
export type { EvaluateOptions } from './evaluate.ts';
export type { Aggregation, ThresholdExpression, ThresholdOperator, ThresholdResult } from './types.ts';
