export type Aggregation = 'avg' | 'min' | 'med' | 'max' | 'count' | 'rate' | 'value' | 'p';
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=' | '===';

/** A parsed threshold expression such as `p(95) < 200`. */
export interface ThresholdExpression {
  aggregation: Aggregation;
  /** for `p`: the percentile, 0..100 */
  percentile?: number;
  operator: ThresholdOperator;
  value: number;
  /** the expression as written */
  source: string;
}

/** The outcome of one threshold at one evaluation. */
export interface ThresholdResult {
  /** canonical metric key (`http_req_duration{status:200}`) */
  metricKey: string;
  /** the expression as written; the key of the threshold in the summary */
  expression: string;
  ok: boolean;
  abortOnFail: boolean;
  /** the threshold failed, has abortOnFail, and its delayAbortEval has passed: the run should stop */
  abort: boolean;
  /** the aggregated value the expression was checked against; absent when the threshold was not evaluated */
  observed?: number;
}
