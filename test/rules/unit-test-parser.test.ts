/**
 * The parsers behind `rules test`: the input_series value notation against a plain model, and the test-file
 * reader on hostile input (it never crashes; every error names the file, a line and, past YAML syntax, the
 * field).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { expandValues, type SeriesValue } from '../../src/promql/promqltest/series-notation.ts';
import { parseUnitTestFile } from '../../src/rules/unit-test/test-file.ts';
import { goYamlNumber } from '../../src/rules/unit-test/yaml-fields.ts';

type Item =
  | { kind: 'num'; a: number }
  | { kind: 'up' | 'down'; a: number; b: number; n: number }
  | { kind: 'repeat'; a: number; n: number }
  | { kind: 'blank' }
  | { kind: 'blanks'; n: number }
  | { kind: 'stale' };

/** Numbers as test files write them: integers, quarters, exponents. */
const num = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -400, max: 400 }).map((k) => k / 4),
  fc.integer({ min: 1, max: 9 }).map((k) => k * 1000),
);
const count = fc.integer({ min: 0, max: 12 });

const item: fc.Arbitrary<Item> = fc.oneof(
  num.map((a) => ({ kind: 'num' as const, a })),
  fc.record({ kind: fc.constantFrom('up' as const, 'down' as const), a: num, b: num.map(Math.abs), n: count }),
  fc.record({ kind: fc.constant('repeat' as const), a: num, n: count }),
  fc.constant({ kind: 'blank' as const }),
  fc.record({ kind: fc.constant('blanks' as const), n: count }),
  fc.constant({ kind: 'stale' as const }),
);

function text(i: Item): string {
  switch (i.kind) {
    case 'num': return String(i.a);
    case 'up': return `${i.a}+${i.b}x${i.n}`;
    case 'down': return `${i.a}-${i.b}x${i.n}`;
    case 'repeat': return `${i.a}x${i.n}`;
    case 'blank': return '_';
    case 'blanks': return `_x${i.n}`;
    case 'stale': return 'stale';
  }
}

/** What each item means, written the obvious way: a+bxn is a, a+b, ..., a+n·b (n+1 samples). */
function model(i: Item): SeriesValue[] {
  const times = (n: number, f: (k: number) => SeriesValue) => Array.from({ length: n }, (_, k) => f(k));
  switch (i.kind) {
    case 'num': return [i.a];
    case 'up': return times(i.n + 1, (k) => i.a + k * i.b);
    case 'down': return times(i.n + 1, (k) => i.a - k * i.b);
    case 'repeat': return times(i.n + 1, () => i.a);
    case 'blank': return [undefined];
    case 'blanks': return times(i.n, () => undefined);
    case 'stale': return ['stale'];
  }
}

/** Equal values, up to the rounding of repeated float addition. */
function close(got: SeriesValue[], want: SeriesValue[]): boolean {
  return got.length === want.length && got.every((g, k) => {
    const w = want[k];
    if (typeof g !== 'number' || typeof w !== 'number') return g === w;
    return Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w));
  });
}

describe('input_series values notation', () => {
  it('expands like the model, item by item and in sequence', () => {
    fc.assert(fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom(' ', '  ', '\t'), (items, sep) => {
      const got = expandValues(items.map(text).join(sep));
      expect(close(got, items.flatMap(model)), `${items.map(text).join(sep)} -> ${JSON.stringify(got)}`).toBe(true);
    }), { numRuns: 500 });
  });

  it('steps of integers are exact', () => {
    fc.assert(fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 1e4 }), fc.integer({ min: 0, max: 50 }), (a, b, n) => {
      expect(expandValues(`${a}+${b}x${n}`)).toEqual(Array.from({ length: n + 1 }, (_, k) => a + k * b));
      expect(expandValues(`${a}-${b}x${n}`)).toEqual(Array.from({ length: n + 1 }, (_, k) => a - k * b));
    }));
  });

  it('refuses malformed items with a TelltaleError, never anything else', () => {
    for (const bad of ['1+x3', '1+2x', 'x3', '1+2x-1', 'abc', '1++2x3', '_+1x2', '1 2 foo']) {
      expect(() => expandValues(bad), bad).toThrow(TelltaleError);
    }
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
      try {
        expandValues(s);
      } catch (err) {
        expect(err).toBeInstanceOf(TelltaleError);
      }
    }), { numRuns: 1000 });
  });

  it('refuses an expansion too long to hold', () => {
    expect(() => expandValues('1+1x100000000')).toThrow(/too long/);
  });
});

/** Fragments of test files, recombined into hostile ones. */
const fragments = fc.constantFrom(
  'rule_files: [r.yml]', 'rule_files: r.yml', 'evaluation_interval: 1m', 'evaluation_interval: xx', 'group_eval_order: [a, a]',
  'tests:', '  - interval: 1m', '  - interval: [1]', '    input_series:', '      - series: up{a="1"}', '      - series: \'up{\'',
  '        values: 1+1x3', '        values: 1+x', '        values: {a: 1}', '    alert_rule_test:', '      - eval_time: 1m',
  '        alertname: A', '        exp_alerts:', '          - exp_labels: {a: b}', '          - exp_labels: [1]', '            exp_annotations: {x: y}',
  '    promql_expr_test:', '      - expr: up', '        exp_samples:', '          - labels: up', '            value: 1', '            value: one',
  '    external_labels: {a: b}', '    external_url: http://x', '    name: n', '    nope: 1', '---', '&a', '*a', '<<: *a', '- [', '"', '\t', '',
  'tests: *missing', '  - <<: 1', '  - <<: [*a]',
);

function expectGoodError(err: unknown, file: string): void {
  expect(err).toBeInstanceOf(TelltaleError);
  const e = err as TelltaleError;
  expect(e.code).toBe('TT_RULES_INVALID');
  expect(e.file).toBe(file);
  expect(e.line).toBeGreaterThanOrEqual(1);
  expect(e.format()).toContain(`${file}:${e.line}:`);
  // past YAML syntax and a document that is not a mapping, every error names the field it is about
  if (!e.message.startsWith('yaml: ') && !e.message.endsWith('as a unit-test file')) expect(e.field, e.message).toBeDefined();
}

describe('unit-test file parser on hostile input', () => {
  it('never crashes on recombined fragments; errors name file, line and field', () => {
    fc.assert(fc.property(fc.array(fragments, { maxLength: 25 }), (lines) => {
      try {
        parseUnitTestFile(lines.join('\n'), 'hostile.yml');
      } catch (err) {
        expectGoodError(err, 'hostile.yml');
      }
    }), { numRuns: 2000 });
  });

  it('never crashes on arbitrary text or arbitrary YAML values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        parseUnitTestFile(s, 'any.yml');
      } catch (err) {
        expectGoodError(err, 'any.yml');
      }
    }), { numRuns: 1000 });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 8 }), fc.double(), fc.boolean(), fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('tests', 'rule_files', 'interval', 'input_series', 'series', 'values', 'alert_rule_test', 'eval_time', 'x'), tie('v'), { maxKeys: 3 })),
    })).v;
    fc.assert(fc.property(value, (v) => {
      try {
        parseUnitTestFile(JSON.stringify(v), 'json.yml');
      } catch (err) {
        expectGoodError(err, 'json.yml');
      }
    }), { numRuns: 1000 });
  });

  it('names the line and the dotted field of a bad value deep in the file', () => {
    const text = 'tests:\n  - interval: 1m\n    alert_rule_test:\n      - eval_time: 1m\n        alertname: A\n      - eval_time: soon\n';
    try {
      parseUnitTestFile(text, 't.yml');
      expect.unreachable();
    } catch (err) {
      const e = err as TelltaleError;
      expect(e.format()).toBe('t.yml:6:20: tests[0].alert_rule_test[1].eval_time: not a valid duration string: "soon" [TT_RULES_INVALID]');
    }
  });

  it('reads aliases, merge keys and only the first document, as promtool does', () => {
    const text = [
      'tests:', '  - &g', '    interval: 1m', '    promql_expr_test:', '      - &t {expr: up, eval_time: 1m}', '      - <<: *t', '        eval_time: 2m',
      '  - *g', '---', 'not: read',
    ].join('\n');
    const f = parseUnitTestFile(text, 'a.yml');
    expect(f.tests).toHaveLength(2);
    expect(f.tests[1].promqlTests.map((t) => [t.expr, t.evalTimeMs])).toEqual([['up', 60_000], ['up', 120_000]]);
  });

  it('refuses a self-referencing merge without recursing forever', () => {
    expect(() => parseUnitTestFile('tests:\n  - &a\n    <<: *a\n', 'loop.yml')).toThrow(TelltaleError);
  });
});

describe('numbers as yaml.v2 reads them', () => {
  it('reads integers in every base and with underscores, floats as written, and never throws', () => {
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 3 }), (n, cut) => {
      const digits = String(Math.abs(n));
      const sign = n < 0 ? '-' : '';
      expect(goYamlNumber(String(n))).toBe(n);
      expect(goYamlNumber(`${sign}0x${Math.abs(n).toString(16)}`)).toBe(n);
      expect(goYamlNumber(`${sign}0b${Math.abs(n).toString(2)}`)).toBe(n);
      expect(goYamlNumber(`${sign}0${Math.abs(n).toString(8)}`)).toBe(n);
      expect(goYamlNumber(`${sign}${digits.slice(0, cut)}_${digits.slice(cut)}`)).toBe(n);
    }));
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
      expect(goYamlNumber(String(d).replace('e+', 'e')) === d).toBe(true);
    }));
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      const v = goYamlNumber(s);
      expect(v === undefined || typeof v === 'number').toBe(true);
    }), { numRuns: 2000 });
  });
});
