import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { compareRuns } from '../../src/gate/compare.ts';
import { renderGateJunit, renderGateMarkdown, renderGithubAnnotations } from '../../src/gate/report.ts';
import { DEFAULT_RULES, parseRule } from '../../src/gate/rules.ts';
import { sampleRecord } from '../runs/helpers.ts';

const rules = (...r: string[]) => r.map((x) => parseRule(x));
const P95 = rules('p95 relative_increase > 10%');

describe('gate rules', () => {
  it('never crashes on hostile rule text: a rule with a finite threshold, or a TT_USAGE error naming the flag and the text', () => {
    const alphabet = fc.constantFrom(...'p95 relative_increase_decrease error_rate throughput{name:}<>%.0123456789eE+-\t'.split(''));
    const text = fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 40 }), fc.constantFrom(...DEFAULT_RULES).map((r) => `${r} `), fc.integer({ min: 300, max: 400 }).map((e) => `p95 > 1e${e}`));
    fc.assert(
      fc.property(text, (t) => {
        try {
          const rule = parseRule(t);
          return Number.isFinite(rule.threshold) && rule.threshold >= 0;
        } catch (err) {
          return err instanceof TelltaleError && err.code === 'TT_USAGE' && err.message.includes('--rule') && err.message.includes(JSON.stringify(t));
        }
      }),
      { seed: 5, numRuns: 2000 },
    );
  });

  it('parses the rule language', () => {
    expect(parseRule('p95 relative_increase > 10%')).toEqual({ text: 'p95 relative_increase > 10%', metric: 'p95', kind: 'relative_increase', op: '>', threshold: 0.1 });
    expect(parseRule('error_rate > 0')).toMatchObject({ metric: 'error_rate', kind: 'absolute', threshold: 0 });
    expect(parseRule('error_rate increase > 0.5%')).toMatchObject({ kind: 'increase', threshold: 0.005 });
    expect(parseRule('throughput < 50')).toMatchObject({ metric: 'throughput', op: '<', threshold: 50 });
    expect(parseRule('p99{name:GET /api/x} > 800')).toMatchObject({ endpoint: 'GET /api/x', threshold: 800 });
    expect(DEFAULT_RULES.map((r) => parseRule(r).metric)).toEqual(['p95', 'error_rate']);
  });

  it('says what is wrong with a rule', () => {
    expect(() => parseRule('p95 relative_increase > 10')).toThrow(/a relative change is a percentage/);
    expect(() => parseRule('p95 > 10%')).toThrow(/"%" only goes with/);
    expect(() => parseRule('error_rate relative_increase > 10%')).toThrow(/percentage points/);
    expect(() => parseRule('p95 relative_increase < 10%')).toThrow(/takes ">"/);
    expect(() => parseRule('latency up')).toThrow(/not a rule/);
    expect(() => parseRule('error_rate > 150%')).toThrow(/at most 100%/);
    expect(() => parseRule('p95 > 1e999')).toThrow(/not a finite number/);
  });
});

describe('comparing runs', () => {
  it('finds no change between two runs of the same system', () => {
    const base = sampleRecord({ id: 'base', seconds: 30, seed: 1 });
    const cur = sampleRecord({ id: 'cur', seconds: 30, seed: 2 });
    const r = compareRuns(base, cur, P95);
    expect(r.passed).toBe(true);
    expect(r.verdicts.map((v) => v.verdict)).toEqual(['no change', 'no change', 'no change', 'no change']);
    expect(r.verdicts.map((v) => v.endpoint)).toEqual([null, 'GET /api/item-0', 'GET /api/item-1', 'GET /api/item-2']);
    expect(r.verdicts[0].intervals).toEqual({ baseline: 28, current: 28 });
  });

  it('flags a real slowdown as a regression, overall and per endpoint, and the reverse as an improvement', () => {
    const base = sampleRecord({ id: 'base', seconds: 30, seed: 1 });
    const slow = sampleRecord({ id: 'slow', seconds: 30, seed: 2, slowdown: 5 });
    const r = compareRuns(base, slow, P95);
    expect(r.passed).toBe(false);
    expect(r.counts.regression).toBe(4);
    const all = r.verdicts[0];
    expect(all.change).toBeGreaterThan(0.1);
    expect(all.pValue).toBeLessThan(1e-6);
    expect(all.reason).toMatch(/^p95 .*ms → .*ms \(\+\d+\.\d%\), beyond the threshold/);
    const back = compareRuns(slow, base, P95);
    expect(back.passed).toBe(true);
    expect(back.counts.improvement).toBe(4);
  });

  it('does not call a change beyond the threshold a regression without evidence', () => {
    // a lower threshold than the noise, but too little shift in the per-second values to show it
    const base = sampleRecord({ id: 'base', seconds: 30, seed: 1 });
    const cur = sampleRecord({ id: 'cur', seconds: 30, seed: 3, slowdown: 0.05 });
    const r = compareRuns(base, cur, rules('p95 relative_increase > 0%'));
    const all = r.verdicts[0];
    expect(all.change).toBeGreaterThan(0);
    expect(all.verdict).toBe('no change');
    expect(all.reason).toMatch(/do not tell it from noise/);
  });

  it('is inconclusive with too few seconds, which fails only when asked', () => {
    const base = sampleRecord({ id: 'base', seconds: 6, seed: 1 });
    const cur = sampleRecord({ id: 'cur', seconds: 6, seed: 2, slowdown: 10 });
    const r = compareRuns(base, cur, P95);
    expect(r.verdicts[0]).toMatchObject({ verdict: 'inconclusive', intervals: { baseline: 4, current: 4 } });
    expect(r.verdicts[0].reason).toMatch(/too few 1-second intervals/);
    expect(r.passed).toBe(true);
    expect(compareRuns(base, cur, P95, { failOnInconclusive: true }).passed).toBe(false);
  });

  it('judges absolute rules on the current run alone', () => {
    const base = sampleRecord({ id: 'base', seconds: 12 });
    const cur = sampleRecord({ id: 'cur', seconds: 12 });
    const r = compareRuns(base, cur, rules('error_rate > 0', 'p95 > 1000'));
    const overall = r.verdicts.filter((v) => v.endpoint === null);
    expect(overall.map((v) => v.verdict)).toEqual(['regression', 'no change']);
    expect(overall[0].reason).toMatch(/error_rate \d+\.\d\d% breaks the limit > 0\.00%/);
  });

  it('refuses runs that do not fit together', () => {
    const a = sampleRecord({ id: 'a', testName: 'checkout' });
    const b = sampleRecord({ id: 'b', testName: 'search' });
    expect(() => compareRuns(a, b, P95)).toThrow(TelltaleError);
    expect(() => compareRuns(a, b, P95)).toThrow(/another|test "checkout"/);
    const none = sampleRecord({ id: 'none', testName: 'checkout', requestsPerSecond: 0 });
    expect(() => compareRuns(a, none, P95)).toThrow(/made no HTTP requests/);
    expect(() => compareRuns(a, sampleRecord({ id: 'c', testName: 'checkout' }), rules('p95{name:nope} > 1'))).toThrow(/which neither run has/);
  });

  it('renders Markdown, JUnit and GitHub annotations', () => {
    const base = sampleRecord({ id: 'base', seconds: 30, seed: 1 });
    const slow = sampleRecord({ id: 'slow', seconds: 30, seed: 2, slowdown: 5 });
    const r = compareRuns(base, slow, rules(...DEFAULT_RULES));
    const md = renderGateMarkdown(r);
    expect(md).toMatch(/^### ❌ Performance gate: load/);
    expect(md).toContain('| 🔴 | regression | `p95 relative_increase > 10%` | all requests |');
    const junit = renderGateJunit(r);
    expect(junit).toContain(`failures="${r.counts.regression}"`);
    expect(junit.match(/<testcase /g)).toHaveLength(r.verdicts.length);
    const annotations = renderGithubAnnotations(r).trim().split('\n');
    expect(annotations).toHaveLength(r.counts.regression);
    expect(annotations[0]).toMatch(/^::error title=load%3A regression \(all requests\)::p95 relative_increase > 10%%3A|^::error title=load%3A regression/);
  });
});
