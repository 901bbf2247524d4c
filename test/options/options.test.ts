import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import {
  DEFAULT_SYSTEM_TAGS,
  applyCliOverrides,
  initialVusOf,
  maxVusOf,
  normalizeOptions,
  planDurationMs,
  plannedVusOf,
  scenarioEndMs,
  vusCapacityOf,
} from '../../src/load/options.ts';
import type { ScenarioConfig } from '../../src/load/types.ts';

const norm = (raw: unknown) => normalizeOptions(raw, { source: 'script.js' });
const only = (raw: unknown): ScenarioConfig => {
  const { scenarios } = norm(raw);
  expect(scenarios).toHaveLength(1);
  return scenarios[0];
};
const common = { exec: 'default', startTimeMs: 0, gracefulStopMs: 30_000, env: {}, tags: {} };

function errorOf(raw: unknown): TelltaleError {
  try {
    norm(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('execution shortcuts (k6 rules)', () => {
  it('nothing: one iteration on one VU', () => {
    expect(only({})).toEqual({ ...common, name: 'default', executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000 });
    expect(only(undefined).executor).toBe('per-vu-iterations');
  });

  it('iterations (+vus): shared-iterations', () => {
    expect(only({ iterations: 10 })).toMatchObject({ name: 'default', executor: 'shared-iterations', vus: 1, iterations: 10, maxDurationMs: 600_000 });
    expect(only({ iterations: 10, vus: 5 })).toMatchObject({ executor: 'shared-iterations', vus: 5, iterations: 10 });
  });

  it('iterations + duration: shared-iterations with maxDuration = duration', () => {
    expect(only({ iterations: 10, vus: 2, duration: '30s' })).toMatchObject({ executor: 'shared-iterations', maxDurationMs: 30_000 });
  });

  it('duration (+vus): constant-vus', () => {
    expect(only({ duration: '1m' })).toEqual({ ...common, name: 'default', executor: 'constant-vus', vus: 1, durationMs: 60_000 });
    expect(only({ duration: 5000, vus: 7 })).toMatchObject({ executor: 'constant-vus', vus: 7, durationMs: 5000 });
  });

  it('stages: ramping-vus starting at vus (default 1)', () => {
    const stages = [{ duration: '10s', target: 5 }, { duration: '0s', target: 0 }];
    expect(only({ stages })).toEqual({
      ...common,
      name: 'default',
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [{ durationMs: 10_000, target: 5 }, { durationMs: 0, target: 0 }],
      gracefulRampDownMs: 30_000,
    });
    expect(only({ stages, vus: 3 })).toMatchObject({ startVUs: 3 });
  });

  it('warns about what has no effect', () => {
    expect(norm({ vus: 5 }).warnings).toEqual([expect.stringContaining('"vus" (5) is ignored')]);
    expect(norm({ stages: [] }).warnings).toEqual([expect.stringContaining('"stages" is empty')]);
    expect(norm({ scenarios: {} }).warnings).toEqual([expect.stringContaining('"scenarios" is empty')]);
    expect(norm({ duration: '10s', stages: [] })).toMatchObject({ scenarios: [{ executor: 'constant-vus' }] });
  });

  it.each([
    [{ iterations: 5, stages: [{ duration: '1s', target: 1 }] }, 'iterations'],
    [{ duration: '5s', stages: [{ duration: '1s', target: 1 }] }, 'duration'],
    [{ iterations: 5, scenarios: {} }, 'iterations'],
    [{ duration: '5s', scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }, 'duration'],
    [{ stages: [{ duration: '1s', target: 1 }], scenarios: {} }, 'stages'],
  ])('refuses shortcuts mixed in one source: %j', (raw, field) => {
    const err = errorOf(raw);
    expect(err.code).toBe('TT_CONFIG_INVALID');
    expect(err.field).toBe(field);
    expect(err.message).toContain("can't be used together");
  });

  it('scenarios as given, in order; vus beside them is ignored with a warning', () => {
    const r = norm({
      vus: 3,
      scenarios: {
        b: { executor: 'constant-vus', vus: 2, duration: '10s' },
        a: { executor: 'per-vu-iterations' },
      },
    });
    expect(r.scenarios.map((s) => s.name)).toEqual(['b', 'a']);
    expect(r.warnings).toEqual([expect.stringContaining('"vus" is ignored')]);
  });
});

describe('command-line overrides (k6 precedence)', () => {
  const script = { vus: 5, duration: '1m', scenarios: { s: { executor: 'constant-vus', duration: '5s' } } };

  it('duration, iterations or stages on the CLI replace all script execution settings', () => {
    expect(only(applyCliOverrides(script, { durationMs: 10_000 }))).toMatchObject({ executor: 'constant-vus', vus: 5, durationMs: 10_000 });
    expect(only(applyCliOverrides({ vus: 5, duration: '1m' }, { iterations: 20 }))).toMatchObject({
      executor: 'shared-iterations',
      vus: 5,
      iterations: 20,
      maxDurationMs: 600_000,
    });
    expect(only(applyCliOverrides(script, { stages: [{ durationMs: 1000, target: 4 }], vus: 2 }))).toMatchObject({
      executor: 'ramping-vus',
      startVUs: 2,
      stages: [{ durationMs: 1000, target: 4 }],
    });
    expect(only(applyCliOverrides({ iterations: 3 }, { durationMs: 2000, iterations: 9 }))).toMatchObject({
      executor: 'shared-iterations',
      iterations: 9,
      maxDurationMs: 2000,
    });
  });

  it('vus alone replaces vus only', () => {
    const raw = applyCliOverrides({ scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '5s' } } }, { vus: 9 });
    expect(only(raw)).toMatchObject({ name: 's', vus: 4 });
    expect(only(applyCliOverrides({ duration: '5s', vus: 1 }, { vus: 9 }))).toMatchObject({ vus: 9 });
  });

  it('two shortcuts on the CLI conflict as in k6', () => {
    expect(errorOf(applyCliOverrides({}, { iterations: 3, stages: [{ durationMs: 1000, target: 1 }] })).field).toBe('iterations');
  });

  it('does not modify its input', () => {
    const raw = { duration: '5s' };
    applyCliOverrides(raw, { iterations: 1 });
    expect(raw).toEqual({ duration: '5s' });
  });
});

describe('defaults', () => {
  it('top-level options', () => {
    const { scenarios: _s, warnings, ...rest } = norm({});
    expect(warnings).toEqual([]);
    expect(rest).toEqual({
      thresholds: {},
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
      setupTimeoutMs: 60_000,
      teardownTimeoutMs: 60_000,
      tags: {},
      systemTags: [...DEFAULT_SYSTEM_TAGS],
      discardResponseBodies: false,
      maxRedirects: 10,
      userAgent: 'Telltale/0.1.0',
      insecureSkipTLSVerify: false,
      noConnectionReuse: false,
      noCookiesReset: false,
      batch: 20,
      batchPerHost: 6,
      noColor: false,
    });
    expect(DEFAULT_SYSTEM_TAGS).toEqual([
      'proto', 'subproto', 'status', 'method', 'url', 'name', 'group', 'check', 'error', 'error_code',
      'tls_version', 'scenario', 'service', 'expected_response',
    ]);
  });

  it('given top-level options', () => {
    const r = norm({
      summaryTrendStats: ['avg', 'p(99.9)', 'count'],
      summaryTimeUnit: 'ms',
      setupTimeout: '2m',
      teardownTimeout: 500,
      tags: { env: 'ci' },
      systemTags: ['url', 'vu'],
      discardResponseBodies: true,
      maxRedirects: 0,
      userAgent: 'me',
      insecureSkipTLSVerify: true,
      noConnectionReuse: true,
      noCookiesReset: true,
      batch: 5,
      batchPerHost: 0,
      httpDebug: 'full',
      noColor: true,
    });
    expect(r).toMatchObject({
      summaryTrendStats: ['avg', 'p(99.9)', 'count'],
      summaryTimeUnit: 'ms',
      setupTimeoutMs: 120_000,
      teardownTimeoutMs: 500,
      tags: { env: 'ci' },
      systemTags: ['url', 'vu'],
      discardResponseBodies: true,
      maxRedirects: 0,
      userAgent: 'me',
      insecureSkipTLSVerify: true,
      noConnectionReuse: true,
      noCookiesReset: true,
      batch: 5,
      batchPerHost: 0,
      httpDebug: 'full',
      noColor: true,
    });
  });

  it('thresholds go through untouched for the threshold parser', () => {
    const thresholds = { http_req_duration: ['p(95)<500', { threshold: 'p(99)<1000', abortOnFail: true }], bogus: 42 };
    const r = norm({ thresholds });
    expect(r.thresholds).toEqual({});
    expect(r.thresholdsRaw).toBe(thresholds);
    expect('thresholdsRaw' in norm({})).toBe(false);
  });

  it('unknown options are ignored with a warning; k6 options Telltale lacks too; ext silently', () => {
    const r = norm({ frobnicate: 1, hosts: { 'a.test': '1.2.3.4' }, ext: { loadimpact: {} }, nullish: null });
    expect(r.warnings).toEqual(['unknown option "frobnicate" is ignored', 'option "hosts" is not supported by Telltale and is ignored']);
  });

  it('null means unset, as in k6', () => {
    expect(only({ vus: null, duration: '10s', scenarios: null })).toMatchObject({ executor: 'constant-vus', vus: 1 });
    expect(only({ scenarios: { a: { executor: 'constant-vus', duration: '1s', exec: null } } })).toMatchObject({ exec: 'default' });
  });

  it('per executor', () => {
    const scenarios = {
      si: { executor: 'shared-iterations' },
      pv: { executor: 'per-vu-iterations', exec: 'other', startTime: '5s', gracefulStop: 0, env: { A: 'b' }, tags: { t: 'x' } },
      cv: { executor: 'constant-vus', duration: '1s' },
      rv: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 1 }] },
      ca: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 2 },
      ra: { executor: 'ramping-arrival-rate', stages: [{ duration: '1s', target: 1 }], preAllocatedVUs: 3, maxVUs: 7 },
    };
    expect(norm({ scenarios }).scenarios).toEqual([
      { ...common, name: 'si', executor: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000 },
      {
        ...common, name: 'pv', executor: 'per-vu-iterations', exec: 'other', startTimeMs: 5000, gracefulStopMs: 0,
        env: { A: 'b' }, tags: { t: 'x' }, vus: 1, iterations: 1, maxDurationMs: 600_000,
      },
      { ...common, name: 'cv', executor: 'constant-vus', vus: 1, durationMs: 1000 },
      { ...common, name: 'rv', executor: 'ramping-vus', startVUs: 1, stages: [{ durationMs: 1000, target: 1 }], gracefulRampDownMs: 30_000 },
      { ...common, name: 'ca', executor: 'constant-arrival-rate', rate: 5, timeUnitMs: 1000, durationMs: 1000, preAllocatedVUs: 2, maxVUs: 2 },
      {
        ...common, name: 'ra', executor: 'ramping-arrival-rate', startRate: 0, timeUnitMs: 1000,
        stages: [{ durationMs: 1000, target: 1 }], preAllocatedVUs: 3, maxVUs: 7,
      },
    ]);
  });
});

describe('plan numbers', () => {
  const scenarios = norm({
    scenarios: {
      si: { executor: 'shared-iterations', vus: 10, iterations: 100, maxDuration: '1m', gracefulStop: '5s' },
      cv: { executor: 'constant-vus', vus: 7, duration: '30s', startTime: '1m' },
      rv: {
        executor: 'ramping-vus', startVUs: 2, gracefulStop: '10s', gracefulRampDown: '1h',
        stages: [{ duration: '10s', target: 9 }, { duration: '20s', target: 0 }],
      },
      ca: { executor: 'constant-arrival-rate', rate: 5, duration: '2m', preAllocatedVUs: 5, maxVUs: 11, gracefulStop: 0 },
      ra: { executor: 'ramping-arrival-rate', preAllocatedVUs: 3, stages: [{ duration: '45s', target: 50 }] },
    },
  }).scenarios;
  const [si, cv, rv, ca, ra] = scenarios;

  it('scenario ends include startTime, the regular duration and gracefulStop', () => {
    expect(scenarios.map(scenarioEndMs)).toEqual([65_000, 120_000, 40_000, 120_000, 75_000]);
    expect(planDurationMs(scenarios)).toBe(120_000);
    expect(planDurationMs([])).toBe(0);
  });

  it('VUs per worker add up to the whole', () => {
    const whole = { index: 0, count: 1 };
    expect(scenarios.map((s) => maxVusOf(s, whole))).toEqual([10, 7, 9, 11, 3]);
    expect(scenarios.map((s) => initialVusOf(s, whole))).toEqual([10, 7, 9, 5, 3]);
    for (const s of [si, cv, rv, ca, ra]) {
      for (const count of [2, 3, 4]) {
        const segs = Array.from({ length: count }, (_, index) => ({ index, count }));
        expect(segs.reduce((n, seg) => n + maxVusOf(s, seg), 0)).toBe(maxVusOf(s, whole));
        expect(segs.reduce((n, seg) => n + initialVusOf(s, seg), 0)).toBe(initialVusOf(s, whole));
        for (const seg of segs) expect(initialVusOf(s, seg)).toBeLessThanOrEqual(maxVusOf(s, seg));
      }
    }
  });
});

describe('VUs shared between scenarios', () => {
  const scenarios = (raw: Record<string, unknown>) => norm({ scenarios: raw }).scenarios;
  const whole = { index: 0, count: 1 };

  it('scenarios that never overlap share VUs; overlapping ones add up', () => {
    const seq = scenarios({
      a: { executor: 'constant-vus', vus: 5, duration: '10s', gracefulStop: '0s' },
      b: { executor: 'constant-vus', vus: 3, duration: '10s', startTime: '10s' },
    });
    expect(plannedVusOf(seq, whole)).toBe(5);
    const overlap = scenarios({
      a: { executor: 'constant-vus', vus: 5, duration: '10s' },
      b: { executor: 'constant-vus', vus: 3, duration: '10s', startTime: '10s' },
    });
    // a's gracefulStop (30s by default) keeps its VUs until 40s
    expect(plannedVusOf(overlap, whole)).toBe(8);
  });

  it('takes the peak over time, not the sum', () => {
    const s = scenarios({
      a: { executor: 'constant-vus', vus: 4, duration: '10s', gracefulStop: '0s' },
      b: { executor: 'constant-vus', vus: 2, duration: '10s', startTime: '5s', gracefulStop: '0s' },
      c: { executor: 'constant-vus', vus: 3, duration: '10s', startTime: '10s', gracefulStop: '0s' },
    });
    // 0-5s: 4, 5-10s: 6, 10-15s: 5, 15-20s: 3
    expect(plannedVusOf(s, whole)).toBe(6);
  });

  it('counts arrival-rate scenarios by preAllocatedVUs, with room to grow to maxVUs', () => {
    const s = scenarios({
      a: { executor: 'constant-arrival-rate', rate: 10, duration: '10s', preAllocatedVUs: 2, maxVUs: 10, gracefulStop: '0s' },
      b: { executor: 'constant-vus', vus: 3, duration: '10s', startTime: '10s' },
    });
    expect(plannedVusOf(s, whole)).toBe(3);
    expect(vusCapacityOf(s, whole)).toBe(3 + 8);
  });

  it('splits across segments', () => {
    const s = scenarios({ a: { executor: 'constant-vus', vus: 5, duration: '1s' } });
    expect(plannedVusOf(s, { index: 0, count: 2 }) + plannedVusOf(s, { index: 1, count: 2 })).toBe(5);
  });
});
