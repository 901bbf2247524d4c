import { describe, expect, it } from 'vitest';
import { buildProfile, describeProfile, k6Duration, listProfiles, PROFILE_NAMES, profileDurationMs, profilePhases, profileVus } from '../../src/load/profiles/index.ts';
import { parseDuration } from '../../src/config/duration.ts';
import { TelltaleError } from '../../src/errors.ts';

interface RawStage { duration: string; target: number }
interface RawScenario {
  executor: string;
  rate?: number;
  startRate?: number;
  duration?: string;
  timeUnit: string;
  stages?: RawStage[];
  preAllocatedVUs: number;
  maxVUs: number;
  exec?: string;
}

function scenario(name: string, params: Parameters<typeof buildProfile>[1] = {}): RawScenario {
  const opts = buildProfile(name, params) as { scenarios: Record<string, RawScenario> };
  expect(Object.keys(opts)).toEqual(['scenarios']);
  expect(Object.keys(opts.scenarios)).toEqual([name]);
  return opts.scenarios[name];
}

/** [durationMs, target] pairs of a ramping scenario, parsed back the way the config loader will. */
function stages(s: RawScenario): [number, number][] {
  return (s.stages ?? []).map((st, i) => [parseDuration(st.duration, `stages[${i}].duration`), st.target]);
}

/** The rate in effect at each millisecond offset, following k6's linear ramp between stage targets. */
function rateAt(s: RawScenario, t: number): number {
  let from = s.startRate ?? 0;
  let start = 0;
  for (const [d, target] of stages(s)) {
    if (t < start + d) return from + ((target - from) * (t - start)) / d;
    from = target;
    start += d;
  }
  return from;
}

const MIN = 60_000;

function expectProfileError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    expect((err as TelltaleError).code).toBe('TT_PROFILE_UNKNOWN');
    expect((err as TelltaleError).exitCode).toBe(104);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a TT_PROFILE_UNKNOWN error');
}

describe('built-in profiles', () => {
  it('lists the runbook procedures plus soak', () => {
    expect([...PROFILE_NAMES]).toEqual(['baseline', 'progressive', 'spike', 'sustained', 'soak']);
    expect(listProfiles().map((p) => p.name)).toEqual([...PROFILE_NAMES]);
    expect(listProfiles().every((p) => p.summary.length > 0)).toBe(true);
  });

  it('baseline: 5 minutes at 50 req/s', () => {
    const s = scenario('baseline');
    expect(s).toEqual({ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '5m', preAllocatedVUs: 10, maxVUs: 100 });
    expect(profileDurationMs('baseline')).toBe(5 * MIN);
  });

  it('progressive: 100/250/500/750/1000 req/s, 3 minutes each, as jumps', () => {
    const s = scenario('progressive');
    expect(s.executor).toBe('ramping-arrival-rate');
    expect(s.timeUnit).toBe('1s');
    expect(s.startRate).toBe(100);
    expect(stages(s)).toEqual([
      [3 * MIN, 100],
      [0, 250], [3 * MIN, 250],
      [0, 500], [3 * MIN, 500],
      [0, 750], [3 * MIN, 750],
      [0, 1000], [3 * MIN, 1000],
    ]);
    expect(profileDurationMs('progressive')).toBe(15 * MIN);
    // Each level holds for its whole 3 minutes: no ramp blends two levels.
    expect(rateAt(s, 0)).toBe(100);
    expect(rateAt(s, 3 * MIN - 1)).toBe(100);
    expect(rateAt(s, 3 * MIN)).toBe(250);
    expect(rateAt(s, 7 * MIN)).toBe(500);
    expect(rateAt(s, 14 * MIN)).toBe(1000);
    expect(s.preAllocatedVUs).toBe(100);
    expect(s.maxVUs).toBe(1000);
  });

  it('spike: 100 req/s warm-up 5 min, 2000 req/s 2 min, 100 req/s recovery 3 min', () => {
    const s = scenario('spike');
    expect(s.executor).toBe('ramping-arrival-rate');
    expect(s.startRate).toBe(100);
    expect(stages(s)).toEqual([[5 * MIN, 100], [0, 2000], [2 * MIN, 2000], [0, 100], [3 * MIN, 100]]);
    expect(profileDurationMs('spike')).toBe(10 * MIN);
    expect(rateAt(s, 5 * MIN - 1)).toBe(100);
    expect(rateAt(s, 5 * MIN)).toBe(2000);
    expect(rateAt(s, 7 * MIN - 1)).toBe(2000);
    expect(rateAt(s, 7 * MIN)).toBe(100);
    expect(s.preAllocatedVUs).toBe(200);
    expect(s.maxVUs).toBe(2000);
  });

  it('sustained: 30 minutes at 80% of capacity', () => {
    const s = scenario('sustained', { capacity: 1000 });
    expect(s).toMatchObject({ executor: 'constant-arrival-rate', rate: 800, timeUnit: '1s', duration: '30m' });
    expect(profileDurationMs('sustained', { capacity: 1000 })).toBe(30 * MIN);
  });

  it('soak: 2 hours at 60% of capacity', () => {
    const s = scenario('soak', { capacity: 1000 });
    expect(s).toMatchObject({ executor: 'constant-arrival-rate', rate: 600, timeUnit: '1s', duration: '2h' });
    expect(profileDurationMs('soak', { capacity: 1000 })).toBe(120 * MIN);
  });

  it('rounds capacity-derived rates to whole req/s', () => {
    expect(scenario('sustained', { capacity: 1234 }).rate).toBe(987);
    expect(scenario('soak', { capacity: 1 }).rate).toBe(1);
  });

  it('timeScale multiplies every duration', () => {
    const s = scenario('spike', { timeScale: 0.05 });
    expect(stages(s)).toEqual([[15_000, 100], [0, 2000], [6_000, 2000], [0, 100], [9_000, 100]]);
    expect(profileDurationMs('spike', { timeScale: 0.05 })).toBe(30_000);
    expect(scenario('baseline', { timeScale: 0.1 }).duration).toBe('30s');
    expect(scenario('soak', { capacity: 10, timeScale: 0.5 }).duration).toBe('1h');
    expect(stages(scenario('progressive', { timeScale: 0.01 }))[0]).toEqual([1_800, 100]);
  });

  it('timeScale keeps the total exact for every profile and scale', () => {
    for (const name of PROFILE_NAMES) {
      for (const timeScale of [0.004, 0.01, 0.05, 0.37, 1, 2]) {
        const params = { timeScale, capacity: 500 };
        const base = profileDurationMs(name, { capacity: 500 });
        const phases = profilePhases(name, params);
        const total = phases.reduce((sum, p) => sum + p.durationMs, 0);
        expect(Math.abs(total - base * timeScale)).toBeLessThanOrEqual(phases.length);
        const s = scenario(name, params);
        const fromOptions = s.stages ? stages(s).reduce((sum, [d]) => sum + d, 0) : parseDuration(s.duration, 'duration');
        expect(fromOptions).toBe(total);
      }
    }
  });

  it('rateScale multiplies every rate and never goes below 1', () => {
    const s = scenario('progressive', { rateScale: 0.1 });
    expect(s.startRate).toBe(10);
    expect(stages(s).map(([, t]) => t)).toEqual([10, 25, 25, 50, 50, 75, 75, 100, 100]);
    expect(scenario('baseline', { rateScale: 3 }).rate).toBe(150);
    expect(scenario('baseline', { rateScale: 0.001 }).rate).toBe(1);
    const tiny = scenario('spike', { rateScale: 0.0001 });
    expect(tiny.startRate).toBe(1);
    expect(stages(tiny).every(([, t]) => t === 1)).toBe(true);
    expect(scenario('sustained', { capacity: 1000, rateScale: 0.5 }).rate).toBe(400);
  });

  it('derives VUs from the peak rate', () => {
    expect(profileVus(50)).toEqual({ preAllocatedVUs: 10, maxVUs: 100 });
    expect(profileVus(1000)).toEqual({ preAllocatedVUs: 100, maxVUs: 1000 });
    expect(profileVus(2001)).toEqual({ preAllocatedVUs: 201, maxVUs: 2001 });
    const s = scenario('spike', { rateScale: 2 });
    expect(s.preAllocatedVUs).toBe(400);
    expect(s.maxVUs).toBe(4000);
  });

  it('maxVUs overrides the derived value and caps preAllocatedVUs', () => {
    expect(scenario('spike', { maxVUs: 5000 })).toMatchObject({ preAllocatedVUs: 200, maxVUs: 5000 });
    expect(scenario('spike', { maxVUs: 50 })).toMatchObject({ preAllocatedVUs: 50, maxVUs: 50 });
  });

  it('passes exec through to the scenario', () => {
    expect(scenario('baseline', { exec: 'browse' }).exec).toBe('browse');
    expect(scenario('baseline').exec).toBeUndefined();
  });

  it('accepts names case-insensitively', () => {
    expect(Object.keys((buildProfile(' Spike ') as { scenarios: object }).scenarios)).toEqual(['spike']);
  });

  it('produces durations that parse back exactly', () => {
    for (const ms of [0, 1, 999, 1000, 1500, 60_000, 129_500, 3_600_000, 3_723_004]) {
      expect(parseDuration(k6Duration(ms), 'd')).toBe(ms);
    }
    expect(k6Duration(129_500)).toBe('2m9s500ms');
    expect(k6Duration(7_200_000)).toBe('2h');
  });
});

describe('profile errors', () => {
  it('rejects unknown names, listing the valid ones', () => {
    expectProfileError(() => buildProfile('stress'), /unknown profile "stress".*baseline, progressive, spike, sustained, soak/);
    expectProfileError(() => describeProfile('stress'), /valid profiles/);
  });

  it('sustained and soak need --capacity', () => {
    expectProfileError(() => buildProfile('sustained'), /--capacity/);
    expectProfileError(() => buildProfile('soak', {}), /--capacity/);
    expectProfileError(() => describeProfile('soak'), /60% of capacity/);
  });

  it('rejects bad parameters', () => {
    expectProfileError(() => buildProfile('sustained', { capacity: 0 }), /--capacity must be a positive number/);
    expectProfileError(() => buildProfile('sustained', { capacity: Number.NaN }), /--capacity/);
    expectProfileError(() => buildProfile('baseline', { timeScale: 0 }), /--time-scale/);
    expectProfileError(() => buildProfile('baseline', { timeScale: -1 }), /--time-scale/);
    expectProfileError(() => buildProfile('baseline', { rateScale: Number.POSITIVE_INFINITY }), /--rate-scale/);
    expectProfileError(() => buildProfile('baseline', { maxVUs: 0 }), /--max-vus/);
    expectProfileError(() => buildProfile('baseline', { maxVUs: 1.5 }), /--max-vus/);
    expectProfileError(() => buildProfile('baseline', { exec: '' }), /exec/);
  });

  it('rejects a timeScale that shrinks the run below a second', () => {
    expectProfileError(() => buildProfile('baseline', { timeScale: 0.001 }), /too short/);
    expect(() => buildProfile('baseline', { timeScale: 0.004 })).not.toThrow();
  });
});

describe('describeProfile', () => {
  it('prints one row per phase with start, duration and rate', () => {
    const text = describeProfile('spike', { timeScale: 0.05 });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^profile spike: /);
    expect(text).toContain('scaling: time x0.05');
    const rows = lines.filter((l) => /\s{2,}\d+ req\/s$/.test(l)).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['warm-up', '0s', '15s', '100 req/s'],
      ['spike', '15s', '6s', '2000 req/s'],
      ['recovery', '21s', '9s', '100 req/s'],
    ]);
    expect(text).toContain('total 30s');
    expect(text).toContain('ramping-arrival-rate');
    expect(text).toContain('preAllocatedVUs 200, maxVUs 2000');
  });

  it('describes every profile', () => {
    for (const name of PROFILE_NAMES) {
      const text = describeProfile(name, { capacity: 1000 });
      expect(text.split('\n').filter((l) => /\s{2,}\d+ req\/s$/.test(l))).toHaveLength(profilePhases(name, { capacity: 1000 }).length);
    }
    expect(describeProfile('sustained', { capacity: 1000 })).toContain('80% of capacity 1000 req/s');
    expect(describeProfile('progressive')).toContain('total 15m');
  });
});
