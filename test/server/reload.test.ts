import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../src/load/clock.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { isStaleNaN } from '../../src/series/types.ts';
import { parseRuleFile } from '../../src/rules/rule-file.ts';
import { carryOverState, loadGroups, RuleManager } from '../../src/rules/rule-manager.ts';
import { telltaleConfigSchema, type TelltaleConfig } from '../../src/config/telltale-config.ts';
import { TelltaleError } from '../../src/errors.ts';
import { ConfigReloader, describeReload, nameChanges, problemsOf, reloadResponse, restartOnlyChanges, type ReloadDeps } from '../../src/server/reload.ts';
import type { ScrapeManager } from '../../src/ingest/scrape-manager.ts';
import type { ProbeService } from '../../src/probes/probe-service.ts';
import type { Dispatcher } from '../../src/alerting/dispatcher.ts';
import type { RuleFile } from '../../src/rules/types.ts';

const T0 = 1_700_000_000_000;

function ruleFile(yaml: string, file = 'rules.yml'): RuleFile {
  const parsed = parseRuleFile(yaml, file);
  expect(parsed.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return parsed.ruleFile!;
}

const V1 = `
groups:
  - name: g
    rules:
      - alert: Up
        expr: vector(1)
        labels: { severity: page }
      - alert: Other
        expr: vector(1)
      - record: r:one
        expr: vector(1)
`;

describe('carryOverState', () => {
  it('keeps the alerts of rules with the same file, group, name and labels, and nothing else', () => {
    const before = loadGroups([ruleFile(V1)], 60_000);
    before[0].rules[0].state!.active.set('{}', { labels: { alertname: 'Up' }, annotations: {}, state: 'firing', activeAt: 1, firedAt: 2, resolvedAt: 0, lastSentAt: 0, validUntil: 0, value: 1, keepFiringSince: 0 } as never);
    before[0].rules[1].state!.active.set('{}', { labels: { alertname: 'Other' }, state: 'pending', activeAt: 1 } as never);
    before[0].rules[2].lastSeries.set('k', { __name__: 'r:one' });
    before[0].lastEvaluation = 123;
    // Up keeps name and labels (its expr changes); Other's labels change; r:one is gone; r:two is new
    const after = loadGroups([ruleFile(V1.replace('expr: vector(1)\n        labels: { severity: page }', 'expr: vector(2)\n        labels: { severity: page }').replace('- alert: Other\n        expr: vector(1)', '- alert: Other\n        expr: vector(1)\n        labels: { team: x }').replace('r:one', 'r:two'))], 60_000);
    const report = carryOverState(before, after);
    expect(report).toEqual({ kept: 1, added: 2, removed: 2, orphanSeries: [{ __name__: 'r:one' }] });
    expect([...after[0].rules[0].state!.active.values()]).toMatchObject([{ state: 'firing', activeAt: 1 }]);
    expect(after[0].rules[1].state!.active.size).toBe(0);
    expect(after[0].lastEvaluation).toBe(123);
  });

  it('does not carry state to a rule of the same name in another group or file', () => {
    const before = loadGroups([ruleFile(V1)], 60_000);
    before[0].rules[0].state!.active.set('{}', { state: 'firing' } as never);
    expect(carryOverState(before, loadGroups([ruleFile(V1.replace('name: g', 'name: h'))], 60_000)).kept).toBe(0);
    expect(carryOverState(before, loadGroups([ruleFile(V1, 'other.yml')], 60_000)).kept).toBe(0);
  });
});

describe('RuleManager.replace', () => {
  it('swaps groups while running, keeps a firing alert and marks the series of a removed recording rule stale', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock(T0 + 61_000);
    const manager = new RuleManager({ files: [ruleFile(V1)], queryable: storage, storage, clock, evaluationIntervalMs: 60_000 });
    await manager.evaluate(manager.groups[0], T0);
    await manager.evaluate(manager.groups[0], T0 + 60_000);
    expect(manager.alerts().find((a) => a.rule === 'Up')).toMatchObject({ state: 'firing' });
    manager.start();
    const report = await manager.replace(loadGroups([ruleFile(V1.replace('r:one', 'r:two'))], 60_000));
    expect(report).toEqual({ kept: 2, added: 1, removed: 1 });
    expect(manager.groups[0].rules.map((r) => r.rule.name)).toEqual(['Up', 'Other', 'r:two']);
    expect(manager.alerts().find((a) => a.rule === 'Up')).toMatchObject({ state: 'firing', activeAt: T0 });
    const series = await storage.select([{ type: '=', name: '__name__', value: 'r:one' }], T0 + 61_000, T0 + 61_000);
    const it = series[0].iterator();
    expect(it.seek(T0 + 61_000) && isStaleNaN(it.v())).toBe(true);
    await manager.stop();
  });
});

const base = telltaleConfigSchema.parse({});
const withChange = (patch: (c: TelltaleConfig) => TelltaleConfig) => patch(structuredClone(base));

describe('restartOnlyChanges', () => {
  it('names the settings bound at start that differ', () => {
    const next = withChange((c) => ({ ...c, server: { ...c.server, listen: '127.0.0.1:9999', data: '/elsewhere' }, storage: { ...c.storage, retention: 1 } }));
    expect(restartOnlyChanges(base, next).map((s) => s.setting)).toEqual(['server.listen', 'server.data', 'storage.retention']);
    expect(restartOnlyChanges(base, next)[0]).toEqual({ setting: 'server.listen', running: '127.0.0.1:7070', configured: '127.0.0.1:9999' });
  });
  it('ignores listen and data when the command line fixed them', () => {
    const next = withChange((c) => ({ ...c, server: { ...c.server, listen: '127.0.0.1:9999', data: '/elsewhere' } }));
    expect(restartOnlyChanges(base, next, { listen: '127.0.0.1:0', data: '/d' })).toEqual([]);
  });
  it('is empty for an unchanged config and for changes a reload applies', () => {
    expect(restartOnlyChanges(base, withChange((c) => ({ ...c, rule_files: ['x.yml'], scrape_configs: [{}], evaluation_interval: 1 })))).toEqual([]);
  });
});

describe('nameChanges', () => {
  it('lists added and removed names, sorted, and counts the kept', () => {
    expect(nameChanges(['a', 'b', 'c'], ['d', 'c', 'a'])).toEqual({ added: ['d'], removed: ['b'], kept: 2 });
  });
  it('is a partition of both sides (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.string()), fc.uniqueArray(fc.string()), (before, after) => {
      const c = nameChanges(before, after);
      expect(c.added.length + c.kept).toBe(after.length);
      expect(c.removed.length + c.kept).toBe(before.length);
    }));
  });
});

describe('problemsOf', () => {
  it('turns an error and each file:line:col line of its hint into problems, without repeating the first', () => {
    const err = new TelltaleError('TT_RULES_INVALID', '2 problem(s) in rule files: bad expr', {
      file: 'r.yml', line: 3, column: 9,
      hint: 'r.yml:3:9: bad expr\nr.yml:7:5: unknown field "foo"',
    });
    expect(problemsOf(err)).toEqual([
      { message: '2 problem(s) in rule files: bad expr', code: 'TT_RULES_INVALID', file: 'r.yml', line: 3, column: 9 },
      { message: 'unknown field "foo"', code: 'TT_RULES_INVALID', file: 'r.yml', line: 7, column: 5 },
    ]);
  });
  it('keeps the field, and takes any thrown value', () => {
    expect(problemsOf(new TelltaleError('TT_CONFIG_INVALID', 'x: unknown field', { file: 'c.yaml', field: 'x' }))).toEqual([{ message: 'x: unknown field', code: 'TT_CONFIG_INVALID', file: 'c.yaml', field: 'x' }]);
    expect(problemsOf(new Error('boom'))).toEqual([{ message: 'boom' }]);
    expect(problemsOf('text')).toEqual([{ message: 'text' }]);
    fc.assert(fc.property(fc.string(), fc.option(fc.string()), (message, hint) => {
      const problems = problemsOf(new TelltaleError('TT_CONFIG_INVALID', message, { hint: hint ?? undefined }));
      expect(problems[0].message).toBe(message);
    }));
  });
});

/** A reloader over recording fakes: which components were switched, in what order. */
function fakeReloader(loadConfig: () => Promise<TelltaleConfig>) {
  const calls: string[] = [];
  let now = T0;
  const deps: ReloadDeps = {
    loadConfig,
    running: base,
    scrapes: { targets: () => [], apply: async () => void calls.push('scrapes') } as unknown as ScrapeManager,
    rules: { replace: async () => (calls.push('rules'), { kept: 0, added: 0, removed: 0 }) } as unknown as RuleManager,
    probes: { scheduler: { checks: () => [] }, setChecks: async () => void calls.push('checks') } as unknown as ProbeService,
    dispatcher: { reload: async () => void calls.push('routing') } as unknown as Dispatcher,
    now: () => now,
  };
  return { reloader: new ConfigReloader(deps), calls, tick: () => (now += 1000) };
}

describe('ConfigReloader', () => {
  it('refuses a config that fails to load without touching a component, and says so in its metrics', async () => {
    const { reloader, calls } = fakeReloader(async () => {
      throw new TelltaleError('TT_CONFIG_INVALID', 'bogus: unknown field', { file: 'telltale.yaml', line: 4, column: 1, field: 'bogus' });
    });
    const result = await reloader.reload();
    expect(result.status).toBe('refused');
    expect(result.problems).toEqual([{ message: 'bogus: unknown field', code: 'TT_CONFIG_INVALID', file: 'telltale.yaml', line: 4, column: 1, field: 'bogus' }]);
    expect(calls).toEqual([]);
    expect(reloader.metrics().map((m) => [m.name, m.samples[0].value])).toEqual([
      ['telltale_config_last_reload_successful', 0],
      ['telltale_config_last_reload_success_timestamp_seconds', T0 / 1000],
    ]);
    expect(reloadResponse(result).status).toBe(422);
    expect(describeReload(result)).toContain('telltale.yaml:4:1: bogus: unknown field (bogus)');
  });

  it('refuses when any part fails — a scrape config and a missing rule file both listed', async () => {
    const { reloader, calls } = fakeReloader(async () => ({ ...base, scrape_configs: [{ job_name: 1 }], rule_files: ['/nonexistent/rules.yml'] }));
    const result = await reloader.reload();
    expect(result.status).toBe('refused');
    expect(result.problems.length).toBeGreaterThanOrEqual(2);
    expect(result.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['TT_RULES_INVALID']));
    expect(calls).toEqual([]);
  });

  it('applies a valid config, routing first and scrapes last, serializing concurrent reloads', async () => {
    const { reloader, calls, tick } = fakeReloader(async () => base);
    tick();
    const [a, b] = await Promise.all([reloader.reload(), reloader.reload()]);
    expect([a.status, b.status]).toEqual(['applied', 'applied']);
    expect(calls).toEqual(['routing', 'rules', 'checks', 'scrapes', 'routing', 'rules', 'checks', 'scrapes']);
    expect(reloader.metrics()[0].samples[0].value).toBe(1);
    expect(reloader.metrics()[1].samples[0].value).toBe((T0 + 1000) / 1000);
    expect(reloadResponse(a)).toMatchObject({ status: 200, body: { status: 'success' } });
  });

  it('reports a failure while applying as failed (500), not as refused', async () => {
    const { reloader } = fakeReloader(async () => base);
    (reloader as unknown as { deps: ReloadDeps }).deps.dispatcher.reload = async () => {
      throw new Error('disk full');
    };
    const result = await reloader.reload();
    expect(result.status).toBe('failed');
    expect(reloadResponse(result).status).toBe(500);
    expect(reloader.lastSuccessful).toBe(false);
  });
});
