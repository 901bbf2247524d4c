/** strconv.FormatFloat and fmt on their own (the promtool test compares them with Go where promtool is installed). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatFloat } from '../../src/rules/template/go-float.ts';
import { sprintf } from '../../src/rules/template/go-fmt.ts';

describe('Go float formatting', () => {
  it('prints the shortest form Go prints', () => {
    const cases: Array<[number, string]> = [
      [1e6, '1e+06'], [1e5, '100000'], [1.5e-7, '1.5e-07'], [0.001, '0.001'], [0.0001, '0.0001'], [1e-5, '1e-05'],
      [100, '100'], [1234567, '1.234567e+06'], [0, '0'], [-0, '-0'], [1e21, '1e+21'], [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'], [0.1 + 0.2, '0.30000000000000004'],
      [Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'],
    ];
    for (const [x, s] of cases) expect(formatFloat(x, 'g', -1), String(x)).toBe(s);
  });

  it('rounds half to even only on exact ties, like Go', () => {
    expect(sprintf('%.0f %.0f %.0f %.0f', [0.5, 1.5, 2.5, 3.5])).toBe('0 2 2 4');
    expect(sprintf('%.2f %.1f', [1.005, 0.25])).toBe('1.00 0.2');
    expect(sprintf('%.1f', [0.35])).toBe('0.3'); // 0.35 is 0.34999... as a double
    expect(sprintf('%.3e %.4g %.1g', [1234.5678, 0.00001234, 0.05])).toBe('1.235e+03 1.234e-05 0.05');
  });

  it('shortest forms round-trip to the same double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      for (const f of ['g', 'e', 'f'] as const) expect(Object.is(Number(formatFloat(x, f, -1)), x) || (x === 0 && Number(formatFloat(x, f, -1)) === 0)).toBe(true);
    }), { numRuns: 3000 });
  });

  it('fixed precision stays within half a unit of the last digit', () => {
    fc.assert(fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.integer({ min: 0, max: 12 }), (x, p) => {
      const s = formatFloat(x, 'f', p);
      expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(0.5 * 10 ** -p * (1 + 1e-9) + Math.abs(x) * 1e-15);
      expect(s.split('.')[1]?.length ?? 0).toBe(p);
    }), { numRuns: 2000 });
  });
});

describe('Go fmt verbs', () => {
  it('reports mistakes the way Go does', () => {
    expect(sprintf('%d|%s|%!|%z', [1.5, 2n, 3n])).toBe('%!d(float64=1.5)|%!s(int=2)|%!!(int=3)|%!z(MISSING)');
    expect(sprintf('%s', ['a', 'b', 3n])).toBe('a%!(EXTRA string=b, int=3)');
    expect(sprintf('%.2f', ['abc'])).toBe('%!f(string=ab)');
    expect(sprintf('%', [])).toBe('%!(NOVERB)');
  });
  it('pads and signs numbers and strings', () => {
    expect(sprintf('%05d|%-5d|%+d|%x|%#o|%5.1f|%-6s|%06.2f', [-42n, 7n, 3n, 255n, 8n, 3.14159, 'ab', -1.5])).toBe('-0042|7    |+3|ff|010|  3.1|ab    |-01.50');
  });
});
