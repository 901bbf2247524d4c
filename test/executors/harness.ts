/**
 * A fake environment for executors: FakeClock time, fake VUs whose iterations sleep for a configurable time
 * (and can be interrupted), and a record of everything the executor did.
 */
import { FakeClock } from '../../src/load/clock.ts';
import { createExecutor } from '../../src/load/executors/index.ts';
import type { Executor, ExecutorContext, ExecutorVu, IterationResult, ScenarioConfig, Segment } from '../../src/load/types.ts';

export const T0 = 1_700_000_000_000;

export interface IterationRecord {
  vu: number;
  start: number;
  intendedStart?: number;
  end?: number;
  interrupted: boolean;
}

export interface HarnessOptions {
  /** Iteration duration in ms: fixed, or per VU id and per-VU iteration number. */
  iterationMs: number | ((vu: number, n: number) => number);
  segment?: Segment;
  /** Scenario start relative to T0. */
  startOffsetMs?: number;
  /** Time a VU takes to initialize when acquireVu has to create one. */
  vuInitMs?: number;
  /** VUs created up front (what the instance pre-initializes). */
  preInitialized?: number;
  /** First VU id, to keep ids of several workers apart. */
  firstVuId?: number;
  /** Makes runIteration reject (a broken VU, not a script error) for these iterations. */
  breakOn?: (vu: number, n: number) => boolean;
  /**
   * Iterations sleep in two halves, so one that ends at the same instant as a scheduler wake-up registered
   * before its second half is woken after it (like a response handled later in the same event-loop turn).
   */
  splitSleeps?: boolean;
}

export class Harness {
  readonly clock = new FakeClock(T0);
  readonly records: IterationRecord[] = [];
  readonly drops: { time: number; count: number }[] = [];
  readonly activeSamples: { time: number; active: number }[] = [];
  readonly abort = new AbortController();
  /** VU ids currently held by the executor. */
  readonly held = new Set<number>();
  interrupts = 0;
  created = 0;
  maxHeld = 0;
  violations: string[] = [];
  private interruptCtl = new AbortController();
  private readonly free: FakeVu[] = [];
  private nextId: number;
  readonly ctx: ExecutorContext;
  readonly opts: HarnessOptions;

  constructor(opts: HarnessOptions) {
    this.opts = opts;
    this.nextId = opts.firstVuId ?? 1;
    for (let i = 0; i < (opts.preInitialized ?? 0); i++) this.free.push(this.newVu());
    this.ctx = {
      clock: this.clock,
      segment: opts.segment ?? { index: 0, count: 1 },
      startTime: T0 + (opts.startOffsetMs ?? 0),
      signal: this.abort.signal,
      acquireVu: async () => {
        let vu = this.free.pop();
        if (!vu) {
          if (opts.vuInitMs) await this.clock.sleep(opts.vuInitMs);
          vu = this.newVu();
        }
        if (this.held.has(vu.id)) this.violations.push(`VU ${vu.id} handed out twice`);
        this.held.add(vu.id);
        this.maxHeld = Math.max(this.maxHeld, this.held.size);
        return vu;
      },
      releaseVu: (vu) => {
        if (!this.held.delete(vu.id)) this.violations.push(`VU ${vu.id} released but not held`);
        if ((vu as FakeVu).running) this.violations.push(`VU ${vu.id} released while running`);
        this.free.push(vu as FakeVu);
      },
      droppedIteration: (time, count = 1) => {
        this.drops.push({ time, count });
      },
      activeVusChanged: (active) => {
        this.activeSamples.push({ time: this.clock.now(), active });
      },
      interruptVus: () => {
        this.interrupts++;
        this.interruptCtl.abort();
        this.interruptCtl = new AbortController();
      },
    };
  }

  get interruptSignal(): AbortSignal {
    return this.interruptCtl.signal;
  }

  private newVu(): FakeVu {
    this.created++;
    return new FakeVu(this.nextId++, this);
  }

  /** Runs the scenario to completion, advancing fake time by `totalMs` (in `stepMs` steps, if given). */
  async run(config: ScenarioConfig, totalMs: number, stepMs?: number): Promise<Executor> {
    const executor = createExecutor(config, this.ctx);
    let settled = false;
    const p = executor.run().finally(() => (settled = true));
    await advance(this.clock, totalMs, stepMs);
    if (!settled) throw new Error(`executor still running after ${totalMs}ms (pending sleepers: ${this.clock.pending})`);
    await p;
    return executor;
  }

  /** Number of VUs that were busy at `t` (relative to T0), from the activeVusChanged reports. */
  activeAt(t: number): number {
    let active = 0;
    for (const s of this.activeSamples) if (s.time <= T0 + t) active = s.active;
    return active;
  }

  /** Number of VUs whose iterations overlap time `t` (relative to T0). */
  runningAt(t: number): number {
    const at = T0 + t;
    return this.records.filter((r) => r.start <= at && (r.end === undefined || r.end > at)).length;
  }

  startsRelative(): number[] {
    return this.records.map((r) => r.start - T0);
  }
}

export async function advance(clock: FakeClock, totalMs: number, stepMs?: number): Promise<void> {
  if (!stepMs) return clock.advance(totalMs);
  for (let t = 0; t < totalMs; t += stepMs) await clock.advance(Math.min(stepMs, totalMs - t));
}

class FakeVu implements ExecutorVu {
  readonly id: number;
  running = false;
  private n = 0;
  private readonly h: Harness;

  constructor(id: number, h: Harness) {
    this.id = id;
    this.h = h;
  }

  async runIteration(intendedStart?: number, signal?: AbortSignal): Promise<IterationResult> {
    const h = this.h;
    if (this.running) h.violations.push(`VU ${this.id} started an iteration while running one`);
    if (!h.held.has(this.id)) h.violations.push(`VU ${this.id} ran an iteration while not held`);
    this.running = true;
    const record: IterationRecord = { vu: this.id, start: h.clock.now(), intendedStart, interrupted: false };
    h.records.push(record);
    const d = typeof h.opts.iterationMs === 'number' ? h.opts.iterationMs : h.opts.iterationMs(this.id, this.n);
    const broken = h.opts.breakOn?.(this.id, this.n) ?? false;
    this.n++;
    const signals = [h.interruptSignal, h.abort.signal];
    if (signal) signals.push(signal);
    try {
      const stop = AbortSignal.any(signals);
      if (h.opts.splitSleeps) {
        await h.clock.sleep(d / 2, stop);
        await h.clock.sleep(d - d / 2, stop);
      } else {
        await h.clock.sleep(d, stop);
      }
    } catch {
      record.interrupted = true;
      return { ok: false };
    } finally {
      record.end = h.clock.now();
      this.running = false;
    }
    if (broken) throw new Error(`VU ${this.id} broke`);
    return { ok: true };
  }
}

export function base(name = 's') {
  return { name, exec: 'default', startTimeMs: 0, gracefulStopMs: 30_000, env: {}, tags: {} };
}
