/**
 * Time as the engine sees it. Executors and the scheduler take a Clock so tests can drive them with a
 * fake one; production uses the monotonic high-resolution clock anchored to the Unix epoch.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, monotonic, sub-millisecond resolution. */
  now(): number;
  /** Resolves after `ms` (or at once for ms <= 0); rejects with an AbortError if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Resolves when now() >= `time` (epoch ms). */
  sleepUntil(time: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` once the I/O callbacks of the current event-loop turn have run (setImmediate). */
  defer(fn: () => void): void;
}

const origin = performance.timeOrigin;

export const systemClock: Clock = {
  now: () => origin + performance.now(),
  sleep(ms, signal) {
    return sleepReal(ms, signal);
  },
  sleepUntil(time, signal) {
    return sleepReal(time - (origin + performance.now()), signal);
  },
  defer(fn) {
    setImmediate(fn);
  },
};

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    // Node's timers have millisecond granularity and drop the fraction, so round up: a sleep must never
    // end before its deadline (a scenario's startTime, an arrival-rate slot).
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.ceil(ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A manually advanced clock for tests. `advance(ms)` moves time forward and wakes sleepers in time order,
 * letting the microtasks each wake-up schedules run before the next sleeper is woken.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly sleepers: { at: number; seq: number; resolve: () => void }[] = [];
  private deferred: (() => void)[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepUntil(this.time + Math.max(0, ms), signal);
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const entry = { at, seq: this.seq++, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      const onAbort = () => {
        const i = this.sleepers.indexOf(entry);
        if (i >= 0) this.sleepers.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(entry);
    });
  }

  /** Deferred callbacks run when advance() has let the microtasks of the current step run. */
  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  private async settle(): Promise<void> {
    await flushMicrotasks();
    while (this.deferred.length > 0) {
      const run = this.deferred;
      this.deferred = [];
      for (const fn of run) fn();
      await flushMicrotasks();
    }
  }

  /** Number of pending sleepers (useful to assert that an executor is idle). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Advance time by `ms`, waking every sleeper due on the way, each at its own due time. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flushMicrotasks();
      let next: (typeof this.sleepers)[number] | undefined;
      for (const s of this.sleepers) {
        if (s.at <= target && (!next || s.at < next.at || (s.at === next.at && s.seq < next.seq))) next = s;
      }
      // Like an event-loop turn: every sleeper due at this instant wakes, then the deferred callbacks run (which
      // may add sleepers, so look again).
      if ((!next || next.at > this.time) && this.deferred.length > 0) {
        await this.settle();
        continue;
      }
      if (!next) break;
      this.sleepers.splice(this.sleepers.indexOf(next), 1);
      if (next.at > this.time) this.time = next.at;
      next.resolve();
    }
    this.time = target;
    await this.settle();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
