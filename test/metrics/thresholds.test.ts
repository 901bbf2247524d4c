import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import {
  Aggregator,
  MergedResult,
  MetricRegistry,
  evaluateThresholds,
  parseThresholdExpression,
  parseThresholds,
  thresholdSelectors,
  trendStatsNeeded,
  validateThresholds,
} from '../../src/metrics/index.ts';
import type { ThresholdDecl } from '../../src/load/types.ts';
import { T0 } from './helpers.ts';

function expectError(fn: () => unknown, code: string, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TelltaleError);
    expect((err as TelltaleError).code).toBe(code);
    for (const p of parts) expect((err as TelltaleError).message).toContain(p);
    return;
  }
  expect.unreachable('expected an error');
}

describe('parseThresholdExpression', () => {
  it.each([
    ['p(95)<200', { aggregation: 'p', percentile: 95, operator: '<', value: 200 }],
    ['  p( 99.9 )  <=  1e3 ', { aggregation: 'p', percentile: 99.9, operator: '<=', value: 1000 }],
    ['rate>=0.95', { aggregation: 'rate', operator: '>=', value: 0.95 }],
    ['count==0', { aggregation: 'count', operator: '==', value: 0 }],
    ['value != -1.5', { aggregation: 'value', operator: '!=', value: -1.5 }],
    ['avg===2', { aggregation: 'avg', operator: '===', value: 2 }],
    ['med > .5', { aggregation: 'med', operator: '>', value: 0.5 }],
    ['min<-2E-3', { aggregation: 'min', operator: '<', value: -0.002 }],
    ['max>+7', { aggregation: 'max', operator: '>', value: 7 }],
    ['p(0)<1', { aggregation: 'p', percentile: 0, operator: '<', value: 1 }],
    ['p(100)<1', { aggregation: 'p', percentile: 100, operator: '<', value: 1 }],
  ])('parses %j', (expr, want) => {
    expect(parseThresholdExpression(expr, 'm')).toEqual({ ...want, source: expr });
  });

  it.each(['', 'p(95)', 'p(101)<1', 'p(-1)<1', 'p()<1', 'foo<1', 'p(95)<abc', 'p95<1', 'p(95)<<1', 'rate>0.9 extra', 'rate>', '<5', 'rate=1', 'rate>NaN', 'rate>Infinity', 'rate>0x10'])(
    'rejects %j naming the metric',
    (expr) => {
      expectError(() => parseThresholdExpression(expr, 'http_req_duration'), 'TT_THRESHOLD_INVALID', 'thresholds["http_req_duration"]');
    },
  );

  it('never crashes on hostile strings', () => {
    const anyChar = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const near = fc.string({ unit: fc.constantFrom(...'p(9.5)<=>!e- avgcountrate'.split('')), maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: anyChar }), near), fc.string({ minLength: 1, maxLength: 10 }), (expr, key) => {
        try {
          return Number.isFinite(parseThresholdExpression(expr, key).value);
        } catch (err) {
          return (
            err instanceof TelltaleError &&
            err.code === 'TT_THRESHOLD_INVALID' &&
            err.message.includes(`thresholds[${JSON.stringify(key)}]`)
          );
        }
      }),
      { seed: 98, numRuns: 1000 },
    );
  });
});

describe('parseThresholds', () => {
  it('accepts every k6 form', () => {
    expect(
      parseThresholds({
        http_req_duration: ['p(95)<200', 'avg<100'],
        'http_req_duration{status:200}': [{ threshold: 'p(99)<300', abortOnFail: true, delayAbortEval: '10s' }],
        checks: 'rate>0.9',
        http_req_failed: { threshold: 'rate<0.01', abortOnFail: true },
        iterations: [],
        my_counter: [{ threshold: 'count>1', delayAbortEval: 1500 }],
      }),
    ).toEqual({
      http_req_duration: [
        { threshold: 'p(95)<200', abortOnFail: false, delayAbortEvalMs: 0 },
        { threshold: 'avg<100', abortOnFail: false, delayAbortEvalMs: 0 },
      ],
      'http_req_duration{status:200}': [{ threshold: 'p(99)<300', abortOnFail: true, delayAbortEvalMs: 10_000 }],
      checks: [{ threshold: 'rate>0.9', abortOnFail: false, delayAbortEvalMs: 0 }],
      http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEvalMs: 0 }],
      iterations: [],
      my_counter: [{ threshold: 'count>1', abortOnFail: false, delayAbortEvalMs: 1500 }],
    });
    expect(parseThresholds(undefined)).toEqual({});
  });

  it.each([
    [[1], 'thresholds: expected an object'],
    ['p(95)<1', 'thresholds: expected an object'],
    [{ m: [42] }, 'thresholds["m"][0]: expected a threshold expression string or an object'],
    [{ m: ['avg<1', 'avg<'] }, 'thresholds["m"][1]: invalid threshold expression "avg<"'],
    [{ m: [{ abortOnFail: true }] }, 'thresholds["m"][0]: missing "threshold"'],
    [{ m: [{ threshold: 'avg<1', abortOnFail: 'yes' }] }, 'thresholds["m"][0]: abortOnFail: expected true or false'],
    [{ m: [{ threshold: 'avg<1', delayAbortEval: 'soon' }] }, 'thresholds["m"][0].delayAbortEval'],
    [{ m: [{ threshold: 'avg<1', abortOnfail: true }] }, 'thresholds["m"][0]: unknown field "abortOnfail"'],
    [{ 'm{a:1': ['avg<1'] }, 'invalid metric key "m{a:1"'],
  ])('rejects %j', (raw, message) => {
    expectError(() => parseThresholds(raw), 'TT_THRESHOLD_INVALID', message);
  });

  it('never crashes on hostile input', () => {
    const small = { maxDepth: 2, maxKeys: 4 };
    const raw = fc.dictionary(
      fc.string(),
      fc.oneof(fc.string(), fc.array(fc.oneof(fc.string(), fc.object(small))), fc.object(small), fc.anything(small)),
    );
    fc.assert(
      fc.property(raw, (r) => {
        try {
          parseThresholds(r);
          return true;
        } catch (err) {
          return err instanceof TelltaleError && /thresholds|metric key/.test(err.message);
        }
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});

describe('validateThresholds', () => {
  const registry = new MetricRegistry();
  registry.define('my_counter', 'counter');
  registry.define('my_gauge', 'gauge');

  it('accepts aggregations that fit the metric type', () => {
    const decls = parseThresholds({
      my_counter: ['count>1', 'rate<5'],
      my_gauge: ['value<3'],
      checks: ['rate>0.9'],
      'http_req_duration{status:200}': ['avg<1', 'min<1', 'med<1', 'max<1', 'p(99.99)<1'],
    });
    expect(() => validateThresholds(decls, registry)).not.toThrow();
  });

  it('rejects metrics that are not defined', () => {
    expectError(
      () => validateThresholds(parseThresholds({ 'foo{a:b}': ['count>1'] }), registry),
      'TT_THRESHOLD_UNKNOWN_METRIC',
      "threshold on metric 'foo' which is not defined by the script or built in",
      'thresholds["foo{a:b}"]',
    );
  });

  it.each([
    ['my_counter', 'avg<1', 'uses avg, which a counter metric does not support (supported: count, rate)'],
    ['my_gauge', 'count<1', 'a gauge metric does not support (supported: value)'],
    ['checks', 'count<1', 'a rate metric does not support (supported: rate)'],
    ['http_req_duration', 'rate<1', 'a trend metric does not support (supported: avg, min, med, max, p(N))'],
    ['http_req_duration', 'value<1', 'uses value'],
    ['my_counter', 'p(95)<1', 'uses p(95)'],
  ])('rejects %s: %s', (key, expr, message) => {
    expectError(() => validateThresholds({ [key]: [{ threshold: expr, abortOnFail: false, delayAbortEvalMs: 0 }] }, registry), 'TT_THRESHOLD_INVALID', `thresholds["${key}"][0]`, message);
  });
});

describe('evaluateThresholds', () => {
  const registry = new MetricRegistry();
  registry.define('errors', 'counter');
  registry.define('my_rate', 'rate');

  function run(fill: (agg: Aggregator) => void, raw: Record<string, unknown>) {
    const decls = parseThresholds(raw);
    const selectors = thresholdSelectors(decls);
    const agg = new Aggregator(registry, selectors);
    fill(agg);
    const merged = new MergedResult(registry, selectors);
    merged.merge(agg.flush());
    return { merged, decls };
  }

  it('evaluates each aggregation', () => {
    const { merged, decls } = run(
      (agg) => {
        for (let i = 1; i <= 100; i++) agg.add({ metric: 'http_req_duration', time: T0 + i, value: i, tags: { status: i <= 90 ? '200' : '500' } });
        for (let i = 0; i < 20; i++) agg.add({ metric: 'errors', time: T0, value: 1, tags: {} });
        agg.add({ metric: 'vus', time: T0, value: 10, tags: {} });
      },
      {
        http_req_duration: ['p(95)<90', 'p(50)<=51', 'avg==50.5', 'max<100', 'min>=1', 'med<60'],
        'http_req_duration{status:200}': ['max<=90', 'p(99)<50'],
        errors: ['count<=20', 'rate<2', 'rate>=2.5'],
        vus: ['value==10'],
      },
    );
    const results = evaluateThresholds(merged, decls, { testRunDurationMs: 8000, elapsedMs: 8000 });
    expect(results.map((r) => [r.metricKey, r.expression, r.ok])).toEqual([
      ['http_req_duration', 'p(95)<90', false],
      ['http_req_duration', 'p(50)<=51', true],
      ['http_req_duration', 'avg==50.5', true],
      ['http_req_duration', 'max<100', false],
      ['http_req_duration', 'min>=1', true],
      ['http_req_duration', 'med<60', true],
      ['http_req_duration{status:200}', 'max<=90', true],
      ['http_req_duration{status:200}', 'p(99)<50', false],
      ['errors', 'count<=20', true],
      ['errors', 'rate<2', false],
      ['errors', 'rate>=2.5', true],
      ['vus', 'value==10', true],
    ]);
    expect(results.find((r) => r.expression === 'rate<2')?.observed).toBe(2.5);
    expect(results.every((r) => !r.abort)).toBe(true);
  });

  it('skips metrics without samples during the run and evaluates them with k6 empty values at the end', () => {
    const { merged, decls } = run(() => {}, {
      errors: [{ threshold: 'count>0', abortOnFail: true }],
      my_rate: ['rate>0.5'],
      http_req_duration: ['p(95)<200', 'avg>1'],
    });
    const during = evaluateThresholds(merged, decls, { testRunDurationMs: 5000, elapsedMs: 5000 });
    expect(during.map((r) => [r.ok, r.abort, r.observed])).toEqual([
      [true, false, undefined],
      [true, false, undefined],
      [true, false, undefined],
      [true, false, undefined],
    ]);
    const end = evaluateThresholds(merged, decls, { testRunDurationMs: 5000, elapsedMs: 5000, final: true });
    expect(end.map((r) => [r.expression, r.ok, r.observed])).toEqual([
      ['count>0', false, 0],
      ['rate>0.5', true, undefined],
      ['p(95)<200', true, 0],
      ['avg>1', false, 0],
    ]);
  });

  it('aborts only with abortOnFail, once delayAbortEval has passed', () => {
    const { merged, decls } = run(
      (agg) => agg.add({ metric: 'http_req_failed', time: T0, value: 1, tags: {} }),
      {
        http_req_failed: [
          { threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10s' },
          { threshold: 'rate<0.2', abortOnFail: true },
          'rate<0.3',
          { threshold: 'rate>0.5', abortOnFail: true },
        ],
      },
    );
    const at = (elapsedMs: number) => evaluateThresholds(merged, decls, { testRunDurationMs: elapsedMs, elapsedMs }).map((r) => [r.ok, r.abortOnFail, r.abort]);
    expect(at(9_999)).toEqual([
      [false, true, false],
      [false, true, true],
      [false, false, false],
      [true, true, false],
    ]);
    expect(at(10_000)[0]).toEqual([false, true, true]);
  });
});

describe('threshold helpers', () => {
  const decls: Record<string, ThresholdDecl[]> = parseThresholds({
    'http_req_duration{status:200}': ['p(99.9)<1', 'avg<1', 'p(95)<2'],
    'http_req_duration{ status : 200 }': ['p(95)<3'],
    http_req_duration: ['med<1', 'p(90)<1'],
    checks: ['rate>0.9'],
  });

  it('lists the sub-metric selectors, deduplicated by canonical key', () => {
    expect(thresholdSelectors(decls)).toEqual([{ key: 'http_req_duration{status:200}', parent: 'http_req_duration', tags: { status: '200' } }]);
  });

  it('lists the percentiles thresholds need', () => {
    expect(trendStatsNeeded(decls)).toEqual(['p(99.9)', 'p(95)', 'p(90)']);
  });
});
