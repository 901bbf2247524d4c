/**
 * One sink per metric type, holding exactly what k6 reports for it. Every sink can export its state as a
 * plain object and merge such a state exactly, so workers can aggregate locally and the main thread can
 * combine their deltas in any order.
 */
import { percentilesOf, ScaledHistogram, type CountWidth, type EncodedHistogram } from './histogram.ts';
import type { MetricType } from './types.ts';

export interface CounterState {
  readonly type: 'counter';
  /** number of samples */
  readonly n: number;
  readonly sum: number;
}
export interface GaugeState {
  readonly type: 'gauge';
  readonly n: number;
  readonly value: number;
  /** sample time of `value` */
  readonly time: number;
  readonly min: number;
  readonly max: number;
}
export interface RateState {
  readonly type: 'rate';
  /** total samples */
  readonly n: number;
  /** non-zero samples */
  readonly passes: number;
}
export interface TrendState {
  readonly type: 'trend';
  readonly n: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly hist: EncodedHistogram;
}
export type SinkState = CounterState | GaugeState | RateState | TrendState;

export interface Sink {
  readonly type: MetricType;
  /** Samples added (or merged) since creation or the last reset. */
  readonly n: number;
  add(value: number, time: number): void;
  merge(state: SinkState): void;
  state(): SinkState;
  reset(): void;
}

export class CounterSink implements Sink {
  readonly type = 'counter';
  n = 0;
  sum = 0;

  add(value: number): void {
    this.n++;
    this.sum += value;
  }
  merge(s: SinkState): void {
    const c = s as CounterState;
    this.n += c.n;
    this.sum += c.sum;
  }
  state(): CounterState {
    return { type: 'counter', n: this.n, sum: this.sum };
  }
  reset(): void {
    this.n = 0;
    this.sum = 0;
  }
}

/**
 * The gauge value is the one with the latest sample time; on equal times the one added (or merged) last
 * wins, which keeps k6's "last added" rule within a worker and across one worker's successive deltas.
 */
export class GaugeSink implements Sink {
  readonly type = 'gauge';
  n = 0;
  value = 0;
  time = -Infinity;
  min = 0;
  max = 0;

  add(value: number, time: number): void {
    if (this.n === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    if (time >= this.time) {
      this.value = value;
      this.time = time;
    }
    this.n++;
  }
  merge(s: SinkState): void {
    const g = s as GaugeState;
    if (g.n === 0) return;
    if (this.n === 0) {
      this.min = g.min;
      this.max = g.max;
    } else {
      if (g.min < this.min) this.min = g.min;
      if (g.max > this.max) this.max = g.max;
    }
    if (g.time >= this.time) {
      this.value = g.value;
      this.time = g.time;
    }
    this.n += g.n;
  }
  state(): GaugeState {
    return { type: 'gauge', n: this.n, value: this.value, time: this.time, min: this.min, max: this.max };
  }
  reset(): void {
    this.n = 0;
    this.value = 0;
    this.time = -Infinity;
    this.min = 0;
    this.max = 0;
  }
}

export class RateSink implements Sink {
  readonly type = 'rate';
  n = 0;
  passes = 0;

  add(value: number): void {
    this.n++;
    if (value !== 0) this.passes++;
  }
  merge(s: SinkState): void {
    const r = s as RateState;
    this.n += r.n;
    this.passes += r.passes;
  }
  state(): RateState {
    return { type: 'rate', n: this.n, passes: this.passes };
  }
  reset(): void {
    this.n = 0;
    this.passes = 0;
  }
}

export class TrendSink implements Sink {
  readonly type = 'trend';
  n = 0;
  sum = 0;
  min = 0;
  max = 0;
  readonly hist: ScaledHistogram;

  constructor(width: CountWidth = 'int32') {
    this.hist = new ScaledHistogram(width);
  }

  add(value: number): void {
    if (this.n === 0) {
      this.min = value;
      this.max = value;
    } else if (value < this.min) {
      this.min = value;
    } else if (value > this.max) {
      this.max = value;
    }
    this.n++;
    this.sum += value;
    this.hist.record(value);
  }
  merge(s: SinkState): void {
    const t = s as TrendState;
    if (t.n === 0) return;
    if (this.n === 0) {
      this.min = t.min;
      this.max = t.max;
    } else {
      if (t.min < this.min) this.min = t.min;
      if (t.max > this.max) this.max = t.max;
    }
    this.n += t.n;
    this.sum += t.sum;
    this.hist.merge(t.hist);
  }
  state(): TrendState {
    return { type: 'trend', n: this.n, sum: this.sum, min: this.min, max: this.max, hist: this.hist.encode() };
  }
  reset(): void {
    this.n = 0;
    this.sum = 0;
    this.min = 0;
    this.max = 0;
    this.hist.reset();
  }

  avg(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }
  /** k6's percentiles, `pcts` in [0, 1]; 0 when empty, like k6. */
  percentiles(pcts: readonly number[]): number[] {
    return percentilesOf(this.hist, this.min, this.max, pcts);
  }
}

/** Worker sinks are reset every flush, so 32-bit bucket counts suffice; merged sinks live for the run. */
export function createSink(type: MetricType, width: CountWidth = 'int32'): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink(width);
  }
}
