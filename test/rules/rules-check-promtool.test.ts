/** `telltale rules check` and the real `promtool check rules` agree on every fixture: pass/fail and rule counts. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.ts';
import { PROMTOOL_BIN } from '../helpers/prometheus.ts';
import { hasPromtool } from './promtool-harness.ts';

const dir = join(ROOT, 'test/fixtures/rules');
const files = (sub: string) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.yml')).map((f) => join('test/fixtures/rules', sub, f));
const GOOD = files('good');
const BAD = files('bad');
const PACK = ['rules/telltale-golden-signals.yml'];

function promtool(file: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL_BIN, ['check', 'rules', file], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

interface Check { file: string; ok: boolean; ruleCount: number; findings: Array<{ line: number; column: number; message: string }> }

async function telltale(paths: string[]): Promise<{ code: number | null; checks: Check[] }> {
  const r = await runCli(['rules', 'check', '--json', ...paths]);
  return { code: r.code, checks: JSON.parse(r.stdout) as Check[] };
}

describe('telltale rules check', () => {
  it('passes the good fixtures and the built-in pack, with their rule counts, and exits 0', async () => {
    const { code, checks } = await telltale([...GOOD, ...PACK]);
    expect(code).toBe(0);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks.find((c) => c.file.endsWith('full.yml'))?.ruleCount).toBe(4);
  });

  it('fails every bad fixture with at least one finding that names line and column, and exits 1', async () => {
    const { code, checks } = await telltale(BAD);
    expect(code).toBe(1);
    for (const c of checks) {
      expect(c.ok, c.file).toBe(false);
      expect(c.findings.length, c.file).toBeGreaterThan(0);
      for (const f of c.findings) expect(f.line, `${c.file}: ${f.message}`).toBeGreaterThan(0);
    }
  });

  it('prints promtool\'s layout', async () => {
    const r = await runCli(['rules', 'check', 'test/fixtures/rules/good/full.yml', 'test/fixtures/rules/bad/for-on-record.yml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Checking test/fixtures/rules/good/full.yml\n  SUCCESS: 4 rules found\n');
    expect(r.stdout).toContain('Checking test/fixtures/rules/bad/for-on-record.yml\n');
    expect(r.stderr).toContain(`  FAILED:\ntest/fixtures/rules/bad/for-on-record.yml:4:13: group "a", rule 1, "job:up:sum": invalid field 'for' in recording rule\n`);
  });
});

describe.skipIf(!hasPromtool())('telltale rules check against the real promtool check rules', () => {
  it('agrees on pass/fail for every fixture and on the rule count of good files', async () => {
    const all = [...GOOD, ...BAD, ...PACK];
    const { checks } = await telltale(all);
    const disagreements: string[] = [];
    for (const [i, file] of all.entries()) {
      const p = await promtool(file);
      const ours = checks[i];
      if ((p.code === 0) !== ours.ok) disagreements.push(`${file}: promtool exit ${p.code}, telltale ok=${ours.ok}\n${p.out}`);
      const count = /SUCCESS: (\d+) rules found/.exec(p.out);
      if (count && Number(count[1]) !== ours.ruleCount) disagreements.push(`${file}: promtool counts ${count[1]} rules, telltale ${ours.ruleCount}`);
    }
    expect(disagreements.join('\n')).toBe('');
  }, 60_000);

  it('accepts group labels and query_offset of newer Prometheus, which promtool 2.42 does not know', async () => {
    const file = 'test/fixtures/rules/newer/group-labels.yml';
    expect((await promtool(file)).code).toBe(1);
    const { code, checks } = await telltale([file]);
    expect(code).toBe(0);
    expect(checks[0].ruleCount).toBe(1);
  });
});
