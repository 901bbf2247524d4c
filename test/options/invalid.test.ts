import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { normalizeOptions, parseStageFlag } from '../../src/load/options.ts';

function errorOf(raw: unknown): TelltaleError {
  try {
    normalizeOptions(raw, { source: 'load/checkout.js' });
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    return err as TelltaleError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

const sc = (scenario: Record<string, unknown>) => ({ scenarios: { checkout: scenario } });
const car = { executor: 'constant-arrival-rate', rate: 10, duration: '1m', preAllocatedVUs: 5 };
const rar = { executor: 'ramping-arrival-rate', stages: [{ duration: '10s', target: 5 }], preAllocatedVUs: 5 };
const rv = { executor: 'ramping-vus', stages: [{ duration: '10s', target: 5 }] };

describe('invalid options name the field and what is wrong', () => {
  it.each([
    [sc({ ...car, rate: 'abc' }), 'scenarios.checkout.rate', 'expected a positive integer, got "abc"'],
    [sc({ ...car, rate: 0 }), 'scenarios.checkout.rate', 'got 0'],
    [sc({ ...car, rate: 2.5 }), 'scenarios.checkout.rate', 'got 2.5'],
    [sc({ ...car, rate: undefined }), 'scenarios.checkout.rate', 'missing'],
    [sc({ ...car, timeUnit: '0s' }), 'scenarios.checkout.timeUnit', 'more than 0'],
    [sc({ ...car, duration: '500ms' }), 'scenarios.checkout.duration', 'at least 1s'],
    [sc({ ...car, duration: undefined }), 'scenarios.checkout.duration', 'missing'],
    [sc({ ...car, preAllocatedVUs: undefined }), 'scenarios.checkout.preAllocatedVUs', 'missing'],
    [sc({ ...car, preAllocatedVUs: -1 }), 'scenarios.checkout.preAllocatedVUs', 'non-negative'],
    [sc({ ...car, maxVUs: 2 }), 'scenarios.checkout.maxVUs', "maxVUs (2) can't be less than preAllocatedVUs (5)"],
    [sc({ ...rar, maxVUs: 1 }), 'scenarios.checkout.maxVUs', "can't be less than"],
    [sc({ ...rar, startRate: -1 }), 'scenarios.checkout.startRate', 'non-negative'],
    [sc({ ...rar, stages: [] }), 'scenarios.checkout.stages', 'at least one stage'],
    [sc({ ...rv, stages: [{ duration: '1s', target: -2 }] }), 'scenarios.checkout.stages[0].target', 'got -2'],
    [sc({ ...rv, stages: [{ duration: '1s', target: 'x' }] }), 'scenarios.checkout.stages[0].target', 'got "x"'],
    [sc({ ...rv, stages: [{ duration: '1s' }] }), 'scenarios.checkout.stages[0].target', 'missing'],
    [sc({ ...rv, stages: [{ target: 1 }] }), 'scenarios.checkout.stages[0].duration', 'missing'],
    [sc({ ...rv, stages: [{ duration: 'soon', target: 1 }] }), 'scenarios.checkout.stages[0].duration', 'not a duration'],
    [sc({ ...rv, stages: [{ duration: '1s', target: 1, extra: true }] }), 'scenarios.checkout.stages[0].extra', 'unknown'],
    [sc({ ...rv, stages: [{ duration: '1s', target: 200_000_000 }] }), 'scenarios.checkout.stages[0].target', 'limit'],
    [sc({ ...rv, stages: 'fast' }), 'scenarios.checkout.stages', 'expected an array of stages'],
    [sc({ ...rv, startVUs: 0, stages: [{ duration: '1s', target: 0 }] }), 'scenarios.checkout.stages', 'greater than 0'],
    [sc({ ...rv, gracefulRampDown: -5 }), 'scenarios.checkout.gracefulRampDown', 'non-negative'],
    [sc({ executor: 'shared-iterations', vus: 10, iterations: 5 }), 'scenarios.checkout.iterations', "(5) can't be less than the number of VUs (10)"],
    [sc({ executor: 'shared-iterations', vus: 0 }), 'scenarios.checkout.vus', 'positive'],
    [sc({ executor: 'per-vu-iterations', iterations: 0 }), 'scenarios.checkout.iterations', 'positive'],
    [sc({ executor: 'per-vu-iterations', maxDuration: '10ms' }), 'scenarios.checkout.maxDuration', 'at least 1s'],
    [sc({ executor: 'constant-vus', vus: 1 }), 'scenarios.checkout.duration', 'missing'],
    [sc({ executor: 'constant-vus', duration: '1s', iterations: 5 }), 'scenarios.checkout.iterations', 'unknown option "iterations" for a constant-vus scenario'],
    [sc({ executor: 'constant-vus', duration: '1s', startTime: '-1s' }), 'scenarios.checkout.startTime', 'not a duration'],
    [sc({ executor: 'constant-vus', duration: '1s', gracefulStop: 'x' }), 'scenarios.checkout.gracefulStop', 'not a duration'],
    [sc({ executor: 'constant-vus', duration: '1s', exec: '' }), 'scenarios.checkout.exec', 'empty'],
    [sc({ executor: 'constant-vus', duration: '1s', env: { A: 1 } }), 'scenarios.checkout.env.A', 'expected a string'],
    [sc({ executor: 'constant-vus', duration: '1s', tags: 'x' }), 'scenarios.checkout.tags', 'expected an object of strings'],
    [sc({ executor: 'constant-looping-vus' }), 'scenarios.checkout.executor', 'unknown executor "constant-looping-vus"'],
    [sc({ executor: 'externally-controlled' }), 'scenarios.checkout.executor', 'not supported'],
    [sc({ vus: 1 }), 'scenarios.checkout.executor', 'missing'],
    [{ scenarios: { checkout: 5 } }, 'scenarios.checkout', 'expected a scenario object, got 5'],
    [{ scenarios: { 'check out': { executor: 'constant-vus', duration: '1s' } } }, 'scenarios.check out', 'letters, digits'],
    [{ scenarios: [] }, 'scenarios', 'expected an object of scenarios'],
    [{ vus: -1, duration: '1s' }, 'vus', 'non-negative'],
    [{ vus: 0, duration: '1s' }, 'vus', 'positive'],
    [{ duration: '0s' }, 'duration', 'at least 1s'],
    [{ duration: true }, 'duration', 'got true'],
    [{ iterations: 'many' }, 'iterations', 'got "many"'],
    [{ iterations: 0 }, 'iterations', 'positive'],
    [{ iterations: 5, vus: 10 }, 'iterations', "iterations (5) can't be less than the number of VUs (10)"],
    [{ iterations: 5, duration: '10ms' }, 'duration', 'at least 1s'],
    [{ stages: [{ duration: '1s', target: 0 }], vus: 0 }, 'stages', 'greater than 0'],
    [{ stages: [{ duration: '1s', target: -1 }] }, 'stages[0].target', 'got -1'],
    [{ stages: { duration: '1s' } }, 'stages', 'expected an array of stages'],
    [{ summaryTrendStats: ['p(95)', 'mean'] }, 'summaryTrendStats[1]', '"mean" is not a trend stat'],
    [{ summaryTimeUnit: 'h' }, 'summaryTimeUnit', 'got "h"'],
    [{ setupTimeout: 0 }, 'setupTimeout', 'more than 0'],
    [{ teardownTimeout: 'x' }, 'teardownTimeout', 'not a duration'],
    [{ tags: { a: 1 } }, 'tags.a', 'expected a string'],
    [{ systemTags: ['url', 'colour'] }, 'systemTags[1]', 'expected a system tag'],
    [{ discardResponseBodies: 'yes' }, 'discardResponseBodies', 'expected true or false'],
    [{ noCookiesReset: 'no' }, 'noCookiesReset', 'expected true or false'],
    [{ maxRedirects: -1 }, 'maxRedirects', 'non-negative'],
    [{ userAgent: 5 }, 'userAgent', 'expected a string'],
    [{ batch: 0 }, 'batch', 'positive'],
    [{ batchPerHost: 1.5 }, 'batchPerHost', 'got 1.5'],
    [{ httpDebug: 'all' }, 'httpDebug', 'expected "headers" or "full"'],
    ['vus=10', 'options', 'expected an object, got "vus=10"'],
  ])('%j -> %s', (raw, field, text) => {
    const err = errorOf(raw);
    expect(err.code).toBe('TT_CONFIG_INVALID');
    expect(err.exitCode).toBe(104);
    expect(err.field).toBe(field);
    expect(err.message).toContain('load/checkout.js');
    expect(err.message).toContain(`${field}: `);
    expect(err.message).toContain(text);
  });

  it('lists every problem in one error', () => {
    const err = errorOf({
      vus: 'ten',
      batch: 0,
      scenarios: {
        a: { ...car, rate: 'abc', colour: 'red' },
        b: { executor: 'nope' },
        c: { ...rv, stages: [{ duration: '1s', target: -1 }, { duration: 'x', target: 1 }] },
      },
    });
    expect(err.field).toBe('vus');
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('invalid options in load/checkout.js (7 problems):');
    expect(lines.slice(1).map((l) => l.replace(/^ {2}- /, '').split(': ')[0])).toEqual([
      'vus',
      'batch',
      'scenarios.a.rate',
      'scenarios.a.colour',
      'scenarios.b.executor',
      'scenarios.c.stages[0].target',
      'scenarios.c.stages[1].duration',
    ]);
  });

  it('random JSON-ish input either normalizes or throws a TelltaleError', () => {
    const executor = fc.constantFrom('shared-iterations', 'per-vu-iterations', 'constant-vus', 'ramping-vus', 'constant-arrival-rate', 'ramping-arrival-rate', 'x');
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.integer({ min: -5, max: 50 }),
      fc.constantFrom('1s', '0s', '10m', '-1s', '1h30m', '', 'abc', 0, 1.5, null),
    );
    const stage = fc.record({ duration: value, target: value }, { requiredKeys: [] });
    const scenario = fc.record(
      {
        executor, vus: value, iterations: value, duration: value, maxDuration: value, startVUs: value,
        stages: fc.oneof(fc.array(stage, { maxLength: 3 }), value), rate: value, startRate: value, timeUnit: value,
        preAllocatedVUs: value, maxVUs: value, gracefulStop: value, gracefulRampDown: value, startTime: value,
        exec: value, env: value, tags: value,
      },
      { requiredKeys: ['executor'] },
    );
    const options = fc.record(
      {
        vus: value, duration: value, iterations: value, stages: fc.oneof(fc.array(stage, { maxLength: 3 }), value),
        scenarios: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), scenario, { maxKeys: 3 }), value),
        thresholds: value, summaryTrendStats: value, systemTags: value, tags: value, setupTimeout: value, batch: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(options, fc.anything()), (raw) => {
        try {
          const r = normalizeOptions(raw, { source: 'x.js' });
          expect(r.scenarios.length).toBeGreaterThan(0);
          for (const s of r.scenarios) expect(s.gracefulStopMs).toBeGreaterThanOrEqual(0);
        } catch (err) {
          if (!(err instanceof TelltaleError)) throw err;
          expect(err.code).toBe('TT_CONFIG_INVALID');
          expect(err.field).toBeTruthy();
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('--stage flag', () => {
  it('parses DURATION:TARGET', () => {
    expect(parseStageFlag('30s:10')).toEqual({ durationMs: 30_000, target: 10 });
    expect(parseStageFlag('1m30s:0')).toEqual({ durationMs: 90_000, target: 0 });
    expect(parseStageFlag('0:5')).toEqual({ durationMs: 0, target: 5 });
    expect(parseStageFlag('45:3')).toEqual({ durationMs: 45_000, target: 3 });
  });

  it.each([
    ['30s', 'missing ":TARGET"'],
    [':10', 'missing duration'],
    ['30s:', 'missing target'],
    ['soon:10', '"soon" is not a duration'],
    ['30s:-1', 'not a non-negative integer'],
    ['30s:1.5', 'not a non-negative integer'],
    ['30s:ten', 'not a non-negative integer'],
  ])('%s is refused: %s', (flag, text) => {
    try {
      parseStageFlag(flag);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(TelltaleError);
      expect((err as TelltaleError).code).toBe('TT_USAGE');
      expect((err as TelltaleError).field).toBe('--stage');
      expect((err as TelltaleError).message).toContain(text);
      expect((err as TelltaleError).message).toContain('DURATION:TARGET');
    }
  });
});
