import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { formatSubmetricKey, matchesSelector, parseMetricKey } from '../../src/metrics/index.ts';
import { submetricKeys } from '../../src/metrics/metric-key.ts';

describe('parseMetricKey', () => {
  it('parses plain names', () => {
    expect(parseMetricKey('http_req_duration')).toEqual({ key: 'http_req_duration', parent: 'http_req_duration', tags: {} });
  });

  it('parses tag filters in k6 syntax', () => {
    expect(parseMetricKey('http_req_duration{status:200}')).toEqual({
      key: 'http_req_duration{status:200}',
      parent: 'http_req_duration',
      tags: { status: '200' },
    });
    const spaced = parseMetricKey('my_trend{ method : GET , name:foo }');
    expect(spaced.parent).toBe('my_trend');
    expect({ ...spaced.tags }).toEqual({ method: 'GET', name: 'foo' });
    // k6 names the sub-metric by the filter as written, trimmed.
    expect(spaced.key).toBe('my_trend{method : GET , name:foo}');
    expect({ ...parseMetricKey('checks{check:status is 200}').tags }).toEqual({ check: 'status is 200' });
    expect({ ...parseMetricKey('x{url:http://a:80/b}').tags }).toEqual({ url: 'http://a:80/b' });
  });

  it('accepts quoted names and values', () => {
    expect({ ...parseMetricKey(`x{"name":"a, b {c}"}`).tags }).toEqual({ name: 'a, b {c}' });
    expect({ ...parseMetricKey(`x{name:'it is'}`).tags }).toEqual({ name: 'it is' });
    expect({ ...parseMetricKey(`x{a:"", b : 'x' }`).tags }).toEqual({ a: '', b: 'x' });
    expect(parseMetricKey(`x{name:"a,b"}`).key).toBe('x{name:"a,b"}');
  });

  it.each([
    ['http_req_duration{status:200', 'missing the closing'],
    ['http_req_duration status:200}', "'}' without '{'"],
    ['http_req_duration{status:200}x', 'after the closing'],
    ['http_req_duration{}', 'empty tag filter'],
    ['http_req_duration{:200}', 'empty tag name'],
    ['http_req_duration{status}', "has no value"],
    ['http_req_duration{status:}', 'empty value'],
    ['http_req_duration{a:1,}', 'empty tag name'],
    ['http_req_duration{a:1,a:2}', 'appears twice'],
    ['http_req_duration{a:"b}', 'unterminated quote'],
    ['http_req_duration{a:"b"c}', 'after the quoted value'],
    ['{a:b}', 'missing metric name'],
    ['1abc', 'not a valid metric name'],
    ['', 'missing metric name'],
  ])('rejects %j', (key, reason) => {
    try {
      parseMetricKey(key);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TelltaleError);
      expect((err as TelltaleError).code).toBe('TT_THRESHOLD_INVALID');
      expect((err as TelltaleError).message).toContain(JSON.stringify(key));
      expect((err as TelltaleError).message).toContain(reason);
    }
  });

  it('never crashes on hostile input: parses or throws TT_THRESHOLD_INVALID naming the key', () => {
    const alphabet = fc.constantFrom(...'ab_1{}:,"\' \t\\'.split(''));
    const hostile = fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 30 }).map((s) => `m${s}`));
    fc.assert(
      fc.property(hostile, (key) => {
        let sel;
        try {
          sel = parseMetricKey(key);
        } catch (err) {
          return (
            err instanceof TelltaleError && err.code === 'TT_THRESHOLD_INVALID' && err.message.includes(JSON.stringify(key))
          );
        }
        const again = parseMetricKey(sel.key);
        return again.key === sel.key && JSON.stringify(again.tags) === JSON.stringify(sel.tags);
      }),
      { seed: 7, numRuns: 1000 },
    );
  });

  it('reads back what formatSubmetricKey writes', () => {
    const text = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s !== '' && !s.includes('"'));
    fc.assert(
      fc.property(fc.dictionary(text, text, { minKeys: 1, maxKeys: 4 }), (tags) => {
        const key = formatSubmetricKey('my_metric', tags);
        const sel = parseMetricKey(key);
        expect(sel.parent).toBe('my_metric');
        expect({ ...sel.tags }).toEqual({ ...tags });
        expect(sel.key).toBe(key);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('submetricKeys', () => {
  it('keeps an unquoted value with braces as written, as k6 names the sub-metric', () => {
    const key = 'http_reqs{name:${}/api/items/${}}';
    const sel = submetricKeys([key]).get(key)!;
    expect(sel.key).toBe(key);
    expect({ ...sel.tags }).toEqual({ name: '${}/api/items/${}' });
  });

  it('folds filters with the same tags onto the first spelling', () => {
    const keys = ['http_req_duration{status:200,method:GET}', 'http_req_duration{ method: GET , status : 200 }', 'http_req_duration{status:"200"}'];
    const map = submetricKeys(keys);
    expect(map.get(keys[1])!.key).toBe(keys[0]);
    expect(map.get(keys[2])!.key).toBe('http_req_duration{status:"200"}');
    expect(submetricKeys(['a{x:1}', 'b{x:1}']).get('b{x:1}')!.key).toBe('b{x:1}');
  });
});

describe('matchesSelector', () => {
  it('needs every selector tag present with an equal value', () => {
    const sel = parseMetricKey('http_req_duration{status:200,method:GET}');
    expect(matchesSelector(sel, { status: '200', method: 'GET', name: 'x' })).toBe(true);
    expect(matchesSelector(sel, { status: '200' })).toBe(false);
    expect(matchesSelector(sel, { status: '201', method: 'GET' })).toBe(false);
  });
});

describe('k6 compatibility of tag filters', () => {
  it('takes everything between the first { and the last } as the filter, so values may hold braces', () => {
    expect(parseMetricKey('http_reqs{name:${}/api/items/${}}').tags).toEqual({ name: '${}/api/items/${}' });
    expect(parseMetricKey('http_req_duration{a:{b}}').tags).toEqual({ a: '{b}' });
  });
});
