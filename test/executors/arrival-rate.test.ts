import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/load/executors/index.ts';
import type { ConstantArrivalRateConfig, RampingArrivalRateConfig, Stage } from '../../src/load/types.ts';
import { Harness, T0, base } from './harness.ts';

const constant = (o: Partial<ConstantArrivalRateConfig> & { rate: number; durationMs: number; preAllocatedVUs: number }): ConstantArrivalRateConfig => ({
  ...base(),
  executor: 'constant-arrival-rate',
  timeUnitMs: 1000,
  maxVUs: o.preAllocatedVUs,
  ...o,
});

const ramping = (startRate: number, stages: Stage[], vus = 100, timeUnitMs = 1000): RampingArrivalRateConfig => ({
  ...base(),
  executor: 'ramping-arrival-rate',
  startRate,
  stages,
  timeUnitMs,
  preAllocatedVUs: vus,
  maxVUs: vus,
});

/** Iterations due by `t` ms under the rate curve, integrated stage by stage. */
function dueBy(t: number, startRate: number, stages: Stage[], timeUnitMs: number): number {
  let from = startRate;
  let at = 0;
  let due = 0;
  for (const st of stages) {
    const span = Math.min(Math.max(t - at, 0), st.durationMs);
    if (st.durationMs > 0) due += (from * span + ((st.target - from) * span * span) / (2 * st.durationMs)) / timeUnitMs;
    at += st.durationMs;
    from = st.target;
  }
  return due;
}

describe('constant-arrival-rate', () => {
  it('starts rate iterations per timeUnit at evenly spaced times, intendedStart = schedule', async () => {
    const h = new Harness({ iterationMs: 50 });
    const ex = await h.run(constant({ rate: 10, durationMs: 2000, preAllocatedVUs: 2 }), 5000);
    expect(h.startsRelative()).toEqual(Array.from({ length: 20 }, (_, k) => k * 100));
    expect(h.records.every((r) => r.intendedStart === r.start)).toBe(true);
    expect(h.drops).toEqual([]);
    expect(h.created).toBe(2);
    expect(h.held.size).toBe(0);
    expect(h.violations).toEqual([]);
    expect(ex.progress()).toBe(1);
    expect(h.clock.pending).toBe(0);
  });

  it('lasts its whole duration even when the last iteration is due early', async () => {
    const h = new Harness({ iterationMs: 100 });
    const ex = createExecutor(constant({ rate: 1, timeUnitMs: 10_000, durationMs: 10_000, preAllocatedVUs: 1 }), h.ctx);
    let done = false;
    const p = ex.run().then(() => (done = true));
    await h.clock.advance(9_999);
    expect(done).toBe(false);
    expect(h.records).toHaveLength(1);
    await h.clock.advance(1);
    expect(done).toBe(true);
    await p;
  });

  it('without VUs there is no work at all, as in k6', async () => {
    const h = new Harness({ iterationMs: 100 });
    await h.run(constant({ rate: 10, durationMs: 10_000, preAllocatedVUs: 0 }), 0);
    expect(h.records).toEqual([]);
    expect(h.drops).toEqual([]);
  });

  it('honours timeUnit', async () => {
    const h = new Harness({ iterationMs: 10 });
    await h.run(constant({ rate: 3, timeUnitMs: 60_000, durationMs: 60_000, preAllocatedVUs: 1 }), 100_000);
    expect(h.startsRelative()).toEqual([0, 20_000, 40_000]);
  });

  it('drops iterations when all maxVUs are busy', async () => {
    const h = new Harness({ iterationMs: 350 });
    await h.run(constant({ rate: 10, durationMs: 1000, preAllocatedVUs: 2 }), 5000);
    expect(h.drops.map((d) => d.time - T0)).toEqual([200, 300, 600, 700]);
    expect(h.drops.every((d) => d.count === 1)).toBe(true);
    expect(h.startsRelative()).toEqual([0, 100, 400, 500, 800, 900]);
    expect(h.activeSamples.every((s) => s.active <= 2)).toBe(true);
    expect(h.violations).toEqual([]);
  });

  it('gives an iteration to a VU that finishes in the same turn instead of dropping it', async () => {
    // One VU, iterations of exactly 100 ms at 10/s: each one ends when the next is due. With a shared event loop
    // the scheduler can run first; the iteration waits for the turn's I/O and gets the VU, as k6's concurrent VUs would.
    const h = new Harness({ iterationMs: 100, splitSleeps: true });
    await h.run(constant({ rate: 10, durationMs: 1000, preAllocatedVUs: 1, maxVUs: 1 }), 5000);
    expect(h.drops).toEqual([]);
    expect(h.startsRelative()).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(h.violations).toEqual([]);
  });

  it('like k6, drops the iteration that finds no VU while one more initializes, one at a time, up to maxVUs', async () => {
    const h = new Harness({ iterationMs: 250, vuInitMs: 150, preInitialized: 1 });
    await h.run(constant({ rate: 10, durationMs: 2000, preAllocatedVUs: 1, maxVUs: 3 }), 10_000);
    expect(h.drops.map((d) => d.time - T0)).toEqual([100, 200, 500]);
    expect(h.created).toBe(3);
    expect(h.maxHeld).toBe(3);
    expect(h.records).toHaveLength(20 - 3);
    expect(h.records.every((r) => r.intendedStart === r.start)).toBe(true);
    expect(h.violations).toEqual([]);
    expect(h.held.size).toBe(0);
  });

  it('starts everything that is due at once when it wakes late, each with its own intended start', async () => {
    const h = new Harness({ iterationMs: 50 });
    const ex = createExecutor(constant({ rate: 10, durationMs: 2000, preAllocatedVUs: 20 }), h.ctx);
    await h.clock.advance(1000); // the executor starts a second late
    const p = ex.run();
    await h.clock.advance(5000);
    await p;
    expect(h.records).toHaveLength(20);
    const late = h.records.slice(0, 11);
    expect(late.every((r) => r.start === T0 + 1000)).toBe(true);
    expect(late.map((r) => r.intendedStart! - T0)).toEqual(Array.from({ length: 11 }, (_, k) => k * 100));
    expect(h.records.slice(11).every((r) => r.start === r.intendedStart)).toBe(true);
    expect(h.drops).toEqual([]);
  });

  it('sustains 5,000 iterations/s', async () => {
    const h = new Harness({ iterationMs: 20 });
    const started = performance.now();
    await h.run(constant({ rate: 5000, durationMs: 2000, preAllocatedVUs: 120 }), 3000, 500);
    expect(h.records).toHaveLength(10_000);
    expect(h.drops).toEqual([]);
    expect(h.records[9999].start - T0).toBeCloseTo(1999.8);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('gracefulStop: a short iteration finishes, a long one is interrupted at duration + gracefulStop', async () => {
    const h = new Harness({ iterationMs: (vu) => (vu === 1 ? 1500 : 5000) });
    await h.run(constant({ rate: 1, durationMs: 2000, preAllocatedVUs: 2, gracefulStopMs: 1000 }), 10_000);
    expect(h.records.map((r) => [r.start - T0, r.end! - T0, r.interrupted])).toEqual([
      [0, 1500, false],
      [1000, 3000, true],
    ]);
    expect(h.interrupts).toBe(1);
  });

  it('stops promptly on abort and reports no drops after it', async () => {
    const h = new Harness({ iterationMs: 1000 });
    const ex = createExecutor(constant({ rate: 10, durationMs: 60_000, preAllocatedVUs: 5 }), h.ctx);
    let done = false;
    const p = ex.run().then(() => (done = true));
    await h.clock.advance(950);
    expect(ex.progress()).toBeCloseTo(950 / 60_000);
    h.abort.abort();
    await h.clock.advance(0);
    expect(done).toBe(true);
    await p;
    expect(h.records).toHaveLength(5);
    expect(h.drops).toHaveLength(5);
    expect(h.held.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it('a worker starts only its share; workers together start the whole schedule', async () => {
    const all: number[] = [];
    for (let index = 0; index < 3; index++) {
      const h = new Harness({ iterationMs: 10, segment: { index, count: 3 } });
      await h.run(constant({ rate: 30, durationMs: 1000, preAllocatedVUs: 3 }), 2000);
      expect(h.created).toBe(1);
      all.push(...h.records.map((r) => r.intendedStart! - T0));
    }
    // epoch-ms floats resolve about 0.24µs
    all.sort((a, b) => a - b).forEach((t, k) => expect(t).toBeCloseTo((k * 1000) / 30, 3));
    expect(all).toHaveLength(30);
  });
});

describe('arrival-rate with a broken VU', () => {
  it('stops scheduling, gives the VUs back and rejects', async () => {
    const h = new Harness({ iterationMs: 50, breakOn: (_vu, n) => n === 3 });
    const ex = createExecutor(constant({ rate: 10, durationMs: 60_000, preAllocatedVUs: 1 }), h.ctx);
    const outcome = ex.run().then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await h.clock.advance(1000);
    expect(await outcome).toBe('VU 1 broke');
    expect(h.records).toHaveLength(4);
    expect(h.held.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });
});

describe('ramping-arrival-rate', () => {
  it('a constant stage starts iterations when each is due (the first after one interval)', async () => {
    const h = new Harness({ iterationMs: 10 });
    await h.run(ramping(10, [s(1000, 10)]), 3000);
    expect(h.startsRelative()).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(h.records.every((r) => r.intendedStart === r.start)).toBe(true);
  });

  it('a linear ramp starts iteration k when the integral of the rate reaches k', async () => {
    const stages = [s(10_000, 10), s(5000, 10), s(10_000, 0)];
    const h = new Harness({ iterationMs: 10 });
    await h.run(ramping(0, stages), 40_000);
    // 50 + 50 + 50 iterations
    expect(h.records).toHaveLength(150);
    h.records.forEach((r, k) => expect(dueBy(r.start - T0, 0, stages, 1000)).toBeCloseTo(k + 1, 4));
    expect(h.records[0].start - T0).toBeCloseTo(Math.SQRT2 * 1000, 3);
    expect(h.records[149].start - T0).toBeCloseTo(25_000, 3);
  });

  it('a 0s stage jumps at once', async () => {
    const h = new Harness({ iterationMs: 10 });
    await h.run(ramping(0, [s(0, 10), s(1000, 10), s(0, 0), s(1000, 0), s(0, 20), s(500, 20)]), 5000);
    expect(h.startsRelative()).toEqual([
      ...Array.from({ length: 10 }, (_, k) => (k + 1) * 100),
      ...Array.from({ length: 10 }, (_, k) => 2000 + (k + 1) * 50),
    ]);
  });

  it('uses timeUnit and ramps down', async () => {
    const h = new Harness({ iterationMs: 10 });
    await h.run(ramping(60, [s(60_000, 0)], 10, 60_000), 100_000);
    expect(h.records).toHaveLength(30);
    h.records.forEach((r, k) => expect(dueBy(r.start - T0, 60, [s(60_000, 0)], 60_000)).toBeCloseTo(k + 1, 4));
  });

  it('drops when out of VUs, like the constant one', async () => {
    const h = new Harness({ iterationMs: 1000 });
    await h.run(ramping(10, [s(1000, 10)], 3), 5000);
    expect(h.records).toHaveLength(3);
    expect(h.drops).toHaveLength(7);
  });
});

function s(durationMs: number, target: number): Stage {
  return { durationMs, target };
}
