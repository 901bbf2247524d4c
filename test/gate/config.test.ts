import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelltaleError } from '../../src/errors.ts';
import { parseGateConfig, readGateConfig } from '../../src/gate/config.ts';

const FILE = '/ci/perf/gate.yaml';

function failure(text: string): TelltaleError {
  try {
    parseGateConfig(text, FILE);
  } catch (err) {
    if (err instanceof TelltaleError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text}`);
}

describe('gate config files', () => {
  it('reads a complete config', () => {
    const c = parseGateConfig(
      [
        'rules:',
        '  - p95 relative_increase > 10%',
        '  - error_rate > 0',
        'endpoints:',
        '  - name: GET /api/search',
        '    rules: ["p95 relative_increase > 25%"]',
        '  - name: GET /healthz',
        '    rules: []',
        'alpha: 0.005',
        'min-intervals: 15',
        'fail-on-inconclusive: true',
        'test: checkout',
        'baseline:',
        '  file: ../artifacts/baseline.json',
        'history:',
        '  runs: 30',
        '  min-runs: 8',
        '  branch: main',
      ].join('\n'),
      FILE,
    );
    expect(c.rules?.map((r) => r.text)).toEqual(['p95 relative_increase > 10%', 'error_rate > 0']);
    expect(c.endpointRules).toEqual([{ text: 'p95 relative_increase > 25%', metric: 'p95', kind: 'relative_increase', op: '>', threshold: 0.25, endpoint: 'GET /api/search' }]);
    expect(c.ownRules).toEqual(['GET /api/search', 'GET /healthz']);
    expect(c).toMatchObject({ alpha: 0.005, minIntervals: 15, failOnInconclusive: true, test: 'checkout', history: { runs: 30, minRuns: 8, branch: 'main' } });
    // relative to the config file, not the working directory
    expect(c.baseline).toEqual({ kind: 'file', file: '/ci/artifacts/baseline.json' });
    expect(parseGateConfig('baseline:\n  last-passing: true\n  branch: main\n', FILE).baseline).toEqual({ kind: 'last-passing', branch: 'main' });
    expect(parseGateConfig('baseline: { run: 3f2a }\n', FILE).baseline).toEqual({ kind: 'run', run: '3f2a' });
    expect(parseGateConfig('alpha: 0.02\n', FILE).rules).toBeUndefined();
  });

  const bad: [name: string, text: string, line: number | undefined, field: string, message: RegExp][] = [
    ['an empty file', '  \n', undefined, '(root)', /the file is empty/],
    ['not YAML', 'rules: [p95 > 1\nalpha: 0.1\n', 2, '(root)', /not valid YAML/],
    ['a list at the top', '- p95 > 1\n', 1, '(root)', /expected a mapping/],
    ['a duplicate key', 'alpha: 0.01\nalpha: 0.02\n', 2, '(root)', /not valid YAML: Map keys must be unique/],
    ['an unknown key', 'alpha: 0.01\n\nrulez:\n  - p95 > 1\n', 3, 'rulez', /unknown setting \(known: rules, endpoints/],
    ['a misspelt nested key', 'history:\n  runs: 5\n  min_runs: 3\n', 3, 'history.min_runs', /unknown setting \(known: runs, min-runs, branch\)/],
    ['a bad rule', 'rules:\n  - p95 relative_increase > 10%\n  - p95 goes up\n', 3, 'rules[1]', /"p95 goes up": not a rule/],
    ['a bad endpoint rule', 'endpoints:\n  - name: a\n    rules:\n      - p95 relative_increase > 10\n', 4, 'endpoints[0].rules[0]', /a relative change is a percentage/],
    ['an endpoint rule naming an endpoint', 'endpoints:\n  - name: a\n    rules: ["p95{name:b} > 1"]\n', 3, 'endpoints[0].rules[0]', /names no endpoint of its own/],
    ['an endpoint listed twice', 'endpoints:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n', 4, 'endpoints[1].name', /listed twice/],
    ['an endpoint without rules', 'endpoints:\n  - name: a\n', 2, 'endpoints[0].rules', /expected array/],
    ['alpha out of range', 'alpha: 1.5\n', 1, 'alpha', /expected number to be <1/],
    ['alpha as text', 'alpha: "0.01"\n', 1, 'alpha', /expected number/],
    ['fractional min-intervals', 'min-intervals: 2.5\n', 1, 'min-intervals', /expected int/],
    ['two baselines', 'baseline:\n  run: abc\n  file: b.json\n', 2, 'baseline', /give one of file, run and last-passing/],
    ['a branch without last-passing', 'baseline:\n  run: abc\n  branch: main\n', 3, 'baseline.branch', /only goes with last-passing/],
    ['a negative history', 'history:\n  runs: -3\n', 2, 'history.runs', /expected number to be >=0/],
    ['rules as one string', 'rules: p95 > 1\n', 1, 'rules', /expected array/],
  ];
  for (const [name, text, line, field, message] of bad) {
    it(`refuses ${name}, naming file, line and field`, () => {
      const err = failure(text);
      expect(err.code).toBe('TT_GATE_CONFIG');
      expect(err.exitCode).toBe(3);
      expect(err.file).toBe(FILE);
      expect(err.line).toBe(line);
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
    });
  }

  it('never crashes on arbitrary text: a config, or a TT_GATE_CONFIG error naming the file and a field', () => {
    const yamlish = fc.constantFrom(...'rules:endpoints- name alpha history baseline runs p95 > 10% {}[]&*!|>"\'#\n\t 0.5'.split(' '), ':', '- ', '\n  ', '&a ', '*a', '!!binary ', '%YAML 1.2\n', '---\n');
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(yamlish, { maxLength: 40 }).map((parts) => parts.join('')),
      fc.anything({ maxDepth: 4 }).map((v) => {
        try {
          return stringify(v) ?? '';
        } catch {
          return String(v);
        }
      }),
      fc.record({ rules: fc.array(fc.string({ maxLength: 30 })), alpha: fc.double(), 'min-intervals': fc.integer() }, { requiredKeys: [] }).map((v) => stringify(v)),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseGateConfig(t, FILE);
          return true;
        } catch (err) {
          return err instanceof TelltaleError && err.code === 'TT_GATE_CONFIG' && err.file === FILE && typeof err.field === 'string' && err.field.length > 0;
        }
      }),
      { seed: 11, numRuns: 1500 },
    );
  });

  it('survives alias bombs and deep nesting', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    expect(failure(bomb).code).toBe('TT_GATE_CONFIG');
    expect(failure(`rules: ${'['.repeat(5000)}${']'.repeat(5000)}\n`).code).toBe('TT_GATE_CONFIG');
  });
});

describe('gate config files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'telltale-gate-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the example in examples/ci/gate.yaml', async () => {
    const c = await readGateConfig(path.join(import.meta.dirname, '../../examples/ci/gate.yaml'));
    expect(c.rules?.map((r) => r.text)).toEqual(['p95 relative_increase > 10%', 'error_rate > 0', 'throughput relative_decrease > 5%']);
    expect(c.ownRules).toEqual(['GET /api/search', 'POST /api/checkout', 'GET /healthz']);
    expect(c).toMatchObject({ alpha: 0.01, minIntervals: 10, failOnInconclusive: false, test: 'checkout', baseline: { kind: 'last-passing', branch: 'main' }, history: { runs: 20, minRuns: 5, branch: 'main' } });
  });

  it('the example workflow is valid YAML and gates with the example config', async () => {
    const workflow = parse(await readFile(path.join(import.meta.dirname, '../../examples/ci/github-actions.yml'), 'utf8'));
    const runs = (workflow.jobs.perf.steps as { run?: string }[]).flatMap((s) => s.run ?? []);
    expect(runs.some((r) => r.startsWith('npx telltale gate --config examples/ci/gate.yaml'))).toBe(true);
    expect(runs.some((r) => r.includes('npx telltale compare'))).toBe(true);
  });

  it('reads a file, and names a missing one', async () => {
    const file = path.join(dir, 'gate.yaml');
    await writeFile(file, 'rules:\n  - p99 > 800\n');
    expect((await readGateConfig(file)).rules?.[0]).toMatchObject({ metric: 'p99', threshold: 800 });
    await expect(readGateConfig(path.join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'TT_GATE_CONFIG', file: path.join(dir, 'nope.yaml'), message: /cannot read the file/ });
  });
});
