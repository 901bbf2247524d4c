import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/load/clock.ts';
import { MemoryStorage } from '../../src/series/memory.ts';
import { isStaleNaN, type Labels } from '../../src/series/types.ts';
import { parseRuleFile } from '../../src/rules/rule-file.ts';
import { RuleManager, evalTimestamp } from '../../src/rules/rule-manager.ts';
import type { PostableAlert } from '../../src/alerting/alert.ts';
import type { RuleFile } from '../../src/rules/types.ts';

const T0 = 1_700_000_000_000;
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function rules(yaml: string): RuleFile {
  const parsed = parseRuleFile(yaml, 'rules.yml');
  expect(parsed.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return parsed.ruleFile!;
}

async function samples(storage: MemoryStorage, name: string, at: number): Promise<Array<{ labels: Labels; v: number; stale: boolean }>> {
  const series = await storage.select([{ type: '=', name: '__name__', value: name }], at, at);
  const out = [];
  for (const s of series) {
    const it = s.iterator();
    if (it.seek(at) && it.t() === at) out.push({ labels: s.labels, v: it.v(), stale: isStaleNaN(it.v()) });
  }
  return out;
}

function setup(yaml: string, opts: { stateFile?: string; storage?: MemoryStorage; clock?: FakeClock } = {}) {
  const storage = opts.storage ?? new MemoryStorage();
  const clock = opts.clock ?? new FakeClock(T0);
  const sent: PostableAlert[][] = [];
  const manager = new RuleManager({
    files: [rules(yaml)], queryable: storage, storage, clock, evaluationIntervalMs: 60_000, stateFile: opts.stateFile,
    externalLabels: { cluster: 'eu1' }, externalURL: 'http://telltale.example', notify: (a) => sent.push(a),
  });
  return { storage, clock, sent, manager, group: manager.groups[0] };
}

const ERRORS = `
groups:
  - name: api
    rules:
      - alert: HighErrorRate
        expr: errors > 5
        for: 2m
        labels: { severity: page, team: '{{ $labels.job }}-oncall' }
        annotations:
          summary: 'errors at {{ $value }} on {{ $labels.instance }}'
`;

function seed(storage: MemoryStorage, from: number, to: number, value: (t: number) => number | undefined) {
  for (let t = from; t <= to; t += 15_000) {
    const v = value(t);
    if (v !== undefined) storage.add({ __name__: 'errors', job: 'api', instance: 'a:1' }, t, v);
  }
}

describe('alerting rules', () => {
  it('goes pending, fires after for, resolves, and writes ALERTS and ALERTS_FOR_STATE', async () => {
    const { storage, sent, manager, group } = setup(ERRORS);
    seed(storage, T0, T0 + 10 * 60_000, (t) => (t < T0 + 5 * 60_000 ? 10 : undefined));
    await manager.evaluate(group, T0);
    expect(manager.alerts().map((a) => a.state)).toEqual(['pending']);
    expect(await samples(storage, 'ALERTS', T0)).toEqual([
      { labels: { __name__: 'ALERTS', alertname: 'HighErrorRate', alertstate: 'pending', instance: 'a:1', job: 'api', severity: 'page', team: 'api-oncall' }, v: 1, stale: false },
    ]);
    expect((await samples(storage, 'ALERTS_FOR_STATE', T0))[0].v).toBe(T0 / 1000);
    expect(sent).toEqual([]);

    await manager.evaluate(group, T0 + 60_000);
    expect(manager.alerts()[0].state).toBe('pending');
    await manager.evaluate(group, T0 + 120_000);
    expect(manager.alerts()[0].state).toBe('firing');
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toMatchObject({
      labels: { alertname: 'HighErrorRate', severity: 'page', cluster: 'eu1', job: 'api' },
      annotations: { summary: 'errors at 10 on a:1' },
      startsAt: T0 + 120_000,
      endsAt: T0 + 120_000 + 4 * 60_000,
      generatorURL: 'http://telltale.example/graph?g0.expr=errors%20%3E%205&g0.tab=1',
    });
    // pending ALERTS series went stale when the alert started firing under another label set
    const atFire = await samples(storage, 'ALERTS', T0 + 120_000);
    expect(atFire.find((s) => s.labels.alertstate === 'pending')?.stale).toBe(true);
    expect(atFire.find((s) => s.labels.alertstate === 'firing')?.v).toBe(1);

    // not re-sent within the resend delay, re-sent after it
    await manager.evaluate(group, T0 + 180_000);
    expect(sent).toHaveLength(1); // sent at 120 s: re-sent only once more than the 1 m resend delay has passed
    await manager.evaluate(group, T0 + 240_000);
    expect(sent).toHaveLength(2);
    // the data ends at 5 min; with the 5 m lookback the alert resolves at 10 min
    await manager.evaluate(group, T0 + 10 * 60_000);
    const last = sent.at(-1)![0];
    expect(manager.alerts()[0].state).toBe('inactive');
    expect(last.endsAt).toBe(T0 + 10 * 60_000);
  });

  it('fires at once without for, and keep_firing_for holds a cleared alert', async () => {
    const { storage, manager, group } = setup(`
groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        keep_firing_for: 3m
`);
    storage.add({ __name__: 'up', job: 'x' }, T0, 0);
    storage.add({ __name__: 'up', job: 'x' }, T0 + 60_000, 1);
    await manager.evaluate(group, T0);
    expect(manager.alerts()[0].state).toBe('firing');
    await manager.evaluate(group, T0 + 60_000);
    await manager.evaluate(group, T0 + 180_000);
    expect(manager.alerts()[0].state).toBe('firing');
    await manager.evaluate(group, T0 + 240_000);
    expect(manager.alerts()[0].state).toBe('inactive');
  });

  it('records the error of a rule whose labels collide and goes on with the next rule', async () => {
    const { storage, manager, group } = setup(`
groups:
  - name: g
    rules:
      - alert: Collide
        expr: errors
        labels: { instance: same }
      - record: job:errors:sum
        expr: sum by (job) (errors)
`);
    storage.add({ __name__: 'errors', job: 'api', instance: 'a' }, T0, 1);
    storage.add({ __name__: 'errors', job: 'api', instance: 'b' }, T0, 2);
    await manager.evaluate(group, T0);
    expect(group.rules[0].health).toMatchObject({ health: 'err', lastError: 'vector contains metrics with the same labelset after applying alert labels' });
    expect(group.rules[1].health.health).toBe('ok');
    expect(await samples(storage, 'job:errors:sum', T0)).toEqual([{ labels: { __name__: 'job:errors:sum', job: 'api' }, v: 3, stale: false }]);
  });

  it('lets a rule read what an earlier rule recorded at the same time, and marks vanished series stale', async () => {
    const { storage, manager, group } = setup(`
groups:
  - name: g
    rules:
      - record: job:errors:sum
        expr: sum by (job) (errors)
        labels: { source: rule }
      - alert: JobErrors
        expr: job:errors:sum > 1
`);
    storage.add({ __name__: 'errors', job: 'api', instance: 'a' }, T0, 5);
    await manager.evaluate(group, T0);
    expect(manager.alerts().map((a) => a.labels)).toEqual([{ alertname: 'JobErrors', job: 'api', source: 'rule' }]);
    storage.add({ __name__: 'errors', job: 'other', instance: 'a' }, T0 + 60_000, 5);
    await manager.evaluate(group, T0 + 400_000);
    const recorded = await samples(storage, 'job:errors:sum', T0 + 400_000);
    expect(recorded.find((s) => s.labels.job === 'api')?.stale).toBe(true);
  });

  it('refuses more alerts than the group limit', async () => {
    const { storage, manager, group } = setup(`
groups:
  - name: g
    limit: 1
    rules:
      - alert: Many
        expr: errors > 0
`);
    storage.add({ __name__: 'errors', instance: 'a' }, T0, 1);
    storage.add({ __name__: 'errors', instance: 'b' }, T0, 1);
    await manager.evaluate(group, T0);
    expect(group.rules[0].health.lastError).toBe('exceeded limit of 1 with 2 alerts');
    expect(manager.alerts()).toEqual([]);
  });

  it('keeps a firing alert firing across a restart and hands it to the new dispatcher at once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-rules-'));
    const stateFile = join(dir, 'alerts.json');
    const storage = new MemoryStorage();
    seed(storage, T0, T0 + 20 * 60_000, () => 10);
    const first = setup(ERRORS, { stateFile, storage });
    for (let i = 0; i <= 2; i++) await first.manager.evaluate(first.group, T0 + i * 60_000);
    expect(first.manager.alerts()[0].state).toBe('firing');
    const sentBefore = first.sent.flat().length;

    const second = setup(ERRORS, { stateFile, storage });
    await second.manager.restore();
    expect(second.manager.alerts()[0]).toMatchObject({ state: 'firing', activeAt: T0, firedAt: T0 + 120_000 });
    await second.manager.evaluate(second.group, T0 + 150_000);
    expect(second.manager.alerts()[0].state).toBe('firing');
    // sent 30 s ago, but to the dispatcher of the process that stopped; its notification log dedups
    expect(second.sent.flat()).toHaveLength(1);
    expect(second.sent[0][0].startsAt).toBe(T0 + 120_000);
    // then the resend delay applies again
    await second.manager.evaluate(second.group, T0 + 180_000);
    expect(second.sent.flat()).toHaveLength(1);
    expect(sentBefore).toBeGreaterThan(0);
  });

  it('runs groups on their own offset within the interval, on the injected clock', async () => {
    const { storage, clock, manager, group } = setup(ERRORS);
    seed(storage, T0, T0 + 10 * 60_000, () => 10);
    const first = evalTimestamp(clock.now(), 60_000, 'rules.yml', 'api') + 60_000;
    expect(first).toBeGreaterThan(clock.now());
    expect(first - clock.now()).toBeLessThanOrEqual(60_000);
    manager.start();
    while (clock.now() < first + 3 * 60_000) {
      await clock.advance(Math.min(10_000, first + 3 * 60_000 - clock.now()));
      await new Promise((r) => setImmediate(r));
    }
    await manager.stop();
    expect(group.lastEvaluation).toBe(first + 3 * 60_000);
  });
});
