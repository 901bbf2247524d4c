import { describe, expect, it } from 'vitest';
import { holm, mannWhitney, normalUpperTail, proportionIncrease } from '../../src/gate/stats.ts';

describe('gate statistics', () => {
  it('normal tail', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(-1.644854)).toBeCloseTo(0.95, 6);
  });

  it('Mann-Whitney U matches the textbook normal approximation', () => {
    // reference: U = 25, z = (25 - 12.5 - 0.5) / sqrt(25 * 11 / 12) = 2.5067, p = 0.00609
    const t = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(t.u).toBe(25);
    expect(t.pGreater).toBeCloseTo(0.00609, 4);
    expect(t.pLess).toBeGreaterThan(0.99);
  });

  it('handles ties with average ranks and the tie-corrected variance', () => {
    const t = mannWhitney([1, 2, 2, 3], [2, 3, 3, 4]);
    // ranks: 1:1, 2:3 (x3), 3:6 (x3), 4:8 → rank sum of b = 3 + 6 + 6 + 8 = 23, U = 23 - 10 = 13
    expect(t.u).toBe(13);
    expect(t.pGreater).toBeGreaterThan(0.05);
    expect(mannWhitney([5, 5, 5], [5, 5, 5])).toEqual({ u: 4.5, pGreater: 1, pLess: 1 });
  });

  it('is symmetric: swapping the samples swaps the one-sided p-values', () => {
    const a = [3, 8, 1, 9, 4, 4, 7];
    const b = [5, 6, 2, 10, 11, 12];
    expect(mannWhitney(a, b).pGreater).toBeCloseTo(mannWhitney(b, a).pLess, 12);
  });

  it('Holm rejects in order of p-values until the first that fails its level', () => {
    expect(holm([0.01, 0.04, 0.03], 0.05)).toEqual([true, false, false]);
    expect(holm([0.001, 0.02, 0.012], 0.05)).toEqual([true, true, true]);
    expect(holm([], 0.05)).toEqual([]);
  });

  it('two-proportion test', () => {
    expect(proportionIncrease(0, 1000, 20, 1000)).toBeLessThan(1e-4);
    expect(proportionIncrease(20, 1000, 0, 1000)).toBeGreaterThan(0.99);
    expect(proportionIncrease(0, 1000, 0, 1000)).toBe(1);
    expect(proportionIncrease(0, 0, 1, 10)).toBe(1);
  });
});
