/** The deterministic samples the crash test writes and checks. */
import { STALE_NAN, type Labels } from '../../src/series/types.ts';

export function crashLabels(series: number): Labels {
  return { __name__: 'crash_test', series: String(series), writer: String(series % 2) };
}

export function crashValue(series: number, step: number): number {
  if (series === 0 && step % 50 === 49) return STALE_NAN;
  if (series % 3 === 0) return step * 7 + series; // an integer counter
  return Math.sin(step / 10 + series) * 100; // a noisy gauge
}
