import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import {
  CounterSink,
  GaugeSink,
  RateSink,
  ScaledHistogram,
  TrendSink,
  parseTrendStats,
  sinkValues,
} from '../../src/metrics/index.ts';
import { exactPercentile, percentileTolerance } from './helpers.ts';

const STATS = ['avg', 'min', 'med', 'max', 'count', 'p(90)', 'p(95)', 'p(99.9)'];

describe('CounterSink', () => {
  it('reports count and count per second of test time', () => {
    const s = new CounterSink();
    for (const v of [1, 2, 3.5]) s.add(v);
    expect(sinkValues('counter', s, STATS, 2000)).toEqual({ count: 6.5, rate: 3.25 });
    expect(sinkValues('counter', undefined, STATS, 2000)).toEqual({ count: 0, rate: 0 });
  });
});

describe('GaugeSink', () => {
  it('keeps the value with the latest sample time, and exact min/max', () => {
    const s = new GaugeSink();
    s.add(5, 100);
    s.add(-3, 300);
    s.add(9, 200);
    expect(sinkValues('gauge', s, STATS, 1000)).toEqual({ value: -3, min: -3, max: 9 });
    s.add(4, 300);
    expect(s.value).toBe(4);
  });

  it('merges by sample time whatever the order', () => {
    const a = new GaugeSink();
    a.add(1, 10);
    const b = new GaugeSink();
    b.add(2, 20);
    const m1 = new GaugeSink();
    m1.merge(b.state());
    m1.merge(a.state());
    expect(m1.value).toBe(2);
    expect([m1.min, m1.max, m1.n]).toEqual([1, 2, 2]);
  });

  it('has negative maxima right (k6 starts max at 0)', () => {
    const s = new GaugeSink();
    s.add(-5, 1);
    s.add(-2, 2);
    expect(sinkValues('gauge', s, [], 0)).toEqual({ value: -2, min: -5, max: -2 });
  });
});

describe('RateSink', () => {
  it('counts non-zero samples as passes', () => {
    const s = new RateSink();
    for (const v of [1, 0, 0.5, -1, 0]) s.add(v);
    expect(sinkValues('rate', s, STATS, 1000)).toEqual({ rate: 0.6, passes: 3, fails: 2 });
    expect(sinkValues('rate', undefined, STATS, 1000)).toEqual({ rate: 0, passes: 0, fails: 0 });
  });
});

describe('TrendSink', () => {
  it('reports exact avg/min/max/count and k6 percentiles', () => {
    const s = new TrendSink();
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    for (const v of values) s.add(v);
    const out = sinkValues('trend', s, STATS, 1000);
    expect(out.avg).toBe(55);
    expect(out.min).toBe(10);
    expect(out.max).toBe(100);
    expect(out.count).toBe(10);
    // k6: med = values[4.5] = 55, p(90) = values[8.1] = 91, p(95) = 95.5 (here within the 0.1% bucket width)
    expect(Math.abs(out.med - 55)).toBeLessThan(55e-3);
    expect(Math.abs(out['p(90)'] - 91)).toBeLessThan(91e-3);
    expect(Math.abs(out['p(95)'] - 95.5)).toBeLessThan(95.5e-3);
    expect(Object.keys(out)).toEqual(['avg', 'min', 'max', 'count', 'med', 'p(90)', 'p(95)', 'p(99.9)']);
  });

  it('reports zeros when empty, like k6', () => {
    expect(sinkValues('trend', new TrendSink(), ['avg', 'med', 'p(95)', 'count'], 0)).toEqual({
      avg: 0,
      med: 0,
      'p(95)': 0,
      count: 0,
    });
  });

  it('gives p(0) = min and p(100) = max exactly', () => {
    const s = new TrendSink();
    for (const v of [123.4567, 0.001, 98765.4321, -7.25]) s.add(v);
    const out = sinkValues('trend', s, ['p(0)', 'p(100)'], 0);
    expect(out['p(0)']).toBe(-7.25);
    expect(out['p(100)']).toBe(98765.4321);
  });

  it('keeps percentiles within 0.1% of the exact ones, for any sign and magnitude', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 60_000_000 }).map((x) => x / 1000),
      fc.integer({ min: -5_000_000, max: 5_000_000 }).map((x) => x / 1000),
      fc.double({ min: -1e18, max: 1e18, noNaN: true }),
      fc.double({ min: 0, max: 5, noNaN: true }),
    );
    const pct = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.95, 0.99, 0.999, 1), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), fc.array(pct, { minLength: 1, maxLength: 5 }), (values, pcts) => {
        const s = new TrendSink();
        for (const v of values) s.add(v);
        const got = s.percentiles(pcts);
        pcts.forEach((p, i) => {
          expect(Math.abs(got[i] - exactPercentile(values, p))).toBeLessThanOrEqual(percentileTolerance(values, p));
        });
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('accepts infinities without breaking the histogram', () => {
    const s = new TrendSink();
    for (const v of [1, 2, Infinity, -Infinity, 3]) s.add(v);
    const out = sinkValues('trend', s, ['min', 'max', 'med', 'count'], 0);
    expect(out).toEqual({ min: -Infinity, max: Infinity, med: 2, count: 5 });
  });
});

describe('ScaledHistogram', () => {
  it('stays bounded in memory whatever the number of samples', () => {
    const h = new ScaledHistogram('float64');
    for (let i = 0; i < 200_000; i++) h.record((i % 5000) * 1.7);
    const before = h.footprint();
    for (let i = 0; i < 200_000; i++) h.record((i % 5000) * 1.7);
    expect(h.footprint()).toBe(before);
    expect(before).toBeLessThan(200_000);
    expect(h.count).toBe(400_000);
  });

  it('encodes compactly and merges exactly', () => {
    const a = new ScaledHistogram();
    const values = [0, 0.0004, 1, 1.5, 250.25, -3, -1e13, 1e13, 42, 42, 42];
    for (const v of values) a.record(v);
    const enc = a.encode();
    const b = new ScaledHistogram('float64');
    b.merge(structuredClone(enc));
    b.merge(enc);
    expect(b.count).toBe(values.length * 2);
    const ranks = Array.from({ length: b.count }, (_, i) => i);
    const got = b.valuesAtRanks(ranks);
    const sorted = [...values, ...values].sort((x, y) => x - y);
    got.forEach((v, i) => expect(Math.abs(v - sorted[i])).toBeLessThanOrEqual(Math.abs(sorted[i]) * 1e-3 + 1e-3));
    expect(enc.tiers.every((t) => t === null || t instanceof Uint8Array)).toBe(true);
  });
});

describe('parseTrendStats', () => {
  it('accepts k6 stats', () => {
    const list = ['avg', 'min', 'med', 'max', 'count', 'p(90)', 'p(99.9)', 'p(0)', 'p(100)'];
    expect(parseTrendStats(list)).toEqual(list);
  });

  it.each(['p(101)', 'p(-1)', 'p()', 'p(abc)', 'mean', 'P(95)', 'p95', ''])('rejects %j', (stat) => {
    try {
      parseTrendStats(['avg', stat]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TelltaleError);
      expect((err as TelltaleError).code).toBe('TT_CONFIG_INVALID');
      expect((err as TelltaleError).message).toContain(`summaryTrendStats[1]: invalid trend stat ${JSON.stringify(stat)}`);
    }
  });
});
