import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, evaluateAssertions, type CompiledAssertion, type Comparison, type JsonValue } from '../../src/probes/assertions.ts';

const found = (value: unknown) => ({ found: true, value });
const missing = { found: false, value: undefined };
const a = (comparison: Comparison, target?: JsonValue, regex?: RegExp): CompiledAssertion => ({ source: 'x', comparison, ...(target === undefined ? {} : { target }), ...(regex ? { regex } : {}) });

describe('assertion comparisons', () => {
  it('equals compares numbers as numbers, structures by value, the rest as text', () => {
    expect(compare(found(200), a('equals', 200))).toBe(true);
    expect(compare(found('200'), a('equals', 200))).toBe(true);
    expect(compare(found(200), a('equals', '200'))).toBe(true);
    expect(compare(found(201), a('equals', 200))).toBe(false);
    expect(compare(found({ b: 1, a: [1, 2] }), a('equals', { a: [1, 2], b: 1 }))).toBe(true);
    expect(compare(found([1, 2]), a('equals', [2, 1]))).toBe(false);
    expect(compare(found(true), a('equals', true))).toBe(true);
    expect(compare(found(true), a('equals', 'true'))).toBe(true);
    expect(compare(found(null), a('equals', null))).toBe(true);
    expect(compare(found('null'), a('equals', null))).toBe(false);
    expect(compare(missing, a('equals', 'x'))).toBe(false);
    expect(compare(missing, a('notEquals', 'x'))).toBe(true);
    expect(compare(found('a'), a('notEquals', 'b'))).toBe(true);
  });

  it('lessThan / greaterThan need numbers on both sides', () => {
    expect(compare(found(99), a('lessThan', 100))).toBe(true);
    expect(compare(found('99.5'), a('lessThan', '100'))).toBe(true);
    expect(compare(found(100), a('lessThan', 100))).toBe(false);
    expect(compare(found(101), a('greaterThan', 100))).toBe(true);
    expect(compare(found('abc'), a('greaterThan', 1))).toBe(false);
    expect(compare(found(''), a('lessThan', 1))).toBe(false);
    expect(compare(missing, a('lessThan', 1))).toBe(false);
  });

  it('contains looks into text and arrays; matches tests a regex, on any array element', () => {
    expect(compare(found('application/json; charset=utf-8'), a('contains', 'json'))).toBe(true);
    expect(compare(found(['a1', 'b2']), a('contains', 'b2'))).toBe(true);
    expect(compare(found(['a1', 'b2']), a('contains', 'b'))).toBe(false);
    expect(compare(found([1, 2]), a('contains', 2))).toBe(true);
    expect(compare(missing, a('contains', 'x'))).toBe(false);
    expect(compare(missing, a('notContains', 'x'))).toBe(true);
    expect(compare(found('hello'), a('notContains', 'x'))).toBe(true);
    expect(compare(found('v1.2.3'), a('matches', 'v\\d', /v\d/))).toBe(true);
    expect(compare(found(['x', 'v9']), a('matches', '^v\\d$', /^v\d$/))).toBe(true);
    expect(compare(found(['x', 'v9']), a('notMatches', '^v\\d$', /^v\d$/))).toBe(false);
    expect(compare(found(42), a('matches', '^4', /^4/))).toBe(true);
    expect(compare(missing, a('notMatches', 'x', /x/))).toBe(true);
  });

  it('isEmpty / notEmpty', () => {
    for (const v of [missing, found(null), found(''), found([]), found({})]) expect(compare(v, a('isEmpty'))).toBe(true);
    for (const v of [found(0), found(false), found(' '), found([0]), found({ a: 1 })]) expect(compare(v, a('notEmpty'))).toBe(true);
  });

  it('results say what was expected and what came', () => {
    const [ok, bad, gone] = evaluateAssertions(
      [{ source: 'statusCode', comparison: 'equals', target: 200 }, { source: 'jsonBody', property: '$.id', comparison: 'equals', target: 'a' }, { source: 'header', property: 'x-id', comparison: 'notEmpty' }],
      (x) => (x.source === 'statusCode' ? found(200) : x.source === 'jsonBody' ? found('b') : missing),
    );
    expect(ok).toMatchObject({ ok: true, actual: '200', message: 'statusCode equals 200' });
    expect(bad).toMatchObject({ ok: false, actual: 'b', message: 'expected jsonBody $.id to equal "a", got "b"' });
    expect(gone).toMatchObject({ ok: false, message: 'expected header x-id not to be empty, it is missing' });
    expect(gone.actual).toBeUndefined();
  });

  it('a resolver that throws fails its assertion only', () => {
    const results = evaluateAssertions([{ source: 'a', comparison: 'isEmpty' }, { source: 'b', comparison: 'isEmpty' }], (x) => {
      if (x.source === 'a') throw new Error('boom');
      return missing;
    });
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(results[0].message).toBe('a: boom');
  });

  it('never throws, whatever the values', () => {
    const comparisons: Comparison[] = ['equals', 'notEquals', 'lessThan', 'greaterThan', 'contains', 'notContains', 'matches', 'notMatches', 'isEmpty', 'notEmpty'];
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.constant(undefined)), fc.jsonValue(), fc.constantFrom(...comparisons), fc.boolean(), (actual, target, comparison, isFound) => {
        const result = compare({ found: isFound, value: actual }, a(comparison, target as JsonValue, /a/));
        expect(typeof result).toBe('boolean');
        const [r] = evaluateAssertions([a(comparison, target as JsonValue, /a/)], () => ({ found: isFound, value: actual }));
        expect(r.message.length).toBeGreaterThan(0);
        expect(r.message.length).toBeLessThan(1000);
      }),
      { numRuns: 1000 },
    );
  });
});
