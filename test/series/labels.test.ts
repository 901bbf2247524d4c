import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalLabels, compareLabels, formatLabels, labelsKey, labelsProblem } from '../../src/series/labels.ts';
import { compileMatcher, compileRegex, matchesAll, compileMatchers, selectsEverything } from '../../src/series/matchers.ts';
import { isStaleNaN, STALE_NAN, type Labels } from '../../src/series/types.ts';

describe('labels', () => {
  it('validates names and values as Prometheus does', () => {
    expect(labelsProblem({ __name__: 'http_requests_total', code: '200' })).toBeUndefined();
    expect(labelsProblem({ __name__: 'ns:rule:rate5m' })).toBeUndefined();
    expect(labelsProblem({ code: '200' })).toMatch(/metric name/);
    expect(labelsProblem({ __name__: '1abc' })).toMatch(/invalid metric name/);
    expect(labelsProblem({ __name__: 'a', 'b-c': 'x' })).toMatch(/invalid label name "b-c"/);
    expect(labelsProblem({ __name__: 'a', 'b:c': 'x' })).toMatch(/invalid label name/);
    expect(labelsProblem({ __name__: 'a', b: 'x\uD800' })).toMatch(/UTF-8/);
    expect(labelsProblem({ __name__: 'a', b: 'ü 😀 \n' })).toBeUndefined();
  });

  it('keys ignore key order and empty values', () => {
    expect(labelsKey({ b: '2', a: '1' })).toBe(labelsKey({ a: '1', b: '2', c: '' }));
    expect(labelsKey({ a: '1' })).not.toBe(labelsKey({ a: '1', b: '2' }));
    expect(Object.keys(canonicalLabels({ z: '1', a: '2', m: '' }))).toEqual(['a', 'z']);
  });

  it('keys never collide for different label sets', () => {
    const labels = fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,3}$/), fc.string({ maxLength: 4 }), { maxKeys: 4 });
    fc.assert(
      fc.property(labels, labels, (a, b) => {
        const same = JSON.stringify(canonicalLabels(a)) === JSON.stringify(canonicalLabels(b));
        expect(labelsKey(a) === labelsKey(b)).toBe(same);
        expect(compareLabels(a, b) === 0).toBe(same);
      }),
    );
  });

  it('sorts label sets label by label', () => {
    const sets: Labels[] = [{ a: '2' }, { a: '1', b: '1' }, { a: '1' }, { b: '0' }];
    expect(sets.sort(compareLabels)).toEqual([{ a: '1' }, { a: '1', b: '1' }, { a: '2' }, { b: '0' }]);
    expect(formatLabels({ __name__: 'up', job: 'x', instance: 'h:1' })).toBe('up{instance="h:1", job="x"}');
    expect(formatLabels({ __name__: 'up' })).toBe('up');
  });
});

describe('matchers', () => {
  it('anchors regular expressions and treats a missing label as empty', () => {
    const m = compileMatcher({ type: '=~', name: 'code', value: '2..|3..' });
    expect(m.matches('200')).toBe(true);
    expect(m.matches('1200')).toBe(false);
    expect(m.matchesEmpty).toBe(false);
    expect(compileMatcher({ type: '!=', name: 'x', value: 'a' }).matchesEmpty).toBe(true);
    const all = compileMatchers([{ type: '=', name: '__name__', value: 'up' }, { type: '=', name: 'job', value: '' }]);
    expect(matchesAll(all, { __name__: 'up' })).toBe(true);
    expect(matchesAll(all, { __name__: 'up', job: 'a' })).toBe(false);
    expect(selectsEverything(compileMatchers([{ type: '=~', name: 'a', value: '.*' }]))).toBe(true);
  });

  it('takes RE2 spellings JavaScript lacks', () => {
    expect(compileRegex('(?i)get').test('GET')).toBe(true);
    expect(compileRegex('\\Qa.b\\E').test('a.b')).toBe(true);
    expect(compileRegex('\\Qa.b\\E').test('axb')).toBe(false);
    expect(compileRegex('(?P<x>a+)').test('aaa')).toBe(true);
    expect(compileRegex('a.b').test('a\nb')).toBe(true);
  });

  it('reports an invalid pattern instead of throwing a bare SyntaxError', () => {
    expect(() => compileRegex('(')).toThrow(/invalid regular expression "\("/);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (p) => {
        try {
          compileRegex(p);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('TT_PROMQL_PARSE');
        }
      }),
    );
  });
});

describe('staleness marker', () => {
  it('is a NaN told apart from ordinary NaNs', () => {
    expect(Number.isNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
    const f = new Float64Array(1);
    f[0] = STALE_NAN;
    expect(isStaleNaN(f[0])).toBe(true);
  });
});
