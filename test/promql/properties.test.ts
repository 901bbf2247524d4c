import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { Engine } from '../../src/promql/engine.ts';
import { formatExpr, prettyExpr } from '../../src/promql/format.ts';
import { formatGoV } from '../../src/promql/go-float.ts';
import { parseExpr } from '../../src/promql/parser.ts';
import { expandValues, parseSeriesLine } from '../../src/promql/promqltest/series-notation.ts';
import { parseTestFile } from '../../src/promql/promqltest/test-file.ts';
import { MemoryStorage } from '../../src/series/memory.ts';

function onlyTelltaleErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof TelltaleError)) throw err;
  }
}

/** The AST without source positions and with matchers in a canonical order, for structural comparison. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'pos') continue;
      out[k] = k === 'matchers' ? [...(x as object[])].map((m) => JSON.stringify(m)).sort() : strip(x);
    }
    return out;
  }
  return v;
}

const tokens = [
  'sum', 'rate', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', '@', 'start()',
  'end()', '(', ')', '{', '}', '[', ']', ':', ',', '5m', '1h30m', '1', '-2.5', 'Inf', 'NaN', '0x1f', '"a"', "'b'",
  '`c`', 'foo', 'bar_total', 'le', '=', '!=', '=~', '!~', '+', '-', '*', '/', '%', '^', '==', '>', '<=', 'and',
  'or', 'unless', 'topk', 'histogram_quantile', 'label_replace', 'abs', 'count_values', '#', '\n', ' ', 'atan2',
];

const label = fc.constantFrom('a', 'job', 'le', 'instance');
const name = fc.constantFrom('foo', 'bar_total', 'x:y');
const value = fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s));
const selector = fc
  .tuple(name, fc.array(fc.tuple(label, fc.constantFrom('=', '!=', '=~', '!~'), value), { maxLength: 3 }), fc.option(fc.constantFrom(' offset 5m', ' offset -1m', ' @ 100', ' @ start()')))
  .map(([n, ms, mod]) => `${n}${ms.length ? `{${ms.map(([l, op, v]) => `${l}${op}${op.includes('~') ? '".*"' : v}`).join(', ')}}` : ''}${mod ?? ''}`);

const vectorExpr: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    selector,
    fc.tuple(fc.constantFrom('rate', 'max_over_time', 'changes'), selector.filter((s) => !s.includes('@') && !s.includes('offset')), fc.constantFrom('5m', '1h', '30s')).map(([f, s, r]) => `${f}(${s}[${r}])`),
    fc.tuple(fc.constantFrom('abs', 'sort', 'ln'), tie('v')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('sum', 'max', 'count'), fc.option(fc.constantFrom('by (a)', 'without (job, le)', 'by ()')), tie('v')).map(([op, g, a]) => `${op}${g ? ` ${g} ` : ''}(${a})`),
    fc.tuple(fc.constantFrom('topk', 'quantile'), tie('v')).map(([op, a]) => `${op}(0.5, ${a})`),
    fc.tuple(tie('v'), fc.constantFrom('+', '/', '^', '> bool', 'and', 'or on (a)', '* ignoring (le) group_left (job)', 'atan2'), tie('v')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(tie('v'), fc.constantFrom('5m:1m', '10m:')).map(([a, r]) => `max_over_time((${a})[${r}])`),
    tie('v').map((a) => `(${a})`),
    tie('v').map((a) => `-${a}`),
    fc.tuple(tie('v'), fc.double({ noNaN: true, min: -1e6, max: 1e6 })).map(([a, n]) => `${a} * ${formatGoV(n)}`),
  ),
})).v;

describe('PromQL parser properties', () => {
  it('throws nothing but TelltaleError for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => onlyTelltaleErrors(() => parseExpr(s))), { numRuns: 3000 });
  });

  it('throws nothing but TelltaleError for token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 25 }), (ts) => onlyTelltaleErrors(() => parseExpr(ts.join(' ')))),
      { numRuns: 3000 },
    );
  });

  it('parses what format_query prints back to the same tree', () => {
    fc.assert(
      fc.property(vectorExpr, (q) => {
        let e;
        try {
          e = parseExpr(q);
        } catch (err) {
          if (err instanceof TelltaleError) return; // generated text that does not type-check
          throw err;
        }
        const text = formatExpr(e);
        expect(strip(parseExpr(text))).toEqual(strip(e));
        expect(formatExpr(parseExpr(text))).toBe(text);
        expect(strip(parseExpr(prettyExpr(e)))).toEqual(strip(e));
      }),
      { numRuns: 1000 },
    );
  });

  it('reports the position of the first problem', () => {
    expect(() => parseExpr('foo{a="b"} +')).toThrow('1:13: parse error: unexpected end of input');
    expect(() => parseExpr('sum(rate(x[5m]))\n  by (job) + )')).toThrow("2:15: parse error: unexpected right parenthesis ')'");
    const err = (() => {
      try {
        parseExpr('rate(foo)');
      } catch (e) {
        return e as TelltaleError;
      }
    })()!;
    expect(err.code).toBe('TT_PROMQL_PARSE');
    expect([err.line, err.column]).toEqual([1, 6]);
  });
});

type Arith = { n: number } | { op: string; l: Arith; r: Arith } | { neg: Arith };

const arith: fc.Arbitrary<Arith> = fc.letrec<{ e: Arith }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(fc.double(), fc.integer({ min: -20, max: 20 }), fc.constantFrom(0, -0, 1, -1, 0.5, Infinity, -Infinity, NaN)).map((n) => ({ n })),
    fc.tuple(fc.constantFrom('+', '-', '*', '/', '%', '^', '== bool', '!= bool', '> bool', '<= bool'), tie('e'), tie('e')).map(([op, l, r]) => ({ op, l, r })),
    tie('e').map((e) => ({ neg: e })),
  ),
})).e;

function print(e: Arith): string {
  if ('n' in e) return `(${formatGoV(e.n)})`;
  if ('neg' in e) return `(-(${print(e.neg)}))`;
  return `(${print(e.l)} ${e.op} ${print(e.r)})`;
}

function evaluate(e: Arith): number {
  if ('n' in e) return e.n;
  if ('neg' in e) return -evaluate(e.neg);
  const l = evaluate(e.l);
  const r = evaluate(e.r);
  switch (e.op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return l / r;
    case '%': return l % r;
    // Go's math.Pow: x^0 and 1^y are 1, (-1)^±Inf is 1.
    case '^': return r === 0 || l === 1 || (l === -1 && !Number.isFinite(r) && !Number.isNaN(r)) ? 1 : l ** r;
    case '== bool': return l === r ? 1 : 0;
    case '!= bool': return l !== r ? 1 : 0;
    case '> bool': return l > r ? 1 : 0;
    default: return l <= r ? 1 : 0;
  }
}

describe('PromQL evaluation properties', () => {
  const engine = new Engine();
  const storage = new MemoryStorage();
  it('evaluates arithmetic over literals exactly as JavaScript does', async () => {
    await fc.assert(
      fc.asyncProperty(arith, async (e) => {
        const r = await engine.instantQuery(storage, print(e), 0);
        expect(r.resultType).toBe('scalar');
        const got = r.resultType === 'scalar' ? r.result.v : NaN;
        const want = evaluate(e);
        expect({ q: print(e), v: Number.isNaN(got) ? NaN : got }).toEqual({ q: print(e), v: Number.isNaN(want) ? NaN : want });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('series notation and test file properties', () => {
  it('throws nothing but TelltaleError for arbitrary series lines and test files', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => onlyTelltaleErrors(() => parseSeriesLine(s))), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => onlyTelltaleErrors(() => expandValues(s))), { numRuns: 2000 });
    const lines = fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('load 1m', '  m 1 2', 'eval instant at 0 m', '  m 1', 'clear', 'eval_fail range from 0 to 1m step 0 m')), { maxLength: 8 });
    fc.assert(fc.property(lines, (ls) => onlyTelltaleErrors(() => parseTestFile(ls.join('\n')))), { numRuns: 2000 });
  });

  it('expands every notation item to the values it stands for', () => {
    expect(expandValues('1+2x3 _x2 5 stale -1-0.5x2 3x1 Inf -Inf')).toEqual([1, 3, 5, 7, undefined, undefined, 5, 'stale', -1, -1.5, -2, 3, 3, Infinity, -Infinity]);
    expect(expandValues('NaN')[0]).toBeNaN();
    expect(parseSeriesLine('{__name__="m", a="b"} 1').labels).toEqual({ __name__: 'm', a: 'b' });
    expect(() => expandValues('1x99999999')).toThrow(TelltaleError);
    expect(() => parseSeriesLine('m{a=~"b"} 1')).toThrow(/must use "="/);
  });
});
