/**
 * per-vu-iterations: each of the worker's VUs runs exactly `iterations` iterations, unless maxDuration ends the
 * scenario first; iterations never started by then are reported as dropped, as k6 does.
 */
import type { Executor, ExecutorContext, PerVuIterationsConfig } from '../types.ts';
import { timeProgress, waitUntil } from './common.ts';
import { runLoopingVus } from './looping.ts';
import { shareOf } from './segment.ts';

export class PerVuIterations implements Executor {
  private readonly ctx: ExecutorContext;
  private readonly config: PerVuIterationsConfig;
  private readonly vus: number;
  private done = 0;
  private finished = false;

  constructor(config: PerVuIterationsConfig, ctx: ExecutorContext) {
    this.config = config;
    this.ctx = ctx;
    this.vus = shareOf(config.vus, ctx.segment);
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    try {
      if (!(await waitUntil(ctx.clock, ctx.startTime, ctx.signal))) return;
      const regularEnd = ctx.startTime + config.maxDurationMs;
      const claimed = new Array<number>(this.vus).fill(0);
      await runLoopingVus(ctx, {
        vus: this.vus,
        regularEnd,
        hardEnd: regularEnd + config.gracefulStopMs,
        claim: (i) => {
          if (claimed[i] >= config.iterations) return false;
          claimed[i]++;
          return true;
        },
        onIterationEnd: () => this.done++,
      });
      const dropped = this.vus * config.iterations - claimed.reduce((a, b) => a + b, 0);
      if (dropped > 0 && !ctx.signal.aborted) ctx.droppedIteration(ctx.clock.now(), dropped);
    } finally {
      this.finished = true;
    }
  }

  progress(): number {
    const total = this.vus * this.config.iterations;
    if (this.finished || total === 0) return 1;
    const byTime = timeProgress(this.ctx.clock.now(), this.ctx.startTime, this.ctx.startTime + this.config.maxDurationMs);
    return Math.max(this.done / total, byTime);
  }
}
