/**
 * `telltale rules test` against the real `promtool test rules` on the same files: the fixture corpus in
 * test/fixtures/rules/unit (pass-*: every test passes, fail-*: some test fails, bad-*: the file is malformed)
 * and the built-in pack's own tests. Each file runs through the CLI (bin/telltale.js) and through promtool.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.ts';
import { PROMTOOL_BIN } from '../helpers/prometheus.ts';
import { renderUnitTests, runUnitTestFile } from '../../src/rules/unit-test/runner.ts';
import { hasPromtool } from './promtool-harness.ts';

const DIR = 'test/fixtures/rules/unit';
const FIXTURES = readdirSync(join(ROOT, DIR)).filter((f) => f.endsWith('.test.yml')).sort().map((f) => `${DIR}/${f}`);
const PACK_TEST = 'rules/telltale-golden-signals.test.yml';
const kind = (file: string) => /\/(pass|fail|bad)-[^/]+$/.exec(file)?.[1];

interface Run { code: number; stdout: string; stderr: string }

function promtool(file: string, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(PROMTOOL_BIN, ['test', 'rules', file], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function telltale(args: string[]): Promise<Run> {
  const r = await runCli(['rules', 'test', ...args]);
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `fn` over `items`, two at a time (the machine is small and shared). */
async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<Map<T, R>> {
  const out = new Map<T, R>();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      out.set(item, await fn(item));
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/**
 * The failing tests a run names: `name: ...`, `alertname: X, time: T`, `expr: "...", time: T`, `rule: R`,
 * or the rule in a rule file that did not load (`FILE: L:C: group "g", rule N`).
 */
function failureHeads(stderr: string): string[] {
  return stderr.split('\n')
    .map((l) => /^(?:\s+(name: .*|alertname: [^,]+, time: [^,]+|expr: ".*", time: [^,]+|rule: [^,]+, time: [^,]+)|(\S+: \d+:\d+: group "[^"]*", rule \d+))/.exec(l)?.slice(1).find((x) => x !== undefined))
    .filter((x): x is string => x !== undefined)
    .sort();
}

/** Where our failure text differs from promtool's on purpose or in a detail promtool does not fix. */
const TEXT_DIFFERS = new Map([
  // the PromQL parser words this syntax error differently; the test fails the same way
  [`${DIR}/fail-promql-bad-selector.test.yml`, 'parse error wording'],
]);

/**
 * For a malformed file: the line promtool names (when it names one) and the field path our message names.
 * promtool's own text is yaml.v2's (`line 7: field exp_alert not found in type main.alertTestCase`); ours
 * is `FILE:LINE:COL: FIELD: message`.
 */
const BAD_FIELD: Record<string, string | undefined> = {
  'bad-duplicate-key.test.yml': 'tests[0].interval',
  'bad-duplicate-label.test.yml': 'tests[0].alert_rule_test[0].exp_alerts[0].exp_labels.team',
  'bad-merge-labels.test.yml': 'tests[0].alert_rule_test[0].exp_alerts[0].exp_labels.severity',
  'bad-empty-duration.test.yml': 'tests[0].promql_expr_test[0].eval_time',
  'bad-eval-time.test.yml': 'tests[0].promql_expr_test[0].eval_time',
  'bad-fuzzy-compare.test.yml': 'fuzzy_compare',
  'bad-group-order-repeated.test.yml': 'group_eval_order',
  'bad-labels-map-value.test.yml': 'tests[0].alert_rule_test[0].exp_alerts[0].exp_labels.team',
  'bad-merge-key.test.yml': 'base',
  'bad-rule-files-pattern.test.yml': 'rule_files[0]',
  'bad-series-labels.test.yml': 'tests[0].input_series[0].series',
  'bad-series-not-string.test.yml': 'tests[0].input_series[0].series',
  'bad-series-notation.test.yml': 'tests[0].input_series[0].values',
  'bad-series-signed-step.test.yml': 'tests[0].input_series[0].values',
  'bad-series-digit-separator.test.yml': 'tests[0].input_series[0].values',
  'bad-tests-not-list.test.yml': 'tests',
  'bad-unknown-field.test.yml': 'tests[0].alert_rule_test[0].exp_alert',
  'bad-unknown-top-field.test.yml': 'evaluation_intervals',
  'bad-value-type.test.yml': 'tests[0].promql_expr_test[0].exp_samples[0].value',
  'bad-yaml.test.yml': undefined,
};
/** Malformed files promtool reports while running (not while reading): same text on both sides. */
const BAD_AT_RUN = new Set(['bad-missing-alertname.test.yml']);

let ours: Map<string, Run>;
beforeAll(async () => {
  ours = await mapLimited([...FIXTURES, PACK_TEST], (f) => telltale([f]));
}, 240_000);

describe('telltale rules test on the fixture corpus', () => {
  it('has at least 30 fixtures of each outcome between them', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(30);
    for (const k of ['pass', 'fail', 'bad']) expect(FIXTURES.filter((f) => kind(f) === k).length, k).toBeGreaterThan(5);
    for (const f of FIXTURES) expect(kind(f), f).toBeDefined();
  });

  it('exits 0 on pass-* and on the built-in pack, 1 on fail-* and bad-*, with promtool\'s layout', () => {
    const wrong: string[] = [];
    for (const f of [...FIXTURES, PACK_TEST]) {
      const r = ours.get(f)!;
      const want = kind(f) === 'fail' || kind(f) === 'bad' ? 1 : 0;
      if (r.code !== want) wrong.push(`${f}: exit ${r.code}, want ${want}\n${r.stdout}${r.stderr}`);
      if (!r.stdout.startsWith(`Unit Testing:  ${f}\n`)) wrong.push(`${f}: stdout starts ${JSON.stringify(r.stdout.slice(0, 80))}`);
      if (want === 0 && !r.stdout.includes('  SUCCESS\n')) wrong.push(`${f}: no SUCCESS`);
      if (want === 1 && !r.stderr.startsWith('  FAILED:\n') && !r.stderr.includes('\n  FAILED:\n')) wrong.push(`${f}: no FAILED on stderr`);
    }
    expect(wrong.join('\n')).toBe('');
  });

  it('names file, line and field for a malformed file', () => {
    for (const [name, field] of Object.entries(BAD_FIELD)) {
      const file = `${DIR}/${name}`;
      const r = ours.get(file)!;
      expect(r.stderr, name).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
      if (field !== undefined) expect(r.stderr, name).toContain(`: ${field}: `);
      expect(r.stderr, name).toContain('[TT_RULES_INVALID]');
    }
    for (const f of FIXTURES.filter((x) => kind(x) === 'bad')) {
      const name = f.slice(DIR.length + 1);
      expect(name in BAD_FIELD || BAD_AT_RUN.has(name), `${name} needs an entry in BAD_FIELD`).toBe(true);
    }
  });

  it('runs several files in one call and exits 1 if any fails', async () => {
    const files = [`${DIR}/pass-chain.test.yml`, `${DIR}/fail-extra-alert.test.yml`, PACK_TEST];
    const r = await telltale(files);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(files.map((f) => ours.get(f)!.stdout).join(''));
    expect(r.stderr).toBe(files.map((f) => ours.get(f)!.stderr).join(''));
  });

  it('writes JUnit XML with one testcase per test group and the failures in them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-junit-'));
    try {
      const out = join(dir, 'junit.xml');
      const files = [`${DIR}/fail-multi-group.test.yml`, `${DIR}/pass-multi-group.test.yml`, `${DIR}/bad-yaml.test.yml`];
      const r = await telltale(['--junit', out, ...files]);
      expect(r.code).toBe(1);
      const xml = readFileSync(out, 'utf8');
      expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="telltale rules test" tests="6" failures="3">/);
      expect(xml).toContain(`<testsuite name="${files[0]}" tests="3" failures="2">`);
      expect(xml).toContain(`<testcase name="good" classname="${files[0]}"/>`);
      expect(xml).toMatch(/<testcase name="bad-one" [^>]*>\s*<failure message="1 failure\(s\)">\s*name: bad-one,\n\s*alertname: InstanceDown/);
      expect(xml).toContain(`<testcase name="#2" classname="${files[1]}"/>`);
      expect(xml).toMatch(/<testsuite name="[^"]*bad-yaml.test.yml" tests="1" failures="1">\s*<testcase [^>]*>\s*<failure message="yaml: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasPromtool())('telltale rules test against the real promtool test rules', () => {
  let theirs: Map<string, Run>;
  beforeAll(async () => {
    theirs = await mapLimited([...FIXTURES, PACK_TEST], promtool);
  }, 120_000);

  it('promtool gives every fixture the outcome its name says', () => {
    const wrong = FIXTURES.filter((f) => (theirs.get(f)!.code === 0) !== (kind(f) === 'pass'));
    expect(wrong.map((f) => `${f}: promtool exit ${theirs.get(f)!.code}\n${theirs.get(f)!.stderr}`).join('\n')).toBe('');
  });

  it('agrees on pass/fail for every fixture and the pack, and exits with the same code', () => {
    const wrong: string[] = [];
    for (const f of [...FIXTURES, PACK_TEST]) {
      const p = theirs.get(f)!;
      const t = ours.get(f)!;
      if (p.code !== t.code) wrong.push(`${f}: promtool exit ${p.code}, telltale ${t.code}\n--- promtool\n${p.stderr}\n--- telltale\n${t.stderr}`);
    }
    expect(wrong.join('\n')).toBe('');
  });

  it('names the same failing test groups, alerts, expressions and rules', () => {
    for (const f of FIXTURES.filter((x) => kind(x) === 'fail')) {
      expect(failureHeads(ours.get(f)!.stderr), f).toEqual(failureHeads(theirs.get(f)!.stderr));
      expect(failureHeads(theirs.get(f)!.stderr).length, `${f}: promtool names no failing test`).toBeGreaterThan(0);
    }
  });

  it('prints the same text for test failures, character for character', () => {
    for (const f of [...FIXTURES.filter((x) => kind(x) !== 'bad'), PACK_TEST, ...[...BAD_AT_RUN].map((n) => `${DIR}/${n}`)]) {
      if (TEXT_DIFFERS.has(f)) continue;
      expect(ours.get(f)!.stdout, f).toBe(theirs.get(f)!.stdout);
      expect(ours.get(f)!.stderr, f).toBe(theirs.get(f)!.stderr);
    }
  });

  it('interleaves standard output and error as promtool does when both go to one file', async () => {
    const files = [`${DIR}/fail-multi-group.test.yml`, `${DIR}/pass-rule-files-nomatch.test.yml`, `${DIR}/fail-eval-error.test.yml`, PACK_TEST];
    const dir = mkdtempSync(join(tmpdir(), 'tt-both-'));
    try {
      const both = (cmd: string, args: string[], out: string) => new Promise<string>((resolve, reject) => {
        const fd = openSync(join(dir, out), 'w');
        const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', fd, fd], env: { ...process.env, NO_COLOR: '1', TELLTALE_RECORD: '0' } });
        child.on('error', reject);
        child.on('close', () => {
          closeSync(fd);
          resolve(readFileSync(join(dir, out), 'utf8'));
        });
      });
      const theirText = await both(PROMTOOL_BIN, ['test', 'rules', ...files], 'p.txt');
      const ourText = await both(process.execPath, [BIN, 'rules', 'test', ...files], 't.txt');
      expect(ourText).toBe(theirText);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the line promtool names for a malformed file', () => {
    for (const name of Object.keys(BAD_FIELD)) {
      const file = `${DIR}/${name}`;
      const line = /\bline (\d+)\b/.exec(theirs.get(file)!.stderr)?.[1];
      if (line === undefined) continue;
      expect(ours.get(file)!.stderr, name).toContain(`${file}:${line}:`);
    }
  });
});

/** input_series values, odd ones included; each is read back by sums and counts over the whole hour. */
const NOTATIONS = [
  '1+2x3', '10-1.5x4', '7x2', '1 _ 3 _x2 6', '-5+1x2 -1', '1.5e2 2e-1', '_x0', '1x0', '1+1x0', '1e1+1x2', '1e+2+1x2',
  '1e-1-1x2', '1+1e+1x2', '0x10', '0x10+1x2', 'Inf+1x2', '-Inf', 'NaN', 'nan', '+5', '+5+1x2', '1 + 2x3', '1+2 x3',
  '.5', '5.', '.5+.5x2', '1E2', '1+2x03', '1 stale _ stale', '0.1+0.1x20', '1++2x3', '1+-2x3', '1-+2x3', '1--2x3',
  '1_000', '0o17', '0b1', 'stalex2', 'stale+1x2', '1 stale-2x1 3', 'stale+1', '_+1x2', '__', '1x', 'x1', '1x-1', '-', '+', 'abc', '1 2 three',
];

function notationTest(values: string): string {
  const exprs = ['sum_over_time(m[1h])', 'count_over_time(m[1h])', 'max_over_time(m[1h])', 'min_over_time(m[1h])'];
  return ['tests:', '  - interval: 1m', '    input_series:', '      - series: m', `        values: ${JSON.stringify(values)}`, '    promql_expr_test:',
    ...exprs.flatMap((e) => [`      - expr: ${e}`, '        eval_time: 59m'])].join('\n') + '\n';
}

describe.skipIf(!hasPromtool())('input_series notation against the real promtool', () => {
  it('refuses the values promtool refuses and reads the others to the same samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-notation-'));
    try {
      const wrong: string[] = [];
      for (const [i, values] of NOTATIONS.entries()) {
        const file = `n${i}.yml`;
        writeFileSync(join(dir, file), notationTest(values));
        const p = await promtool(file, dir);
        const t = renderUnitTests([await runUnitTestFile(join(dir, file))]);
        // promtool's parse errors come from its loader (`1:5: parse error: ...`); ours from the file reader
        const theyRefuse = /parse error|yaml:/.test(p.stderr);
        const weRefuse = t.stderr.includes('[TT_RULES_INVALID]');
        if (theyRefuse !== weRefuse) wrong.push(`${JSON.stringify(values)}: promtool ${theyRefuse ? 'refuses' : 'accepts'}, telltale ${weRefuse ? 'refuses' : 'accepts'}\n${p.stderr}${t.stderr}`);
        else if (!theyRefuse && p.stderr !== t.stderr.replaceAll(join(dir, file), file)) wrong.push(`${JSON.stringify(values)}:\n--- promtool\n${p.stderr}--- telltale\n${t.stderr}`);
      }
      expect(wrong.join('\n')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** rule_files patterns, read by Go's filepath.Glob in promtool: no `**`, no braces, dotfiles match `*`. */
const PATTERNS = [
  'r/*.yml', 'r/f_?.yml', 'r/f_[ab].yml', 'r/f_[^a].yml', 'r/f_[a-c].yml', 'r/f_[c-a].yml', 'r/.*.yml', 'r/*', 'r/*/*.yml',
  '*/*.yml', 'r/f_\\a.yml', 'r/f_{a,b}.yml', 'r/**/*.yml', 'r/**', 'r/f_a.yml', 'r/none.yml', 'r/f_[]a].yml', 'r/f_[a-].yml',
  'r/f_\\', 'r/[', 'r/f_[\\]].yml', 'r/[s]ub/*.yml', './r/../r/f_a.yml',
];

describe.skipIf(!hasPromtool())('rule_files globs against the real promtool', () => {
  it('loads the same rule files for every pattern, and refuses the same malformed ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-glob-'));
    try {
      mkdirSync(join(dir, 'r/sub'), { recursive: true });
      const names = ['f_a.yml', 'f_b.yml', 'f_c.yml', '.f_d.yml', 'f_{a,b}.yml', 'f_].yml', 'sub/f_e.yml'];
      for (const n of names) {
        writeFileSync(join(dir, 'r', n), `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n        labels: {file: ${JSON.stringify(n)}}\n`);
      }
      const wrong: string[] = [];
      const seen = { files: 0, refused: 0, warned: 0 };
      for (const pattern of PATTERNS) {
        const test = `rule_files: [${JSON.stringify(pattern)}]\ntests:\n  - interval: 1m\n    alert_rule_test:\n      - eval_time: 0m\n        alertname: A\n        exp_alerts: []\n`;
        writeFileSync(join(dir, 't.yml'), test);
        const p = await promtool('t.yml', dir);
        const t = renderUnitTests([await runUnitTestFile(join(dir, 't.yml'))]);
        const files = (text: string) => [...text.matchAll(/file="([^"]*)"/g)].map((m) => m[1]).sort().join(' ');
        const refused = (text: string) => text.includes('syntax error in pattern');
        const warned = (text: string) => text.includes('WARNING: no file match pattern');
        const a = { files: files(p.stderr), refused: refused(p.stderr), warned: warned(p.stderr) };
        const b = { files: files(t.stderr), refused: refused(t.stderr), warned: warned(t.stderr) };
        if (JSON.stringify(a) !== JSON.stringify(b)) wrong.push(`${pattern}: promtool ${JSON.stringify(a)}, telltale ${JSON.stringify(b)}`);
        seen.files += a.files === '' ? 0 : 1;
        seen.refused += a.refused ? 1 : 0;
        seen.warned += a.warned ? 1 : 0;
      }
      expect(wrong.join('\n')).toBe('');
      expect(seen.files).toBeGreaterThan(10);
      expect(seen.refused).toBeGreaterThan(3);
      expect(seen.warned).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** exp_samples values, read as yaml.v2 (YAML 1.1) reads a float64: underscores, octal, binary, tags. */
const YAML_NUMBERS = [
  '1_000', '0o17', '017', '1e3', '1:30', '0b11', '+.5', '0x1F', '-0', '1.', '"1"', '!!float 2', '!!int 3', '!!str 3',
  '2.5e-3', '0017.5', '1__0', '_1', '08', '-0x10', '99999999999999999999', '0x1FFFFFFFFFFFFFFFFF', '+.inf', '-.Inf',
  '-.nan', '.NaN', '1e', '0b', '0x', '-_1', '1_', 'yes', 'one', '[1]', '{a: 1}',
];

describe.skipIf(!hasPromtool())('exp_samples values against the real promtool', () => {
  it('reads the same number from every scalar, or refuses it as promtool does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-yamlnum-'));
    try {
      const wrong: string[] = [];
      for (const v of YAML_NUMBERS) {
        writeFileSync(join(dir, 't.yml'), `tests:\n  - interval: 1m\n    promql_expr_test:\n      - expr: vector(0)\n        eval_time: 0m\n        exp_samples:\n          - labels: "{}"\n            value: ${v}\n`);
        const p = await promtool('t.yml', dir);
        const t = renderUnitTests([await runUnitTestFile(join(dir, 't.yml'))]);
        const read = (text: string) => /exp: (.*)/.exec(text)?.[1] ?? (/unmarshal|cannot read/.test(text) ? 'refused' : 'passed');
        if (read(p.stderr) !== read(t.stderr)) wrong.push(`${v}: promtool ${read(p.stderr)}, telltale ${read(t.stderr)}`);
      }
      expect(wrong.join('\n')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
