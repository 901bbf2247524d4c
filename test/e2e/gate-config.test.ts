import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRecordFile } from '../../src/runs/files.ts';
import { runCli } from '../helpers/cli.ts';
import { sampleRecord, T0 } from '../runs/helpers.ts';

let dir: string;
let store: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'telltale-gate-config-e2e-'));
  store = file('runs.db');
  // eight earlier runs of the same system on runners whose whole runs differ by up to ±15%, the baseline, and a
  // current run 20% slower: alone a regression, against this history within the noise
  const history = [-3, -1.5, 0, 1.5, 3, -2, 2, 0.5].map((s, i) => sampleRecord({ id: `hist-${i}`, seconds: 30, seed: 10 + i, slowdown: s, startTime: T0 + i * 60_000 }));
  const base = sampleRecord({ id: 'base-run', seconds: 30, seed: 1, startTime: T0 + 10 * 60_000 });
  const cur = sampleRecord({ id: 'cur-run', seconds: 30, seed: 2, slowdown: 3, startTime: T0 + 11 * 60_000, passed: false });
  const files: string[] = [];
  for (const r of [...history, base, cur]) {
    files.push(file(`${r.id}.json`));
    await writeRecordFile(file(`${r.id}.json`), r);
  }
  const imp = await runCli(['runs', 'import', ...files, '--store', store]);
  expect(imp.code, imp.stderr).toBe(0);
  expect((await runCli(['baseline', 'set', 'base-run', '--store', store])).code).toBe(0);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('telltale gate with a config file and a history', () => {
  it('without history a whole-run offset is a regression; with the store history it is within the noise', async () => {
    const alone = await runCli(['gate', '--run', 'cur-run', '--store', store, '--history', '0', '--rule', 'p95 relative_increase > 10%']);
    expect(alone.code, alone.stdout + alone.stderr).toBe(99);
    const json = file('with-history.json');
    const withHistory = await runCli(['gate', '--run', 'cur-run', '--store', store, '--rule', 'p95 relative_increase > 10%', '--json', json]);
    expect(withHistory.code, withHistory.stdout + withHistory.stderr).toBe(0);
    expect(withHistory.stdout).toMatch(/history: 9 earlier runs/);
    expect(withHistory.stdout).toMatch(/within the run-to-run noise/);
    const result = JSON.parse(await readFile(json, 'utf8'));
    expect(result.history.runs).toBe(9);
    expect(result.history.ids).toContain('base-run');
    expect(result.history.ids).not.toContain('cur-run');
    expect(result.verdicts[0].noise).toMatchObject({ runs: 9 });
  }, 30_000);

  it('takes rules, endpoint rules, alpha and the baseline from the file; flags win', async () => {
    const config = file('gate.yaml');
    await writeFile(
      config,
      [
        '# the checkout gate',
        'rules:',
        '  - p95 relative_increase > 10%',
        '  - throughput relative_decrease > 5%',
        'endpoints:',
        '  - name: GET /api/item-2',
        '    rules: ["p95 relative_increase > 50%"]',
        'alpha: 0.001',
        'min-intervals: 12',
        'baseline:',
        '  file: base-run.json',
        'history:',
        '  runs: 0',
      ].join('\n'),
    );
    const json = file('config.json');
    const r = await runCli(['gate', '--config', config, '--current', file('cur-run.json'), '--json', json]);
    expect(r.code, r.stdout + r.stderr).toBe(99);
    const result = JSON.parse(await readFile(json, 'utf8'));
    expect(result.options).toMatchObject({ alpha: 0.001, minIntervals: 12 });
    expect(result.baselineRunId).toBe('base-run');
    const scopes = result.verdicts.map((v: { rule: string; endpoint: string | null }) => `${v.rule} @ ${v.endpoint ?? 'all'}`);
    expect(scopes).toContain('p95 relative_increase > 50% @ GET /api/item-2');
    expect(scopes).not.toContain('p95 relative_increase > 10% @ GET /api/item-2');
    expect(scopes).toContain('throughput relative_decrease > 5% @ GET /api/item-0');

    const flags = await runCli(['gate', '--config', config, '--current', file('cur-run.json'), '--json', json, '--rule', 'p95 relative_increase > 40%', '--alpha', '0.05']);
    expect(flags.code, flags.stdout + flags.stderr).toBe(0);
    const over = JSON.parse(await readFile(json, 'utf8'));
    expect(over.options.alpha).toBe(0.05);
    expect(over.verdicts.map((v: { rule: string }) => v.rule)).toEqual(['p95 relative_increase > 40%', 'p95 relative_increase > 40%', 'p95 relative_increase > 40%', 'p95 relative_increase > 50%']);
  }, 30_000);

  it('a bad config file: exit 3, the file, line and field, and nothing judged', async () => {
    const config = file('bad.yaml');
    await writeFile(config, 'rules:\n  - p95 relative_increase > 10%\n  - p95 rises\nalpha: 0.01\n');
    const r = await runCli(['gate', '--config', config, '--run', 'cur-run', '--store', store]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${config}:3: gate config: rules[1]: "p95 rises": not a rule [TT_GATE_CONFIG]`);
    expect(r.stdout).toBe('');
  }, 30_000);
});
