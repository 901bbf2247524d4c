import { describe, expect, it } from 'vitest';
import { resolveGateSettings } from '../../src/cli/gate-settings.ts';
import { parseGateConfig } from '../../src/gate/config.ts';

const config = parseGateConfig(
  [
    'rules: ["p95 relative_increase > 20%"]',
    'endpoints:',
    '  - name: checkout',
    '    rules: ["p99 > 800"]',
    'alpha: 0.001',
    'min-intervals: 15',
    'fail-on-inconclusive: true',
    'test: shop',
    'baseline: { run: abc }',
    'history: { runs: 7, min-runs: 3, branch: release }',
  ].join('\n'),
  '/ci/gate.yaml',
);

describe('gate settings: flags over the config file over the defaults', () => {
  it('defaults without flags or file', () => {
    const s = resolveGateSettings({ rule: [] });
    expect(s.rules.map((r) => r.text)).toEqual(['p95 relative_increase > 10%', 'error_rate > 0']);
    expect(s.options).toEqual({ alpha: 0.01, minIntervals: 10, failOnInconclusive: false, minHistory: 5, ownRules: [] });
    expect(s.history).toEqual({ runs: 20 });
    expect(s.baseline).toBeUndefined();
    expect(s.rulesFrom).toBe('defaults');
  });

  it('the file', () => {
    const s = resolveGateSettings({ rule: [] }, config);
    expect(s.rules.map((r) => `${r.text}${r.endpoint ? ` @ ${r.endpoint}` : ''}`)).toEqual(['p95 relative_increase > 20%', 'p99 > 800 @ checkout']);
    expect(s.options).toEqual({ alpha: 0.001, minIntervals: 15, failOnInconclusive: true, minHistory: 3, ownRules: ['checkout'] });
    expect(s.history).toEqual({ runs: 7, branch: 'release' });
    expect(s).toMatchObject({ test: 'shop', baseline: { kind: 'run', run: 'abc' }, rulesFrom: 'config' });
  });

  it('flags win, and --rule replaces only the rules for everything', () => {
    const s = resolveGateSettings(
      { rule: ['p50 relative_increase > 5%'], alpha: '0.05', minIntervals: '4', failOnInconclusive: false, test: 'cart', baseline: 'b.json', history: '0', historyBranch: 'main', minHistory: '9' },
      config,
    );
    expect(s.rules.map((r) => r.text)).toEqual(['p50 relative_increase > 5%', 'p99 > 800']);
    expect(s.options).toEqual({ alpha: 0.05, minIntervals: 4, failOnInconclusive: false, minHistory: 9, ownRules: ['checkout'] });
    expect(s.history).toEqual({ runs: 0, branch: 'main' });
    expect(s).toMatchObject({ test: 'cart', baseline: { kind: 'file', file: 'b.json' }, rulesFrom: 'flags' });
  });

  it('refuses bad flag values and a config without any rule', () => {
    expect(() => resolveGateSettings({ rule: [], alpha: '1' })).toThrow(/--alpha "1": expected a number between 0 and 1/);
    expect(() => resolveGateSettings({ rule: [], history: '-1' })).toThrow(/--history "-1": expected a whole number/);
    expect(() => resolveGateSettings({ rule: [], minHistory: '1' })).toThrow(/--min-history "1": expected a whole number >= 2/);
    expect(() => resolveGateSettings({ rule: [], baseline: 'a.json', baselineRun: 'x' })).toThrow(/exclude each other/);
    expect(() => resolveGateSettings({ rule: [] }, parseGateConfig('rules: []\n', '/ci/empty.yaml'))).toThrow(/no rules to check/);
  });
});
