/**
 * Runs checks on their intervals. A check's runs fall on a fixed grid: epoch-aligned multiples of its
 * interval plus an offset derived from its name (FNV-1a hash modulo its jitter), so checks spread over their
 * interval instead of all firing at once, yet every check keeps the same slots across restarts and
 * instances — Prometheus spreads scrape targets the same way. Runs of one check never overlap: a run that
 * outlasts its interval makes the scheduler skip the slots it covered (counted in `skipped`). At most
 * `concurrency` runs are in flight; the rest wait in due-time order. Clock and timer are injected.
 */
import type { Clock } from '../load/clock.ts';
import type { CheckDefinition } from './check-types.ts';
import type { CheckResult } from './result-types.ts';

export interface SchedulerOptions {
  readonly clock: Clock;
  /** Runs one check (retries and timeouts included). */
  readonly run: (def: CheckDefinition, signal: AbortSignal) => Promise<CheckResult>;
  /** Receives every result; awaited before the check's next run is planned. */
  readonly onResult?: (def: CheckDefinition, result: CheckResult) => void | Promise<void>;
  /** A check was removed (or the scheduler stopped): the last result, if any, for staleness markers. */
  readonly onRemove?: (def: CheckDefinition, last: CheckResult | undefined) => void | Promise<void>;
  /** `run` or `onResult` threw: the check keeps its schedule. */
  readonly onError?: (def: CheckDefinition, err: unknown) => void;
  /** Runs in flight at once, over all checks (default 8). */
  readonly concurrency?: number;
}

export interface CheckSchedule {
  readonly check: string;
  readonly offsetMs: number;
  /** Epoch ms of the next planned run, undefined while one is running or after stop. */
  readonly nextRunAt?: number;
  readonly running: boolean;
  readonly runs: number;
  /** Slots not run because the previous run was still going. */
  readonly skipped: number;
}

interface Entry {
  def: CheckDefinition;
  offset: number;
  abort: AbortController;
  nextRunAt?: number;
  running?: Promise<CheckResult | undefined>;
  runs: number;
  skipped: number;
  last?: CheckResult;
  loop?: Promise<void>;
}

/** 32-bit FNV-1a over the UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The check's fixed offset inside its interval, in [0, jitter). */
export function offsetOf(def: CheckDefinition): number {
  const spread = Math.min(def.jitterMs, def.intervalMs);
  return spread < 1 ? 0 : fnv1a(def.name) % Math.floor(spread);
}

/** The first slot of the grid (k * interval + offset) at or after `t`. */
export function slotAtOrAfter(t: number, intervalMs: number, offsetMs: number): number {
  return Math.ceil((t - offsetMs) / intervalMs) * intervalMs + offsetMs;
}

export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #limit: number;
  readonly #entries = new Map<string, Entry>();
  readonly #waiting: { at: number; seq: number; go: () => void }[] = [];
  #seq = 0;
  #active = 0;
  #started = false;

  constructor(options: SchedulerOptions) {
    this.#opts = options;
    this.#limit = Math.max(1, Math.floor(options.concurrency ?? 8));
  }

  /** Starts every check's loop (checks added later start at once). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const e of this.#entries.values()) this.#startLoop(e);
  }

  /** Stops every loop, aborts runs in flight and waits for them. */
  async stop(): Promise<void> {
    this.#started = false;
    const entries = [...this.#entries.values()];
    for (const e of entries) e.abort.abort(new Error('the scheduler stopped'));
    await Promise.all(entries.map(async (e) => {
      await e.loop;
      await e.running;
      e.loop = undefined;
      e.nextRunAt = undefined;
      e.abort = new AbortController();
    }));
  }

  add(def: CheckDefinition): void {
    if (this.#entries.has(def.name)) throw new Error(`a check named ${JSON.stringify(def.name)} is already scheduled`);
    const e: Entry = { def, offset: offsetOf(def), abort: new AbortController(), runs: 0, skipped: 0 };
    this.#entries.set(def.name, e);
    if (this.#started) this.#startLoop(e);
  }

  async remove(name: string): Promise<void> {
    const e = this.#entries.get(name);
    if (e === undefined) return;
    this.#entries.delete(name);
    e.abort.abort(new Error('the check was removed'));
    await e.loop;
    await e.running;
    await this.#opts.onRemove?.(e.def, e.last);
  }

  /**
   * Replaces the set of checks: new ones are added, missing ones removed, changed ones restarted; an
   * unchanged check keeps its schedule and state.
   */
  async setChecks(defs: readonly CheckDefinition[]): Promise<void> {
    const wanted = new Map(defs.map((d) => [d.name, d]));
    for (const [name, e] of [...this.#entries]) {
      const d = wanted.get(name);
      if (d === undefined || fingerprint(d) !== fingerprint(e.def)) await this.remove(name);
    }
    for (const d of defs) if (!this.#entries.has(d.name)) this.add(d);
  }

  /** Runs the check now (outside its grid); while a run is in flight, returns that run's result instead. */
  async runNow(name: string): Promise<CheckResult | undefined> {
    const e = this.#entries.get(name);
    if (e === undefined) return undefined;
    return this.#execute(e, this.#opts.clock.now());
  }

  schedule(name: string): CheckSchedule | undefined {
    const e = this.#entries.get(name);
    if (e === undefined) return undefined;
    return {
      check: name, offsetMs: e.offset, running: e.running !== undefined, runs: e.runs, skipped: e.skipped,
      ...(e.nextRunAt === undefined ? {} : { nextRunAt: e.nextRunAt }),
    };
  }

  checks(): CheckDefinition[] {
    return [...this.#entries.values()].map((e) => e.def);
  }

  #startLoop(e: Entry): void {
    e.loop ??= this.#loop(e);
  }

  async #loop(e: Entry): Promise<void> {
    const { clock } = this.#opts;
    const interval = e.def.intervalMs;
    let slot = slotAtOrAfter(clock.now(), interval, e.offset);
    const signal = e.abort.signal;
    while (!signal.aborted) {
      e.nextRunAt = slot;
      try {
        await clock.sleepUntil(slot, signal);
      } catch {
        return;
      }
      e.nextRunAt = undefined;
      await this.#execute(e, slot);
      if (signal.aborted) return;
      const now = clock.now();
      let next = slot + interval;
      if (next < now) {
        const missed = Math.ceil((now - next) / interval);
        e.skipped += missed;
        next += missed * interval;
      }
      slot = next;
    }
  }

  #execute(e: Entry, due: number): Promise<CheckResult | undefined> {
    if (e.running !== undefined) return e.running;
    const signal = e.abort.signal;
    const p = (async () => {
      await this.#acquire(due);
      try {
        if (signal.aborted) return undefined;
        let result: CheckResult;
        try {
          result = await this.#opts.run(e.def, signal);
        } catch (err) {
          this.#opts.onError?.(e.def, err);
          return undefined;
        }
        // A run cut short by stop() or remove() says nothing about the target: it is not recorded.
        if (signal.aborted) return undefined;
        e.runs++;
        e.last = result;
        try {
          await this.#opts.onResult?.(e.def, result);
        } catch (err) {
          this.#opts.onError?.(e.def, err);
        }
        return result;
      } finally {
        this.#release();
      }
    })();
    e.running = p.finally(() => {
      e.running = undefined;
    });
    return e.running;
  }

  #acquire(due: number): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((go) => {
      this.#waiting.push({ at: due, seq: this.#seq++, go });
      this.#waiting.sort((a, b) => a.at - b.at || a.seq - b.seq);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next.go();
    else this.#active--;
  }
}

/** Compares definitions by value (regexes by source and flags). */
function fingerprint(def: CheckDefinition): string {
  return JSON.stringify(def, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));
}
