/**
 * Pieces every executor shares: abortable waits, the busy-VU count, running one iteration, and the graceful
 * stop at the end of a scenario.
 */
import type { Clock } from '../clock.ts';
import type { ExecutorContext, ExecutorVu } from '../types.ts';

/**
 * Waits until `time` (epoch ms). Resolves false when `signal` aborted first. A time already reached resolves
 * at once, so a late start never waits on a timer.
 */
export function waitUntil(clock: Clock, time: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (time <= clock.now()) return Promise.resolve(true);
  return clock.sleepUntil(time, signal).then(
    () => true,
    (err: unknown) => {
      if (signal?.aborted) return false;
      throw err;
    },
  );
}

/** Counts the VUs that are running an iteration and reports every change. */
export class BusyVus {
  private count = 0;
  private readonly ctx: ExecutorContext;

  constructor(ctx: ExecutorContext) {
    this.ctx = ctx;
  }

  inc(): void {
    this.count++;
    this.ctx.activeVusChanged(this.count);
  }

  dec(): void {
    this.count--;
    this.ctx.activeVusChanged(this.count);
  }
}

/**
 * Runs one iteration. A rejection (not a script error: those resolve with ok=false) means the VU itself is
 * broken; it is handed to `onFailure` so the executor can stop and report it.
 */
export function runOne(
  vu: ExecutorVu,
  busy: BusyVus,
  onFailure: (err: unknown) => void,
  intendedStart?: number,
  signal?: AbortSignal,
): Promise<void> {
  busy.inc();
  let p: Promise<unknown>;
  try {
    p = vu.runIteration(intendedStart, signal);
  } catch (err) {
    p = Promise.reject(err);
  }
  return p.then(
    () => busy.dec(),
    (err: unknown) => {
      busy.dec();
      onFailure(err);
    },
  );
}

/**
 * Waits for `work` to settle. If it is still running at `hardEnd` (the end of gracefulStop), in-flight
 * iterations are interrupted through `interrupt` and the wait goes on until they have unwound.
 */
export async function settleBy(clock: Clock, work: Promise<unknown>, hardEnd: number, interrupt: () => void): Promise<void> {
  const cancel = new AbortController();
  const deadline = waitUntil(clock, hardEnd, cancel.signal).then((reached) => {
    if (reached) interrupt();
  });
  try {
    await work;
  } finally {
    cancel.abort();
    await deadline;
  }
}

/**
 * Yields to the event loop when a VU's iterations keep finishing without ever waiting on I/O or timers:
 * such a loop would only run microtasks and starve timers and messages (the abort signal among them).
 */
export class SpinGuard {
  private streak = 0;
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Call after each iteration with the time it started. */
  after(startedAt: number): Promise<void> | undefined {
    if (this.clock.now() - startedAt >= 1) {
      this.streak = 0;
      return undefined;
    }
    if (++this.streak < 64) return undefined;
    this.streak = 0;
    return new Promise((resolve) => setImmediate(resolve));
  }
}

/** Collects the first fatal error of a run; `signal` aborts then, to cut short whatever the run waits for. */
export class Failure {
  error: unknown = undefined;
  failed = false;
  private readonly ctl = new AbortController();

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  readonly record = (err: unknown): void => {
    if (this.failed) return;
    this.failed = true;
    this.error = err;
    this.ctl.abort();
  };

  throwIfFailed(): void {
    if (this.failed) throw this.error;
  }
}

/** Fraction of [start, end] elapsed at `now`, clamped to 0..1. */
export function timeProgress(now: number, start: number, end: number): number {
  if (end <= start) return now >= start ? 1 : 0;
  return Math.min(1, Math.max(0, (now - start) / (end - start)));
}
