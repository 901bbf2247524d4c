import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localVuSteps, rampingVuSteps } from '../../src/load/executors/ramping-steps.ts';
import { dealtIndices, dealtShareOf, shareOf } from '../../src/load/executors/segment.ts';
import type { ScenarioConfig, Segment, Stage } from '../../src/load/types.ts';
import { maxVusOf } from '../../src/load/options.ts';
import { Harness, base } from './harness.ts';

const segments = (count: number): Segment[] => Array.from({ length: count }, (_, index) => ({ index, count }));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('splitting counts between workers', () => {
  it('shares add up to the total, grow with it, and differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 16 }), (total, n) => {
        const shares = segments(n).map((seg) => shareOf(total, seg));
        expect(sum(shares)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        for (const seg of segments(n)) expect(shareOf(total + 1, seg)).toBeGreaterThanOrEqual(shareOf(total, seg));
      }),
    );
  });

  it('iterations dealt to VU slots add up, and a worker without VUs gets none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 8 }), (items, slots, n) => {
        const shares = segments(n).map((seg) => dealtShareOf(items, slots, seg));
        expect(sum(shares)).toBe(items);
        for (const seg of segments(n)) if (shareOf(slots, seg) === 0) expect(dealtShareOf(items, slots, seg)).toBe(0);
      }),
    );
  });

  it('dealt indices partition 0, 1, 2, ... between workers; k % n when slots is a multiple of n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), (slots, n) => {
        const limit = 200;
        const seen: number[] = [];
        for (const seg of segments(n)) {
          for (const k of dealtIndices(slots, seg)) {
            if (k >= limit) break;
            if (slots % n === 0) expect(k % n).toBe(seg.index);
            seen.push(k);
          }
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: limit }, (_, k) => k));
      }),
    );
  });

  it('the workers’ ramping-vus counts add up to the whole at every step', () => {
    const stage = fc.record({ durationMs: fc.integer({ min: 0, max: 5000 }), target: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.array(stage, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), (start, stages, n) => {
        const whole = [...rampingVuSteps(start, stages)];
        const parts = segments(n).map((seg) => [...localVuSteps(whole, seg)]);
        const at = (steps: { offsetMs: number; vus: number }[], t: number) => {
          let v = 0;
          for (const st of steps) if (st.offsetMs <= t) v = st.vus;
          return v;
        };
        for (const st of whole) expect(sum(parts.map((p) => at(p, st.offsetMs)))).toBe(at(whole, st.offsetMs));
      }),
    );
  });
});

/** Runs the scenario in n workers and returns every iteration's intended (or actual) start, sorted. */
async function unionOfStarts(config: ScenarioConfig, n: number, totalMs: number, iterationMs: number): Promise<number[]> {
  const starts: number[] = [];
  let firstVuId = 1;
  for (const segment of segments(n)) {
    const h = new Harness({ iterationMs, segment, firstVuId });
    firstVuId += maxVusOf(config, segment);
    await h.run(config, totalMs);
    expect(h.drops).toEqual([]);
    expect(h.violations).toEqual([]);
    starts.push(...h.records.map((r) => r.intendedStart ?? r.start));
  }
  return starts.sort((a, b) => a - b);
}

const stagesArb = (maxTarget: number) =>
  fc.array(
    fc.record({ durationMs: fc.integer({ min: 0, max: 20 }).map((x) => x * 100), target: fc.integer({ min: 0, max: maxTarget }) }),
    { minLength: 1, maxLength: 4 },
  ) as fc.Arbitrary<Stage[]>;

describe('all workers together run exactly the single-worker schedule', () => {
  it('constant-arrival-rate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(100, 250, 1000),
        fc.integer({ min: 1, max: 30 }).map((x) => x * 100),
        fc.integer({ min: 4, max: 13 }),
        fc.integer({ min: 1, max: 4 }),
        async (rate, timeUnitMs, durationMs, vus, n) => {
          const config: ScenarioConfig = {
            ...base(), executor: 'constant-arrival-rate', rate, timeUnitMs, durationMs, preAllocatedVUs: vus, maxVUs: vus,
          };
          const single = await unionOfStarts(config, 1, durationMs + 1000, 1);
          expect(await unionOfStarts(config, n, durationMs + 1000, 1)).toEqual(single);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('ramping-arrival-rate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 20 }), stagesArb(20), fc.integer({ min: 1, max: 4 }), async (startRate, stages, n) => {
        const config: ScenarioConfig = {
          ...base(), executor: 'ramping-arrival-rate', startRate, timeUnitMs: 1000, stages, preAllocatedVUs: 8, maxVUs: 8,
        };
        const single = await unionOfStarts(config, 1, 10_000, 1);
        expect(await unionOfStarts(config, n, 10_000, 1)).toEqual(single);
      }),
      { numRuns: 30 },
    );
  });

  it('ramping-vus', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), stagesArb(6), fc.integer({ min: 1, max: 4 }), async (startVUs, stages, n) => {
        const config: ScenarioConfig = {
          ...base(), gracefulStopMs: 200, executor: 'ramping-vus', startVUs, stages, gracefulRampDownMs: 150,
        };
        const single = await unionOfStarts(config, 1, 10_000, 70);
        expect(await unionOfStarts(config, n, 10_000, 70)).toEqual(single);
      }),
      { numRuns: 25 },
    );
  });

  it('iteration-based executors: the same number of iterations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 4 }), async (vus, extra, n) => {
        const sharedIters: ScenarioConfig = { ...base(), executor: 'shared-iterations', vus, iterations: vus + extra, maxDurationMs: 60_000 };
        expect(await unionOfStarts(sharedIters, n, 10_000, 10)).toHaveLength(vus + extra);
        const perVu: ScenarioConfig = { ...base(), executor: 'per-vu-iterations', vus, iterations: extra + 1, maxDurationMs: 60_000 };
        expect(await unionOfStarts(perVu, n, 10_000, 10)).toHaveLength(vus * (extra + 1));
        const constant: ScenarioConfig = { ...base(), executor: 'constant-vus', vus, durationMs: 1000 };
        expect(await unionOfStarts(constant, n, 10_000, 100)).toEqual(await unionOfStarts(constant, 1, 10_000, 100));
      }),
      { numRuns: 20 },
    );
  });
});
