/**
 * Values the evaluator passes between nodes. A query is evaluated at a list of timestamps (one for an instant
 * query, every step of a range query) and every node computes all of them at once: an instant vector is a
 * list of series, each with one value slot per timestamp and a presence flag (values may legitimately be NaN).
 */
import type { Labels } from '../series/types.ts';

export interface StepSeries {
  labels: Labels;
  readonly values: Float64Array;
  readonly present: Uint8Array;
}

export interface VectorValue {
  readonly kind: 'vector';
  series: StepSeries[];
}

export interface ScalarValue {
  readonly kind: 'scalar';
  readonly values: Float64Array;
}

export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}

/** Raw samples of one series in ascending time order (staleness markers already removed). */
export interface SampleSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly length: number;
}

/** A range vector as a query result (instant query of `foo[5m]` or a subquery): the samples in the window. */
export interface MatrixValue {
  readonly kind: 'matrix';
  readonly series: SampleSeries[];
}

export type Value = VectorValue | ScalarValue | StringValue | MatrixValue;

export function newStepSeries(labels: Labels, n: number): StepSeries {
  return { labels, values: new Float64Array(n), present: new Uint8Array(n) };
}
