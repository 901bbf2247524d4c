import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/duration.ts';
import {
  humanizeBytes,
  humanizeDuration,
  humanizeDurationIn,
  humanizeRate,
  humanizeValue,
  toFixedNoTrailingZeros,
} from '../../src/load/summary/index.ts';

describe('k6 value formatting', () => {
  it('formats durations like k6: truncated, µs/ms/s, minutes without sub-seconds', () => {
    expect(humanizeDuration(0)).toBe('0s');
    expect(humanizeDuration(0.0005)).toBe('500ns');
    expect(humanizeDuration(0.0123)).toBe('12.3µs');
    expect(humanizeDuration(1.234)).toBe('1.23ms');
    expect(humanizeDuration(1.239)).toBe('1.23ms');
    expect(humanizeDuration(999.999)).toBe('999.99ms');
    expect(humanizeDuration(1000)).toBe('1s');
    expect(humanizeDuration(2500)).toBe('2.5s');
    expect(humanizeDuration(60_000)).toBe('1m0s');
    expect(humanizeDuration(62_345)).toBe('1m2s');
    expect(humanizeDuration(3_723_000)).toBe('1h2m3s');
    expect(humanizeDuration(NaN)).toBe('NaN');
  });

  it('uses a fixed unit with two decimals when summaryTimeUnit is set', () => {
    expect(humanizeDurationIn(1234.5678, 'ms')).toBe('1234.57ms');
    expect(humanizeDurationIn(1234.5678, 's')).toBe('1.23s');
    expect(humanizeDurationIn(1.5, 'us')).toBe('1500.00µs');
    expect(humanizeDurationIn(1.5, '')).toBe('1.5ms');
    expect(humanizeDurationIn(1.5, 'toString')).toBe('1.5ms');
  });

  it('formats data in SI units and rates as truncated percentages', () => {
    expect(humanizeBytes(0)).toBe('0 B');
    expect(humanizeBytes(9)).toBe('9 B');
    expect(humanizeBytes(999)).toBe('999 B');
    expect(humanizeBytes(1234)).toBe('1.2 kB');
    expect(humanizeBytes(12_345)).toBe('12 kB');
    expect(humanizeBytes(1_312_345)).toBe('1.3 MB');
    expect(humanizeRate(1)).toBe('100.00%');
    expect(humanizeRate(0.99999)).toBe('99.99%');
    expect(humanizeRate(0)).toBe('0.00%');
    expect(humanizeValue(12.3456789, { type: 'trend', contains: 'default' })).toBe('12.345679');
    expect(humanizeValue(1200, { type: 'counter', contains: 'data' })).toBe('1.2 kB');
    expect(toFixedNoTrailingZeros(2.5, 6)).toBe('2.5');
  });
});

describe('formatter properties', () => {
  const ms = fc.double({ min: 0, max: 1e9, noNaN: true });

  it('durations read back with config/duration to a value no larger than the input, within k6 precision', () => {
    fc.assert(
      fc.property(ms, (v) => {
        const s = humanizeDuration(v);
        expect(s).toMatch(/^(\d+h)?(\d+m)?\d+(\.\d{1,2})?(ns|µs|ms|s)$/);
        const back = parseDuration(s, 'test');
        // k6 truncates: 2 decimals of the unit shown, whole seconds above a minute, whole ns below 1µs.
        const tolerance = v >= 60_000 ? 1000 : v >= 1000 ? 10 : v >= 1 ? 0.01 : v >= 0.001 ? 0.00001 : 0.000001;
        expect(back).toBeLessThanOrEqual(v + 1e-9 * Math.max(1, v));
        expect(v - back).toBeLessThan(tolerance + 1e-9 * Math.max(1, v));
      }),
      { numRuns: 2000 },
    );
  });

  it('durations never grow shorter as the input grows, within a unit', () => {
    fc.assert(
      fc.property(ms, ms, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(parseDuration(humanizeDuration(lo), 't')).toBeLessThanOrEqual(parseDuration(humanizeDuration(hi), 't') + 1e-9 * hi);
      }),
    );
  });

  it('bytes: `N B` below 10, otherwise one decimal below 10 units and none above', () => {
    fc.assert(
      fc.property(fc.double({ min: 10, max: 1e24, noNaN: true }), (b) => {
        const s = humanizeBytes(b);
        expect(s).toMatch(/^(\d\.\d|\d{2,4}) (B|kB|MB|GB|TB|PB|EB|ZB|YB)$/);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), (b) => {
        expect(humanizeBytes(b)).toBe(`${b} B`);
      }),
    );
  });

  it('rates: two decimals, never rounded up', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (r) => {
        const s = humanizeRate(r);
        expect(s).toMatch(/^\d{1,3}\.\d\d%$/);
        expect(parseFloat(s)).toBeLessThanOrEqual(r * 100 + 1e-9);
        expect(r * 100 - parseFloat(s)).toBeLessThan(0.01 + 1e-9);
      }),
    );
  });

  it('plain numbers keep at most six decimals and no trailing zeros', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (v) => {
        const s = toFixedNoTrailingZeros(v, 6);
        expect(s).not.toMatch(/\.\d*0$/);
        expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(5e-7 + Math.abs(v) * 1e-15);
      }),
    );
  });
});
