import { describe, expect, it } from 'vitest';
import type { ConstantVusConfig, PerVuIterationsConfig, SharedIterationsConfig } from '../../src/load/types.ts';
import { Harness, T0, base } from './harness.ts';

const constantVus = (vus: number, durationMs: number, gracefulStopMs = 30_000): ConstantVusConfig => ({
  ...base(),
  gracefulStopMs,
  executor: 'constant-vus',
  vus,
  durationMs,
});

const shared = (vus: number, iterations: number, maxDurationMs = 600_000, gracefulStopMs = 30_000): SharedIterationsConfig => ({
  ...base(),
  gracefulStopMs,
  executor: 'shared-iterations',
  vus,
  iterations,
  maxDurationMs,
});

const perVu = (vus: number, iterations: number, maxDurationMs = 600_000, gracefulStopMs = 30_000): PerVuIterationsConfig => ({
  ...base(),
  gracefulStopMs,
  executor: 'per-vu-iterations',
  vus,
  iterations,
  maxDurationMs,
});

describe('constant-vus', () => {
  it('10 VUs x 1s iterations x 10s = 100 iterations, 10 per VU, back to back', async () => {
    const h = new Harness({ iterationMs: 1000 });
    const ex = await h.run(constantVus(10, 10_000), 60_000);
    expect(h.records).toHaveLength(100);
    expect(h.records.every((r) => !r.interrupted)).toBe(true);
    const byVu = new Map<number, number[]>();
    for (const r of h.records) byVu.set(r.vu, [...(byVu.get(r.vu) ?? []), r.start - T0]);
    expect(byVu.size).toBe(10);
    for (const starts of byVu.values()) expect(starts).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect(h.interrupts).toBe(0);
    expect(h.held.size).toBe(0);
    expect(h.violations).toEqual([]);
    expect(ex.progress()).toBe(1);
    expect(h.clock.pending).toBe(0);
  });

  it('reports busy VUs and ends them at the end', async () => {
    const h = new Harness({ iterationMs: 1000 });
    await h.run(constantVus(3, 5000), 10_000);
    expect(h.activeAt(500)).toBe(3);
    expect(h.activeAt(4999)).toBe(3);
    expect(h.activeAt(5000)).toBe(0);
    expect(Math.max(...h.activeSamples.map((s) => s.active))).toBe(3);
  });

  it('an iteration still running at the end finishes within gracefulStop', async () => {
    const h = new Harness({ iterationMs: 3000 });
    await h.run(constantVus(1, 5000, 2000), 20_000);
    // starts at 0 and 3000; the second ends at 6000 < 5000 + 2000
    expect(h.startsRelative()).toEqual([0, 3000]);
    expect(h.records.map((r) => r.interrupted)).toEqual([false, false]);
    expect(h.interrupts).toBe(0);
  });

  it('an iteration longer than duration + gracefulStop is interrupted at that point', async () => {
    const h = new Harness({ iterationMs: 10_000 });
    await h.run(constantVus(2, 5000, 2000), 20_000);
    expect(h.records).toHaveLength(2);
    expect(h.records.every((r) => r.interrupted && r.end === T0 + 7000)).toBe(true);
    expect(h.interrupts).toBe(1);
    expect(h.held.size).toBe(0);
  });

  it('waits for the scenario start time', async () => {
    const h = new Harness({ iterationMs: 1000, startOffsetMs: 5000 });
    const ex = await h.run(constantVus(1, 2000), 10_000);
    expect(h.startsRelative()).toEqual([5000, 6000]);
    expect(ex.progress()).toBe(1);
  });

  it('progress goes with time', async () => {
    const h = new Harness({ iterationMs: 1000 });
    const { createExecutor } = await import('../../src/load/executors/index.ts');
    const ex = createExecutor(constantVus(1, 10_000), h.ctx);
    const p = ex.run();
    await h.clock.advance(2500);
    expect(ex.progress()).toBeCloseTo(0.25);
    await h.clock.advance(20_000);
    await p;
    expect(ex.progress()).toBe(1);
  });

  it('stops promptly when the signal aborts', async () => {
    const h = new Harness({ iterationMs: 1000 });
    const { createExecutor } = await import('../../src/load/executors/index.ts');
    const ex = createExecutor(constantVus(4, 60_000), h.ctx);
    let done = false;
    const p = ex.run().then(() => (done = true));
    await h.clock.advance(2500);
    h.abort.abort();
    await h.clock.advance(0);
    expect(done).toBe(true);
    await p;
    expect(h.records).toHaveLength(12);
    expect(h.records.filter((r) => r.interrupted)).toHaveLength(4);
    expect(h.held.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it('splits VUs between workers', async () => {
    let total = 0;
    for (let index = 0; index < 3; index++) {
      const h = new Harness({ iterationMs: 1000, segment: { index, count: 3 } });
      await h.run(constantVus(10, 10_000), 60_000);
      expect(h.maxHeld).toBe([4, 3, 3][index]);
      total += h.records.length;
    }
    expect(total).toBe(100);
  });
});

describe('shared-iterations', () => {
  it('VUs share the iterations; a faster VU takes more', async () => {
    const h = new Harness({ iterationMs: (vu) => (vu === 1 ? 100 : 300) });
    const ex = await h.run(shared(2, 8), 10_000);
    expect(h.records).toHaveLength(8);
    const vu1 = h.records.filter((r) => r.vu === 1).length;
    expect(vu1).toBe(6);
    expect(h.drops).toEqual([]);
    expect(ex.progress()).toBe(1);
    expect(h.held.size).toBe(0);
    expect(h.violations).toEqual([]);
  });

  it('ends early once the iterations are done', async () => {
    const h = new Harness({ iterationMs: 100 });
    const { createExecutor } = await import('../../src/load/executors/index.ts');
    const ex = createExecutor(shared(5, 50), h.ctx);
    let done = false;
    const p = ex.run().then(() => (done = true));
    await h.clock.advance(1000);
    expect(done).toBe(true);
    await p;
    expect(h.records).toHaveLength(50);
    expect(h.clock.pending).toBe(0);
  });

  it('maxDuration stops new iterations, the rest is dropped, gracefulStop then interrupts', async () => {
    const h = new Harness({ iterationMs: 4000 });
    await h.run(shared(2, 10, 5000, 1000), 20_000);
    // starts at 0 and 4000 on both VUs; those from 4000 run past 5000 + 1000 and are interrupted
    expect(h.startsRelative()).toEqual([0, 0, 4000, 4000]);
    expect(h.records.map((r) => r.interrupted)).toEqual([false, false, true, true]);
    expect(h.records.slice(2).every((r) => r.end === T0 + 6000)).toBe(true);
    expect(h.drops).toEqual([{ time: T0 + 6000, count: 6 }]);
    expect(h.interrupts).toBe(1);
  });

  it('workers get iterations in proportion to their VUs, and none without VUs', async () => {
    const counts: number[] = [];
    for (let index = 0; index < 4; index++) {
      const h = new Harness({ iterationMs: 10, segment: { index, count: 4 } });
      await h.run(shared(2, 7), 1000);
      counts.push(h.records.length);
      if (index >= 2) expect(h.created).toBe(0);
    }
    expect(counts).toEqual([4, 3, 0, 0]);
  });
});

describe('per-vu-iterations', () => {
  it('each VU runs exactly its iterations', async () => {
    const h = new Harness({ iterationMs: (vu) => vu * 100 });
    const ex = await h.run(perVu(3, 4), 10_000);
    expect(h.records).toHaveLength(12);
    for (const vu of [1, 2, 3]) {
      expect(h.records.filter((r) => r.vu === vu).map((r) => r.start - T0)).toEqual([0, 1, 2, 3].map((i) => i * vu * 100));
    }
    expect(ex.progress()).toBe(1);
    expect(h.drops).toEqual([]);
  });

  it('maxDuration cuts the slow VUs; their remaining iterations are dropped', async () => {
    const h = new Harness({ iterationMs: (vu) => (vu === 1 ? 500 : 2000) });
    await h.run(perVu(2, 4, 3000, 0), 10_000);
    // VU 1: 0,500,1000,1500 (done); VU 2: 0,2000 (the second is interrupted at 3000)
    expect(h.records.filter((r) => r.vu === 2).map((r) => [r.start - T0, r.interrupted])).toEqual([
      [0, false],
      [2000, true],
    ]);
    expect(h.drops).toEqual([{ time: T0 + 3000, count: 2 }]);
  });
});

describe('a broken VU', () => {
  it('stops the scenario: other VUs finish their iteration, VUs are given back, run() rejects', async () => {
    const h = new Harness({ iterationMs: 1000, breakOn: (vu, n) => vu === 2 && n === 1 });
    const { createExecutor } = await import('../../src/load/executors/index.ts');
    const ex = createExecutor(constantVus(3, 60_000), h.ctx);
    const p = ex.run();
    const outcome = p.then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await h.clock.advance(5000);
    expect(await outcome).toBe('VU 2 broke');
    // VU 1 had started its third iteration at the same instant; it runs to its end, nothing starts after.
    expect(h.records.map((r) => r.start - T0)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
    expect(h.records.every((r) => !r.interrupted)).toBe(true);
    expect(h.held.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });
});
