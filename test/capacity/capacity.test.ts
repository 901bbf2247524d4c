import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findCapacity, judgeRun, type CapacityRunResult, type CapacityStep } from '../../src/load/capacity.ts';
import { TelltaleError } from '../../src/errors.ts';

/** A service that meets its thresholds up to `limit` req/s and the generator delivers whatever is asked. */
function breaksAbove(limit: number): (rate: number) => Promise<CapacityRunResult> {
  return async (rate) => ({ passed: rate <= limit, achievedRate: rate, dropped: 0 });
}

/** Deterministic PRNG (mulberry32) so noisy runs repeat exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runBound(start: number, max: number, growth: number, precision: number): number {
  const probes = Math.ceil(Math.log(max / start) / Math.log(growth)) + 1;
  const bisects = Math.ceil(Math.log2((growth - 1) / precision)) + 1;
  return probes + bisects;
}

describe('findCapacity', () => {
  it('finds a sharp limit within the precision', async () => {
    const res = await findCapacity(breaksAbove(1300), { startRate: 100, maxRate: 10_000 });
    expect(res.capacity).not.toBeNull();
    expect(res.capacity!).toBeLessThanOrEqual(1300);
    expect(res.capacity!).toBeGreaterThanOrEqual(1300 * 0.95);
    expect(res.upperBound!).toBeGreaterThan(1300);
    expect(res.upperBound! - res.capacity!).toBeLessThanOrEqual(Math.max(0.05 * res.capacity!, 1));
    expect(res.limitedByMax).toBe(false);
  });

  it('probes geometrically, then bisects', async () => {
    const res = await findCapacity(breaksAbove(1300), { startRate: 100, maxRate: 10_000 });
    const probes = res.steps.filter((s) => s.phase === 'probe');
    expect(probes.map((s) => s.rate)).toEqual([100, 200, 400, 800, 1600]);
    expect(probes.map((s) => s.passed)).toEqual([true, true, true, true, false]);
    const bisects = res.steps.filter((s) => s.phase === 'bisect').map((s) => s.rate);
    expect(bisects[0]).toBe(1200);
    expect(res.steps.map((s) => s.index)).toEqual(res.steps.map((_, i) => i + 1));
    // Every bisection rate lies strictly inside the interval known at the time.
    let lo = 800;
    let hi = 1600;
    for (const s of res.steps.filter((st) => st.phase === 'bisect')) {
      expect(s.rate).toBeGreaterThan(lo);
      expect(s.rate).toBeLessThan(hi);
      if (s.passed) lo = s.rate;
      else hi = s.rate;
    }
    expect(res.capacity).toBe(lo);
  });

  it('reports each step through onStep as it happens', async () => {
    const seen: CapacityStep[] = [];
    const res = await findCapacity(breaksAbove(500), { startRate: 50, maxRate: 5000 }, (s) => seen.push(s));
    expect(seen).toEqual(res.steps);
  });

  it('records the runner\'s figures and the verdict on each step', async () => {
    const res = await findCapacity(
      async (rate) => ({ passed: rate < 300, achievedRate: rate - 1, p95: rate / 10, errorRate: 0.001, dropped: 0 }),
      { startRate: 100, maxRate: 1000 },
    );
    expect(res.steps[0]).toEqual({
      index: 1, phase: 'probe', rate: 100, passed: true, thresholdsPassed: true, achievedRate: 99, p95: 10, errorRate: 0.001, dropped: 0,
    });
    const failed = res.steps.find((s) => !s.passed)!;
    expect(failed).toMatchObject({ rate: 400, thresholdsPassed: false, failure: 'thresholds', reason: 'thresholds failed (p95 40ms, errors 0.1%)' });
  });

  it('returns null capacity when the start rate already fails', async () => {
    const res = await findCapacity(breaksAbove(10), { startRate: 50, maxRate: 5000 });
    expect(res.capacity).toBeNull();
    expect(res.upperBound).toBe(50);
    expect(res.steps).toHaveLength(1);
    expect(res.note).toMatch(/start rate/);
  });

  it('stops at maxRate with a "not reached" note', async () => {
    const res = await findCapacity(breaksAbove(1_000_000), { startRate: 100, maxRate: 1000 });
    expect(res.capacity).toBe(1000);
    expect(res.limitedByMax).toBe(true);
    expect(res.upperBound).toBeNull();
    expect(res.note).toMatch(/not reached/);
    expect(res.steps.map((s) => s.rate)).toEqual([100, 200, 400, 800, 1000]);
  });

  it('bisects below maxRate when maxRate itself fails', async () => {
    const res = await findCapacity(breaksAbove(900), { startRate: 100, maxRate: 1000 });
    expect(res.limitedByMax).toBe(false);
    expect(res.capacity!).toBeLessThanOrEqual(900);
    expect(res.capacity!).toBeGreaterThanOrEqual(855);
    expect(Math.max(...res.steps.map((s) => s.rate))).toBe(1000);
  });

  it('startRate equal to maxRate runs once', async () => {
    const res = await findCapacity(breaksAbove(500), { startRate: 200, maxRate: 200 });
    expect(res.steps).toHaveLength(1);
    expect(res.capacity).toBe(200);
    expect(res.limitedByMax).toBe(true);
  });

  it('does not read an under-delivering generator as capacity', async () => {
    // The service never fails its thresholds, but the generator tops out at 700 req/s.
    const res = await findCapacity(async (rate) => ({ passed: true, achievedRate: Math.min(rate, 700), dropped: 0 }), {
      startRate: 100,
      maxRate: 10_000,
    });
    expect(res.capacity!).toBeLessThanOrEqual(700 / 0.95);
    expect(res.capacity!).toBeGreaterThanOrEqual(700);
    const failed = res.steps.filter((s) => !s.passed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((s) => s.failure === 'delivery')).toBe(true);
    expect(failed[0].reason).toMatch(/delivered 700 of \d+ req\/s/);
  });

  it('treats dropped iterations as failure beyond a tiny tolerance', async () => {
    const res = await findCapacity(async (rate) => ({ passed: true, achievedRate: rate, dropped: rate > 640 ? 25 : 0 }), {
      startRate: 10,
      maxRate: 10_000,
    });
    expect(res.capacity!).toBeLessThanOrEqual(640);
    expect(res.capacity!).toBeGreaterThanOrEqual(608);
    expect(res.steps.filter((s) => !s.passed).every((s) => s.failure === 'dropped')).toBe(true);
  });

  it('is monotonic: a stronger service never gets a lower capacity', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), async (a, extra) => {
        const b = a + extra;
        const opts = { startRate: 1, maxRate: 50_000 };
        const ca = (await findCapacity(breaksAbove(a), opts)).capacity!;
        const cb = (await findCapacity(breaksAbove(b), opts)).capacity!;
        return ca <= cb && ca <= a && cb <= b;
      }),
      { numRuns: 200 },
    );
  });

  it('lands within precision (or minStep) below a sharp limit, for any limit and options', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(1.5, 2, 3, 4),
        fc.constantFrom(0.01, 0.05, 0.1, 0.25),
        fc.constantFrom(1, 5, 20),
        async (limit, start, growth, precision, minStep) => {
          const maxRate = 200_000;
          const res = await findCapacity(breaksAbove(limit), { startRate: start, maxRate, growth, precision, minStep });
          if (limit < start) return res.capacity === null && res.steps.length === 1;
          const cap = res.capacity!;
          const slack = Math.max(precision * cap, minStep, 1);
          return cap <= limit && limit - cap <= slack && res.steps.length <= runBound(start, maxRate, growth, precision);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('needs about log2(max/start) + log2(1/precision) runs', async () => {
    for (const limit of [150, 999, 4321, 77_777]) {
      const res = await findCapacity(breaksAbove(limit), { startRate: 100, maxRate: 100_000 });
      expect(res.steps.length).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)) + 1 + Math.ceil(Math.log2(1 / 0.05)) + 1);
    }
    const fine = await findCapacity(breaksAbove(4321), { startRate: 100, maxRate: 100_000, precision: 0.001 });
    expect(fine.capacity!).toBeGreaterThanOrEqual(4321 - 5);
    expect(fine.steps.length).toBeLessThanOrEqual(7 + Math.ceil(Math.log2(1000)) + 1);
  });

  it('never runs two rates closer than minStep', async () => {
    const res = await findCapacity(breaksAbove(37), { startRate: 5, maxRate: 1000, precision: 0.001, minStep: 3 });
    const rates = [...new Set(res.steps.map((s) => s.rate))].sort((x, y) => x - y);
    expect(rates.length).toBe(res.steps.length);
    expect(res.upperBound! - res.capacity!).toBeLessThanOrEqual(3);
    expect(res.steps.every((s) => Number.isInteger(s.rate))).toBe(true);
  });

  it('stays deterministic and bounded with a noisy service', async () => {
    // Near the limit results flip at random: each run at rate r passes with a probability falling from
    // 1 at 0.9*limit to 0 at 1.1*limit, and achieved rate wobbles by up to 3%.
    const noisy = (limit: number, seed: number) => {
      const rand = rng(seed);
      return async (rate: number): Promise<CapacityRunResult> => {
        const pPass = Math.min(1, Math.max(0, (1.1 * limit - rate) / (0.2 * limit)));
        return { passed: rand() < pPass, achievedRate: rate * (1 - 0.03 * rand()), dropped: 0, p95: 12 };
      };
    };
    for (let seed = 1; seed <= 200; seed++) {
      const limit = 500 + seed * 37;
      const res = await findCapacity(noisy(limit, seed), { startRate: 50, maxRate: 50_000 });
      const again = await findCapacity(noisy(limit, seed), { startRate: 50, maxRate: 50_000 });
      expect(again).toEqual(res);
      expect(res.capacity).not.toBeNull();
      // Capacity is always a rate that passed, and no failing run is below it in the final interval.
      expect(res.steps.some((s) => s.rate === res.capacity && s.passed)).toBe(true);
      expect(res.capacity!).toBeLessThan(1.1 * limit);
      expect(res.upperBound!).toBeGreaterThan(res.capacity!);
      expect(res.steps.length).toBeLessThanOrEqual(runBound(50, 50_000, 2, 0.05));
    }
  });

  it('propagates errors from runAt', async () => {
    await expect(
      findCapacity(async () => {
        throw new Error('boom');
      }, { startRate: 10, maxRate: 100 }),
    ).rejects.toThrow('boom');
  });

  it('validates its options', async () => {
    const bad = [
      { startRate: 0, maxRate: 10 },
      { startRate: 10, maxRate: 5 },
      { startRate: 10, maxRate: 100, growth: 1 },
      { startRate: 10, maxRate: 100, precision: 0 },
      { startRate: 10, maxRate: 100, precision: 1 },
      { startRate: 10, maxRate: 100, minStep: 0 },
      { startRate: Number.NaN, maxRate: 100 },
    ];
    for (const opts of bad) {
      const err = await findCapacity(breaksAbove(50), opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TelltaleError);
      expect((err as TelltaleError).code).toBe('TT_CONFIG_INVALID');
    }
  });
});

describe('judgeRun', () => {
  it('passes a run that met thresholds, delivered the rate and dropped nothing', () => {
    expect(judgeRun(1000, { passed: true, achievedRate: 1000, dropped: 0 })).toEqual({ passed: true });
    expect(judgeRun(1000, { passed: true, achievedRate: 950 })).toEqual({ passed: true });
  });

  it('fails on thresholds first, with the figures it has', () => {
    const v = judgeRun(1000, { passed: false, achievedRate: 10, p95: 812.345, errorRate: 0.0234, dropped: 99 });
    expect(v.failure).toBe('thresholds');
    expect(v.reason).toBe('thresholds failed (p95 812.35ms, errors 2.34%)');
  });

  it('fails when less than 95% of the rate was delivered', () => {
    expect(judgeRun(1000, { passed: true, achievedRate: 949.9 }).failure).toBe('delivery');
    expect(judgeRun(1000, { passed: true, achievedRate: Number.NaN }).failure).toBe('delivery');
    expect(judgeRun(1000, { passed: true, achievedRate: 900 }, { minAchievedRatio: 0.9 }).passed).toBe(true);
  });

  it('tolerates at most max(1, 0.1% of the rate) dropped iterations', () => {
    expect(judgeRun(100, { passed: true, achievedRate: 100, dropped: 1 }).passed).toBe(true);
    expect(judgeRun(100, { passed: true, achievedRate: 100, dropped: 2 }).failure).toBe('dropped');
    expect(judgeRun(5000, { passed: true, achievedRate: 5000, dropped: 5 }).passed).toBe(true);
    expect(judgeRun(5000, { passed: true, achievedRate: 5000, dropped: 6 }).failure).toBe('dropped');
    expect(judgeRun(5000, { passed: true, achievedRate: 5000, dropped: 6 }, { maxDropped: 10 }).passed).toBe(true);
  });
});
