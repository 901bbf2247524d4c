/**
 * The open model shared by both arrival-rate executors: iterations start at scheduled times whatever the
 * previous ones are doing, each on a free VU of a pool that starts with preAllocatedVUs and may grow to maxVUs.
 *
 * As in k6, an iteration that finds no free VU is dropped; if the pool may still grow, one more VU starts
 * initializing in the background (one at a time) and joins the pool when ready.
 *
 * Timers are batched: after each wake-up every iteration whose time has come starts at once, each with its own
 * intended start, so a late event loop costs latency, not iterations.
 *
 * VUs share the worker's event loop, so a VU whose response has already arrived may not have seen it yet when
 * the scheduler runs (timers run before I/O in a loop turn, and a pause such as a garbage collection leaves
 * both waiting). An iteration that finds no free VU therefore waits for the I/O of the current turn, and is
 * dropped only if no VU is free after it: k6's VUs run concurrently and would have been free.
 */
import type { ExecutorContext, ExecutorVu } from '../types.ts';
import { BusyVus, Failure, runOne, settleBy, timeProgress, waitUntil } from './common.ts';
import { acquireAll } from './looping.ts';

export interface ArrivalPlan {
  /** Offsets (ms from the scenario start, ascending) of the iterations this worker starts. */
  offsets: Iterator<number>;
  durationMs: number;
  gracefulStopMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}

/** When behind schedule, the shortest wait that still goes through the timer queue (so I/O gets a turn). */
const CATCH_UP_WAIT_MS = 0.001;

export class ArrivalRateRunner {
  private readonly ctx: ExecutorContext;
  private readonly plan: ArrivalPlan;
  private readonly busy: BusyVus;
  private readonly failure = new Failure();
  private readonly free: ExecutorVu[] = [];
  private readonly all: ExecutorVu[] = [];
  private initializing: Promise<void> | undefined;
  private unplannedLeft: number;
  private closed = false;
  private finished = false;
  /** Intended starts of iterations that found no free VU, retried once this turn's I/O has run. */
  private waiting: number[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private retryScheduled = false;

  constructor(ctx: ExecutorContext, plan: ArrivalPlan) {
    this.ctx = ctx;
    this.plan = plan;
    this.busy = new BusyVus(ctx);
    this.unplannedLeft = Math.max(0, plan.maxVUs - plan.preAllocatedVUs);
  }

  async run(): Promise<void> {
    const { ctx, plan } = this;
    try {
      // Like k6, a scenario without VUs has no work at all (not even drops to report).
      if (plan.maxVUs === 0) return;
      if (!(await waitUntil(ctx.clock, ctx.startTime, ctx.signal))) return;
      const vus = await acquireAll(ctx, plan.preAllocatedVUs);
      this.all.push(...vus);
      this.free.push(...vus.reverse());
      const stop = AbortSignal.any([ctx.signal, this.failure.signal]);
      await this.schedule(stop);
      // The scenario lasts its whole duration even when the last iteration is due earlier, as in k6.
      const regularEnd = ctx.startTime + plan.durationMs;
      await waitUntil(ctx.clock, regularEnd, stop);
      this.closed = true;
      const hardEnd = regularEnd + plan.gracefulStopMs;
      await settleBy(ctx.clock, Promise.all([...this.inFlight, this.initializing]), hardEnd, () => ctx.interruptVus());
      for (const vu of this.all) ctx.releaseVu(vu);
      this.failure.throwIfFailed();
    } finally {
      this.finished = true;
    }
  }

  progress(): number {
    if (this.finished) return 1;
    const start = this.ctx.startTime;
    return timeProgress(this.ctx.clock.now(), start, start + this.plan.durationMs);
  }

  private async schedule(stop: AbortSignal): Promise<void> {
    const { ctx, plan } = this;
    const start = ctx.startTime;
    const hardEnd = start + plan.durationMs + plan.gracefulStopMs;
    let next = plan.offsets.next();
    while (!next.done && !stop.aborted) {
      const now = ctx.clock.now();
      if (now >= hardEnd) return;
      // Start everything due by now, then wait for the next one.
      while (!next.done && start + next.value <= now) {
        this.dispatch(start + next.value);
        next = plan.offsets.next();
      }
      if (next.done) return;
      const due = start + next.value;
      const wake = due > ctx.clock.now() ? due : ctx.clock.now() + CATCH_UP_WAIT_MS;
      if (!(await waitUntil(ctx.clock, wake, stop))) return;
    }
  }

  private dispatch(intendedStart: number): void {
    const vu = this.free.pop();
    if (!vu) {
      this.waiting.push(intendedStart);
      if (!this.retryScheduled) {
        this.retryScheduled = true;
        this.ctx.clock.defer(() => this.retryWaiting());
      }
      return;
    }
    this.start(vu, intendedStart);
  }

  private start(vu: ExecutorVu, intendedStart: number): void {
    const p = runOne(vu, this.busy, this.failure.record, intendedStart).then(() => {
      this.free.push(vu);
    });
    this.inFlight.add(p);
    void p.then(() => this.inFlight.delete(p));
  }

  private retryWaiting(): void {
    this.retryScheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const intendedStart of waiting) {
      const vu = this.closed || this.failure.failed || this.ctx.signal.aborted ? undefined : this.free.pop();
      if (vu) {
        this.start(vu, intendedStart);
      } else {
        this.ctx.droppedIteration(intendedStart);
        this.growPool();
      }
    }
  }

  private growPool(): void {
    if (this.initializing || this.unplannedLeft <= 0 || this.ctx.signal.aborted) return;
    this.unplannedLeft--;
    this.initializing = this.ctx.acquireVu().then(
      (vu) => {
        this.initializing = undefined;
        this.all.push(vu);
        if (!this.closed) this.free.push(vu);
      },
      () => {
        // Like k6, a VU that fails to initialize is not retried; the pool just stays smaller.
        this.initializing = undefined;
      },
    );
  }
}
