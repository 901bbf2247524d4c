/**
 * When arrival-rate iterations start, computed from the schedule itself (never by adding up timer delays, so
 * there is no drift). Offsets are ms from the scenario start; `k` is the 0-based global iteration index.
 */
import type { Stage } from '../types.ts';

/** constant-arrival-rate: evenly spaced, the first at once (k6 starts iteration k at k * timeUnit / rate). */
export function constantArrivalOffset(k: number, rate: number, timeUnitMs: number): number {
  return (k * timeUnitMs) / rate;
}

interface RateStage {
  startMs: number;
  durationMs: number;
  /** rates in iterations per timeUnit */
  from: number;
  to: number;
  /** iterations due before the stage and by its end (the area under the rate curve) */
  before: number;
  after: number;
}

/**
 * ramping-arrival-rate: the rate moves linearly through each stage, and iteration k starts when the area under
 * the rate curve (iterations due so far) reaches k + 1, as in k6. A stage of duration 0 is a jump.
 */
export class ArrivalCurve {
  /** Iterations the whole curve holds (possibly fractional; only whole ones start). */
  readonly total: number;
  readonly durationMs: number;
  private readonly stages: RateStage[] = [];
  private readonly timeUnitMs: number;
  private hint = 0;

  constructor(startRate: number, timeUnitMs: number, stages: readonly Stage[]) {
    this.timeUnitMs = timeUnitMs;
    let from = startRate;
    let startMs = 0;
    let done = 0;
    for (const s of stages) {
      const area = ((from + s.target) * s.durationMs) / (2 * timeUnitMs);
      this.stages.push({ startMs, durationMs: s.durationMs, from, to: s.target, before: done, after: done + area });
      done += area;
      startMs += s.durationMs;
      from = s.target;
    }
    this.total = done;
    this.durationMs = startMs;
  }

  /** The offset of iteration `k`, or undefined when the curve ends before it is due. */
  offsetOf(k: number): number | undefined {
    const due = k + 1;
    const eps = 1e-9 * Math.max(1, due);
    if (due > this.total + eps) return undefined;
    if (this.hint >= this.stages.length || due < this.stages[this.hint].before - eps) this.hint = 0;
    while (this.hint < this.stages.length - 1 && due > this.stages[this.hint].after + eps) this.hint++;
    const st = this.stages[this.hint];
    const need = Math.max(0, due - st.before) * this.timeUnitMs;
    const { from, to, durationMs: d } = st;
    // Solves from*x + (to-from)*x²/(2d) = need for x in the form that stays exact when from is 0 and does not
    // cancel when the rate ramps down.
    const x = from === to ? need / from : (2 * need) / (from + Math.sqrt(Math.max(0, from * from + (2 * (to - from) * need) / d)));
    return st.startMs + Math.min(d, Math.max(0, Number.isFinite(x) ? x : d));
  }
}
