/**
 * ramping-arrival-rate: the rate goes linearly from stage to stage (startRate first); iteration k starts when
 * the iterations due under the rate curve reach k + 1.
 */
import type { Executor, ExecutorContext, RampingArrivalRateConfig, Segment } from '../types.ts';
import { ArrivalRateRunner } from './arrival-rate.ts';
import { ArrivalCurve } from './arrival-schedule.ts';
import { dealtIndices, shareOf } from './segment.ts';

/** Offsets of the segment's iterations, up to the end of the last stage. */
export function* rampingArrivalOffsets(config: RampingArrivalRateConfig, segment: Segment): Generator<number, void, undefined> {
  const curve = new ArrivalCurve(config.startRate, config.timeUnitMs, config.stages);
  for (const k of dealtIndices(config.maxVUs, segment)) {
    const offset = curve.offsetOf(k);
    if (offset === undefined) return;
    yield offset;
  }
}

export class RampingArrivalRate implements Executor {
  private readonly runner: ArrivalRateRunner;

  constructor(config: RampingArrivalRateConfig, ctx: ExecutorContext) {
    this.runner = new ArrivalRateRunner(ctx, {
      offsets: rampingArrivalOffsets(config, ctx.segment),
      durationMs: config.stages.reduce((sum, s) => sum + s.durationMs, 0),
      gracefulStopMs: config.gracefulStopMs,
      preAllocatedVUs: shareOf(config.preAllocatedVUs, ctx.segment),
      maxVUs: shareOf(config.maxVUs, ctx.segment),
    });
  }

  run(): Promise<void> {
    return this.runner.run();
  }

  progress(): number {
    return this.runner.progress();
  }
}
