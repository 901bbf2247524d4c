/**
 * Function signatures for the type checker (argument types, optional trailing arguments, return type), as
 * Prometheus declares them. `variadic` is how many trailing arguments may be left out (-1: any number of
 * repetitions of the last type; label_join and sort_by_label take extra label names).
 */
import type { ValueType } from './ast.ts';

export interface FunctionSignature {
  readonly args: readonly ValueType[];
  readonly variadic: number;
  readonly returns: ValueType;
}

const fn = (args: ValueType[], returns: ValueType, variadic = 0): FunctionSignature => ({ args, variadic, returns });
const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

const simpleVector = [
  'abs', 'ceil', 'floor', 'sqrt', 'exp', 'ln', 'log2', 'log10', 'sgn', 'acos', 'acosh', 'asin', 'asinh', 'atan',
  'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad', 'histogram_count', 'histogram_sum',
  'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'timestamp', 'sort', 'sort_desc',
];
const overTime = [
  'avg_over_time', 'count_over_time', 'sum_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time', 'mad_over_time', 'absent_over_time',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'resets', 'changes',
];
const dateFns = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map<string, FunctionSignature>([
  ...simpleVector.map((n) => [n, fn([V], V)] as const),
  ...overTime.map((n) => [n, fn([M], V)] as const),
  ...dateFns.map((n) => [n, fn([V], V, 1)] as const),
  ['quantile_over_time', fn([S, M], V)],
  ['predict_linear', fn([M, S], V)],
  ['holt_winters', fn([M, S, S], V)],
  ['double_exponential_smoothing', fn([M, S, S], V)],
  ['histogram_quantile', fn([S, V], V)],
  ['histogram_fraction', fn([S, S, V], V)],
  ['clamp', fn([V, S, S], V)],
  ['clamp_min', fn([V, S], V)],
  ['clamp_max', fn([V, S], V)],
  ['round', fn([V, S], V, 1)],
  ['time', fn([], S)],
  ['pi', fn([], S)],
  ['vector', fn([S], V)],
  ['scalar', fn([V], S)],
  ['absent', fn([V], V)],
  ['label_replace', fn([V, STR, STR, STR, STR], V)],
  ['label_join', fn([V, STR, STR, STR], V, -1)],
  ['sort_by_label', fn([V, STR], V, -1)],
  ['sort_by_label_desc', fn([V, STR], V, -1)],
]);

export function returnTypeOf(func: string): ValueType {
  return FUNCTIONS.get(func)?.returns ?? 'vector';
}
