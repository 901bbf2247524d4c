import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/load/executors/index.ts';
import { rampingVuSteps } from '../../src/load/executors/ramping-steps.ts';
import type { RampingVusConfig, Stage } from '../../src/load/types.ts';
import { Harness, T0, base } from './harness.ts';

const s = (durationMs: number, target: number): Stage => ({ durationMs, target });

const ramping = (startVUs: number, stages: Stage[], gracefulRampDownMs = 30_000, gracefulStopMs = 30_000): RampingVusConfig => ({
  ...base(),
  gracefulStopMs,
  executor: 'ramping-vus',
  startVUs,
  stages,
  gracefulRampDownMs,
});

describe('ramping-vus steps (k6 rounding)', () => {
  it('ramps up when the line reaches each whole VU, down when it reaches the count below', () => {
    expect([...rampingVuSteps(0, [s(3000, 3), s(3000, 0)])]).toEqual([
      { offsetMs: 0, vus: 0 },
      { offsetMs: 1000, vus: 1 },
      { offsetMs: 2000, vus: 2 },
      { offsetMs: 3000, vus: 3 },
      { offsetMs: 4000, vus: 2 },
      { offsetMs: 5000, vus: 1 },
      { offsetMs: 6000, vus: 0 },
    ]);
  });

  it('a 0s stage jumps at once; changes at one instant keep only the last', () => {
    expect([...rampingVuSteps(5, [s(0, 2), s(0, 8), s(1000, 8), s(0, 0)])]).toEqual([
      { offsetMs: 0, vus: 8 },
      { offsetMs: 1000, vus: 0 },
    ]);
    expect([...rampingVuSteps(1, [s(0, 0), s(0, 1), s(1000, 1)])]).toEqual([{ offsetMs: 0, vus: 1 }]);
  });
});

describe('ramping-vus', () => {
  it('the number of looping VUs follows the stages', async () => {
    const h = new Harness({ iterationMs: 100 });
    await h.run(ramping(0, [s(10_000, 10), s(10_000, 10), s(10_000, 0)]), 40_000);
    const expected: [number, number][] = [
      [50, 0], [1050, 1], [5550, 5], [9950, 9], [10_050, 10], [15_000, 10], [20_050, 10],
      [21_050, 9], [25_550, 5], [29_050, 1], [29_950, 1], [30_050, 0],
    ];
    for (const [t, n] of expected) expect([t, h.runningAt(t)]).toEqual([t, n]);
    expect(h.maxHeld).toBe(10);
    expect(h.records.every((r) => !r.interrupted)).toBe(true);
    expect(h.held.size).toBe(0);
    expect(h.violations).toEqual([]);
    expect(h.clock.pending).toBe(0);
  });

  it('ramps up one VU at each whole step, with its first iteration then', async () => {
    const h = new Harness({ iterationMs: 250 });
    await h.run(ramping(0, [s(3000, 3), s(2000, 3)]), 10_000);
    const firstStart = new Map<number, number>();
    for (const r of h.records) if (!firstStart.has(r.vu)) firstStart.set(r.vu, r.start - T0);
    expect([...firstStart.values()]).toEqual([1000, 2000, 3000]);
  });

  it('a ramped-down VU past gracefulRampDown is interrupted; without gracefulRampDown at once', async () => {
    const h = new Harness({ iterationMs: 10_000 });
    await h.run(ramping(3, [s(3000, 0)], 0), 20_000);
    expect(h.records.map((r) => [r.start - T0, r.end! - T0, r.interrupted])).toEqual([
      [0, 3000, true],
      [0, 2000, true],
      [0, 1000, true],
    ]);
    expect(h.interrupts).toBe(0);
  });

  it('gracefulRampDown lets a ramped-down VU finish its iteration, then interrupts it', async () => {
    const h = new Harness({ iterationMs: (vu, n) => (n === 0 ? [5000, 2500][vu - 1] : 100_000) });
    await h.run(ramping(2, [s(2000, 0), s(10_000, 0)], 2000), 30_000);
    // VU 2 ramped down at 1000, finishes at 2500 (before 3000); VU 1 ramped down at 2000, cut at 4000.
    expect(h.records.map((r) => [r.vu, r.start - T0, r.end! - T0, r.interrupted])).toEqual([
      [1, 0, 4000, true],
      [2, 0, 2500, false],
    ]);
    expect(h.activeAt(3000)).toBe(1);
    expect(h.activeAt(4000)).toBe(0);
  });

  it('a VU ramped back up before it stopped just goes on', async () => {
    const h = new Harness({ iterationMs: 3000 });
    await h.run(ramping(2, [s(1000, 2), s(0, 1), s(1000, 1), s(0, 2), s(3000, 2)]), 20_000);
    expect(h.created).toBe(2);
    expect(h.records.map((r) => [r.vu, r.start - T0, r.interrupted])).toEqual([
      [1, 0, false],
      [2, 0, false],
      [1, 3000, false],
      [2, 3000, false],
    ]);
  });

  it('a 0s stage jumps at once', async () => {
    const h = new Harness({ iterationMs: 300 });
    await h.run(ramping(0, [s(0, 5), s(1000, 5), s(0, 0), s(1000, 0)]), 5000);
    expect(h.records.filter((r) => r.start === T0)).toHaveLength(5);
    // 0, 300, 600, 900 on each VU; the one from 900 finishes (gracefulRampDown) at 1200
    expect(h.records).toHaveLength(20);
    expect(h.records.every((r) => !r.interrupted)).toBe(true);
    expect(h.runningAt(1100)).toBe(5);
    expect(h.runningAt(1250)).toBe(0);
  });

  it('at the end every VU gets gracefulStop, then is interrupted', async () => {
    const h = new Harness({ iterationMs: (vu) => (vu === 1 ? 1600 : 10_000) });
    await h.run(ramping(2, [s(2000, 2)], 30_000, 1000), 20_000);
    // VU 1: 0, 1600 (would end at 3200, after 2000 + 1000: interrupted); VU 2: 0 (interrupted at 3000)
    expect(h.records.map((r) => [r.vu, r.start - T0, r.end! - T0, r.interrupted])).toEqual([
      [1, 0, 1600, false],
      [2, 0, 3000, true],
      [1, 1600, 3000, true],
    ]);
    expect(h.interrupts).toBe(1);
    expect(h.held.size).toBe(0);
  });

  it('gracefulStop cuts gracefulRampDown short', async () => {
    const h = new Harness({ iterationMs: 100_000 });
    await h.run(ramping(2, [s(1000, 1), s(1000, 1)], 60_000, 5000), 120_000);
    expect(h.records.map((r) => r.end! - T0)).toEqual([7000, 7000]);
  });

  it('progress by time, and abort stops at once', async () => {
    const h = new Harness({ iterationMs: 1000 });
    const ex = createExecutor(ramping(1, [s(10_000, 5)]), h.ctx);
    let done = false;
    const p = ex.run().then(() => (done = true));
    await h.clock.advance(4000);
    expect(ex.progress()).toBeCloseTo(0.4);
    h.abort.abort();
    await h.clock.advance(0);
    expect(done).toBe(true);
    await p;
    expect(ex.progress()).toBe(1);
    expect(h.held.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it('a broken VU stops the scenario and run() rejects', async () => {
    const h = new Harness({ iterationMs: 500, breakOn: (vu, n) => vu === 1 && n === 2 });
    const outcome = createExecutor(ramping(2, [s(60_000, 2)]), h.ctx).run().then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await h.clock.advance(5000);
    expect(await outcome).toBe('VU 1 broke');
    expect(h.held.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });
});
