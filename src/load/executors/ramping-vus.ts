/**
 * ramping-vus: the number of looping VUs follows the stages. A VU ramped down finishes its current iteration
 * but is interrupted if that takes longer than gracefulRampDown; ramped up again before it stopped, it simply
 * goes on. At the end of the stages every VU gets gracefulStop to finish, then is interrupted.
 */
import type { Executor, ExecutorContext, ExecutorVu, RampingVusConfig } from '../types.ts';
import { BusyVus, Failure, SpinGuard, runOne, settleBy, timeProgress, waitUntil } from './common.ts';
import { localVuSteps, rampingVuSteps, stagesDurationMs } from './ramping-steps.ts';

/** One slot of the worker's VUs, started and stopped as the count moves across it. */
interface Slot {
  readonly index: number;
  /** Whether its loop is alive (from start until its VU is given back). */
  running: boolean;
  done?: Promise<void>;
  /** Aborts the iteration in flight. */
  iteration?: AbortController;
  /** Cancels a pending gracefulRampDown deadline. */
  rampDown?: AbortController;
}

export class RampingVus implements Executor {
  private readonly ctx: ExecutorContext;
  private readonly config: RampingVusConfig;
  private readonly slots: Slot[] = [];
  private readonly busy: BusyVus;
  private readonly failure = new Failure();
  /** The worker's VU count from `at` (epoch ms) on. */
  private steps: { at: number; vus: number }[] = [];
  private regularEnd = Infinity;
  private current = 0;
  private finished = false;

  constructor(config: RampingVusConfig, ctx: ExecutorContext) {
    this.config = config;
    this.ctx = ctx;
    this.busy = new BusyVus(ctx);
  }

  async run(): Promise<void> {
    const { ctx, config } = this;
    try {
      if (!(await waitUntil(ctx.clock, ctx.startTime, ctx.signal))) return;
      const start = ctx.startTime;
      this.regularEnd = start + stagesDurationMs(config.stages);
      for (const step of localVuSteps(rampingVuSteps(config.startVUs, config.stages), ctx.segment)) {
        this.steps.push({ at: start + step.offsetMs, vus: step.vus });
      }
      const stop = AbortSignal.any([ctx.signal, this.failure.signal]);
      for (const step of this.steps) {
        if (!(await waitUntil(ctx.clock, step.at, stop))) break;
        this.scaleTo(step.vus, step.at);
      }
      await waitUntil(ctx.clock, this.regularEnd, stop);
      const loops = this.slots.flatMap((s) => (s.done ? [s.done] : []));
      await settleBy(ctx.clock, Promise.all(loops), this.regularEnd + config.gracefulStopMs, () => {
        ctx.interruptVus();
        for (const slot of this.slots) slot.iteration?.abort();
      });
      this.failure.throwIfFailed();
    } finally {
      this.finished = true;
    }
  }

  progress(): number {
    if (this.finished) return 1;
    const start = this.ctx.startTime;
    return timeProgress(this.ctx.clock.now(), start, start + stagesDurationMs(this.config.stages));
  }

  private scaleTo(target: number, at: number): void {
    while (this.current < target) this.startSlot(this.slot(this.current++));
    const deadline = at + this.config.gracefulRampDownMs;
    while (this.current > target) this.stopSlot(this.slot(--this.current), deadline);
  }

  /**
   * The count at `time`. Loops consult it rather than a flag set when a step is processed, so an iteration
   * ending at the very instant of a step sees that step whichever timer fires first.
   */
  private countAt(time: number): number {
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid].at <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.steps[lo - 1].vus;
  }

  private slot(index: number): Slot {
    while (this.slots.length <= index) this.slots.push({ index: this.slots.length, running: false });
    return this.slots[index];
  }

  private startSlot(slot: Slot): void {
    slot.rampDown?.abort();
    slot.rampDown = undefined;
    if (slot.running) return;
    slot.running = true;
    slot.done = this.loop(slot);
  }

  private stopSlot(slot: Slot, deadline: number): void {
    if (!slot.running) return;
    const cancel = new AbortController();
    slot.rampDown = cancel;
    void waitUntil(this.ctx.clock, deadline, cancel.signal).then((reached) => {
      if (reached && slot.rampDown === cancel) slot.iteration?.abort();
    });
  }

  private async loop(slot: Slot): Promise<void> {
    const { ctx } = this;
    let vu: ExecutorVu | undefined;
    try {
      vu = await ctx.acquireVu();
      const guard = new SpinGuard(ctx.clock);
      while (!ctx.signal.aborted && !this.failure.failed) {
        const startedAt = ctx.clock.now();
        if (startedAt >= this.regularEnd || slot.index >= this.countAt(startedAt)) break;
        const iteration = new AbortController();
        slot.iteration = iteration;
        await runOne(vu, this.busy, this.failure.record, undefined, iteration.signal);
        slot.iteration = undefined;
        const pause = guard.after(startedAt);
        if (pause) await pause;
      }
    } catch (err) {
      this.failure.record(err);
    } finally {
      if (vu) ctx.releaseVu(vu);
      slot.running = false;
      slot.rampDown?.abort();
      slot.rampDown = undefined;
    }
  }
}
