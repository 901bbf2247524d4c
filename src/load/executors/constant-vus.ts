/** constant-vus: the worker's share of `vus` VUs loop iterations back to back for `duration`. */
import type { ConstantVusConfig, Executor, ExecutorContext } from '../types.ts';
import { timeProgress, waitUntil } from './common.ts';
import { runLoopingVus } from './looping.ts';
import { shareOf } from './segment.ts';

export class ConstantVus implements Executor {
  private readonly ctx: ExecutorContext;
  private readonly config: ConstantVusConfig;
  private finished = false;

  constructor(config: ConstantVusConfig, ctx: ExecutorContext) {
    this.config = config;
    this.ctx = ctx;
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    try {
      if (!(await waitUntil(ctx.clock, ctx.startTime, ctx.signal))) return;
      const regularEnd = ctx.startTime + config.durationMs;
      await runLoopingVus(ctx, {
        vus: shareOf(config.vus, ctx.segment),
        regularEnd,
        hardEnd: regularEnd + config.gracefulStopMs,
        claim: () => true,
      });
    } finally {
      this.finished = true;
    }
  }

  progress(): number {
    if (this.finished) return 1;
    return timeProgress(this.ctx.clock.now(), this.ctx.startTime, this.ctx.startTime + this.config.durationMs);
  }
}
