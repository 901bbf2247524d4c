/** constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`, evenly spaced, the first at once. */
import type { ConstantArrivalRateConfig, Executor, ExecutorContext, Segment } from '../types.ts';
import { ArrivalRateRunner } from './arrival-rate.ts';
import { constantArrivalOffset } from './arrival-schedule.ts';
import { dealtIndices, shareOf } from './segment.ts';

/** Offsets of the segment's iterations: global iteration k at k * timeUnit / rate, all before the end. */
export function* constantArrivalOffsets(config: ConstantArrivalRateConfig, segment: Segment): Generator<number, void, undefined> {
  for (const k of dealtIndices(config.maxVUs, segment)) {
    const offset = constantArrivalOffset(k, config.rate, config.timeUnitMs);
    if (offset >= config.durationMs) return;
    yield offset;
  }
}

export class ConstantArrivalRate implements Executor {
  private readonly runner: ArrivalRateRunner;

  constructor(config: ConstantArrivalRateConfig, ctx: ExecutorContext) {
    this.runner = new ArrivalRateRunner(ctx, {
      offsets: constantArrivalOffsets(config, ctx.segment),
      durationMs: config.durationMs,
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
