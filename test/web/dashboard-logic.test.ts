import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectorMatchers } from '../../src/server/routes/services.ts';
import { alignLines } from '../../web/src/align.ts';
import type { Matcher, Targets } from '../../web/src/api.ts';
import { MatcherSyntaxError, matchersText, parseMatchers } from '../../web/src/matchers.ts';
import * as q from '../../web/src/queries.ts';
import { level, overTarget, signalLevels, worst } from '../../web/src/status.ts';

const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const matcher: fc.Arbitrary<Matcher> = fc.record({ name, value: fc.string({ maxLength: 20 }), isRegex: fc.boolean(), isEqual: fc.boolean() });

describe('silence matchers', () => {
  it('reads what people type, with braces, spaces, all four operators and escapes', () => {
    expect(parseMatchers(' {alertname="High\\"Latency", severity =~ "crit.*",job!="a\\\\b" , env!~"dev|test\\n"} ')).toEqual([
      { name: 'alertname', value: 'High"Latency', isRegex: false, isEqual: true },
      { name: 'severity', value: 'crit.*', isRegex: true, isEqual: true },
      { name: 'job', value: 'a\\b', isRegex: false, isEqual: false },
      { name: 'env', value: 'dev|test\n', isRegex: true, isEqual: false },
    ]);
  });

  it('prints matchers so that they read back the same', () => {
    fc.assert(fc.property(fc.array(matcher, { minLength: 1, maxLength: 5 }), (ms) => {
      expect(parseMatchers(matchersText(ms))).toEqual(ms);
    }));
  });

  it('names the column of malformed input', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['', 1, /at least one matcher/],
      ['alertname', 10, /expected one of/],
      ['alertname="x" job="y"', 15, /expected ","/],
      ['1abc="x"', 1, /expected a label name/],
      ['a=x', 3, /double-quoted/],
      ['a="x', 5, /unterminated/],
      ['a="\\t"', 4, /unknown escape/],
      [' ,a="x"', 2, /expected a label name/],
    ];
    for (const [text, column, message] of cases) {
      let err: unknown;
      try {
        parseMatchers(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(MatcherSyntaxError);
      expect((err as MatcherSyntaxError).message, text).toMatch(message);
      expect((err as MatcherSyntaxError).column, text).toBe(column);
    }
    // a trailing comma is allowed, as in a PromQL selector
    expect(parseMatchers('a="x",')).toEqual([{ name: 'a', value: 'x', isRegex: false, isEqual: true }]);
  });

  it('never fails on arbitrary text with anything but a syntax error inside the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => {
      try {
        const ms = parseMatchers(text);
        expect(ms.length).toBeGreaterThan(0);
      } catch (err) {
        expect(err).toBeInstanceOf(MatcherSyntaxError);
        expect((err as MatcherSyntaxError).column).toBeGreaterThanOrEqual(1);
        expect((err as MatcherSyntaxError).column).toBeLessThanOrEqual(text.length + 1);
      }
    }));
  });
});

describe('panel queries', () => {
  const parses = (expr: string) => {
    let bad = false;
    parser.parse(expr).iterate({ enter: (n) => { if (n.type.isError) bad = true; } });
    return !bad;
  };

  it('are valid PromQL for any selector, however hostile its label values', () => {
    fc.assert(fc.property(fc.dictionary(name, fc.string({ maxLength: 15 }), { minKeys: 1, maxKeys: 3 }), (selector) => {
      const m = selectorMatchers(selector);
      for (const expr of [
        q.latencyQuantile(m, 0.95, '5m'), q.requestRate(m, '1m'), q.errorRatio(m, '5m'), q.cpuCores(m, '1m'), q.residentMemory(m),
        q.inFlight(m), q.startTimes(m), q.endpointRate(m, 'route', '1h'), q.endpointQuantile(m, 'route', 0.95, '1h'),
        q.endpointErrors(m, 'route', '1h'), q.serviceChecks('shop"}', m), q.serviceAvailability('shop"}', m, '24h'), q.serviceChecksUp('shop"}', m), q.tileSignals('shop', m),
      ]) expect(parses(expr), expr).toBe(true);
    }));
    for (const expr of [q.checkStatus(), q.checkDuration(), q.checkUptime('24h'), q.checkRecent('30m')]) expect(parses(expr), expr).toBe(true);
  });

  it('uses a rate window of four steps and at least a minute', () => {
    expect(q.rateWindow(15)).toBe('60s');
    expect(q.rateWindow(360)).toBe('1440s');
    expect(q.rateWindow(2.5)).toBe('60s');
  });
});

describe('status levels', () => {
  const t: Targets = { p50: 200, p95: 500, p99: 1000, error_rate: 0.001, p95_warning: 400, p95_critical: 800, error_rate_warning: 0.005, error_rate_critical: 0.02, cpu_warning: 0.75, cpu_critical: 0.9, memory_warning: 0.8, memory_critical: 0.95 };

  it('are green below warning, amber from warning, red from critical, grey without data', () => {
    expect([level(399, 400, 800), level(400, 400, 800), level(800, 400, 800), level(null, 400, 800), level(NaN, 400, 800)]).toEqual(['ok', 'warn', 'crit', 'none', 'none']);
    expect(signalLevels({ p95: 0.45, p99: 0.9, rps: 10, errors: 0.001, cpu: 0.95, memory: 1e8, availability: null, checksUp: null }, t)).toEqual({ p95: 'warn', errors: 'ok', cpu: 'crit', checks: 'none' });
    expect(signalLevels({ p95: null, p99: null, rps: null, errors: null, cpu: null, memory: null, availability: 0.5, checksUp: 0 }, t).checks).toBe('crit');
    expect(overTarget(0.0016, t.error_rate)).toBe(true);
    expect(overTarget(null, t.error_rate)).toBe(false);
    expect(worst(['ok', 'none', 'warn'])).toBe('warn');
    expect(worst(['none', 'none'])).toBe('none');
  });
});

describe('chart alignment', () => {
  it('puts samples on the step grid and leaves gaps (not zeros) where a series has none', () => {
    const data = alignLines(
      [{ label: 'a', values: [[100, '1'], [110, '2'], [130, 'NaN']] }, { label: 'b', values: [[120, '+Inf'], [125, '5']] }],
      { start: 100, end: 130, step: 10 },
    );
    expect(data).toEqual([[100, 110, 120, 130], [1, 2, null, null], [null, null, null, null]]);
  });
});
