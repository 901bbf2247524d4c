/**
 * The closed model shared by shared-iterations, per-vu-iterations and constant-vus: a fixed set of VUs, each
 * looping iterations back to back until its plan says stop or the regular duration is over; then
 * gracefulStop, then interruption.
 */
import type { ExecutorContext, ExecutorVu } from '../types.ts';
import { BusyVus, Failure, SpinGuard, runOne, settleBy } from './common.ts';

export interface LoopPlan {
  vus: number;
  /** Epoch ms after which no iteration starts. */
  regularEnd: number;
  /** Epoch ms at which iterations still running are interrupted. */
  hardEnd: number;
  /** Takes the next iteration for VU number `vuIndex` (0-based, local); false when that VU is done. */
  claim(vuIndex: number): boolean;
  /** Called when an iteration ends, however it ended. */
  onIterationEnd?(): void;
}

export async function runLoopingVus(ctx: ExecutorContext, plan: LoopPlan): Promise<void> {
  if (plan.vus <= 0) return;
  const vus = await acquireAll(ctx, plan.vus);
  const busy = new BusyVus(ctx);
  const failure = new Failure();
  const loop = async (vu: ExecutorVu, index: number): Promise<void> => {
    const guard = new SpinGuard(ctx.clock);
    while (!ctx.signal.aborted && !failure.failed) {
      const startedAt = ctx.clock.now();
      if (startedAt >= plan.regularEnd || !plan.claim(index)) return;
      await runOne(vu, busy, failure.record);
      plan.onIterationEnd?.();
      const pause = guard.after(startedAt);
      if (pause) await pause;
    }
  };
  try {
    const loops = vus.map((vu, i) => (vu.enter ? vu.enter(() => loop(vu, i)) : loop(vu, i)));
    await settleBy(ctx.clock, Promise.all(loops), plan.hardEnd, () => ctx.interruptVus());
  } finally {
    for (const vu of vus) ctx.releaseVu(vu);
  }
  failure.throwIfFailed();
}

/** Gets `n` VUs; if any cannot be had, gives back the others and fails. */
export async function acquireAll(ctx: ExecutorContext, n: number): Promise<ExecutorVu[]> {
  const results = await Promise.allSettled(Array.from({ length: n }, () => ctx.acquireVu()));
  const vus: ExecutorVu[] = [];
  let error: unknown;
  let failed = false;
  for (const r of results) {
    if (r.status === 'fulfilled') vus.push(r.value);
    else if (!failed) {
      failed = true;
      error = r.reason;
    }
  }
  if (failed) {
    for (const vu of vus) ctx.releaseVu(vu);
    throw error;
  }
  return vus;
}
