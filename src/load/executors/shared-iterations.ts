/**
 * shared-iterations: the worker's VUs take iterations from one shared count until it is used up or maxDuration
 * is over. Iterations never started by then are reported as dropped, as k6 does.
 */
import type { Executor, ExecutorContext, SharedIterationsConfig } from '../types.ts';
import { timeProgress, waitUntil } from './common.ts';
import { runLoopingVus } from './looping.ts';
import { dealtShareOf, shareOf } from './segment.ts';

export class SharedIterations implements Executor {
  private readonly ctx: ExecutorContext;
  private readonly vus: number;
  private readonly iterations: number;
  private readonly config: SharedIterationsConfig;
  private done = 0;
  private finished = false;

  constructor(config: SharedIterationsConfig, ctx: ExecutorContext) {
    this.config = config;
    this.ctx = ctx;
    this.vus = shareOf(config.vus, ctx.segment);
    this.iterations = dealtShareOf(config.iterations, config.vus, ctx.segment);
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    try {
      if (!(await waitUntil(ctx.clock, ctx.startTime, ctx.signal))) return;
      const regularEnd = ctx.startTime + config.maxDurationMs;
      let claimed = 0;
      await runLoopingVus(ctx, {
        vus: this.vus,
        regularEnd,
        hardEnd: regularEnd + config.gracefulStopMs,
        claim: () => {
          if (claimed >= this.iterations) return false;
          claimed++;
          return true;
        },
        onIterationEnd: () => this.done++,
      });
      const dropped = this.iterations - claimed;
      if (dropped > 0 && !ctx.signal.aborted) ctx.droppedIteration(ctx.clock.now(), dropped);
    } finally {
      this.finished = true;
    }
  }

  progress(): number {
    if (this.finished || this.iterations === 0) return 1;
    const byTime = timeProgress(this.ctx.clock.now(), this.ctx.startTime, this.ctx.startTime + this.config.maxDurationMs);
    return Math.max(this.done / this.iterations, byTime);
  }
}
