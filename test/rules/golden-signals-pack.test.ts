/** The built-in rule pack: valid for promtool and for Telltale, its unit tests pass under the real promtool. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/rules/rule-file.ts';
import type { AlertingRule } from '../../src/rules/types.ts';
import { ROOT } from '../helpers/cli.ts';
import { PROMTOOL_BIN } from '../helpers/prometheus.ts';
import { hasPromtool } from './promtool-harness.ts';

const PACK = join(ROOT, 'rules/telltale-golden-signals.yml');
const packText = readFileSync(PACK, 'utf8');

function promtool(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL_BIN, args, { cwd: join(ROOT, 'rules') }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe('rules/telltale-golden-signals.yml', () => {
  const { ruleFile, findings } = parseRuleFile(packText, 'rules/telltale-golden-signals.yml');
  const alerts = ruleFile!.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => r.kind === 'alert');
  const byName = new Map(alerts.map((a) => [a.name, a]));

  it('passes telltale\'s own check with no finding at all', () => {
    expect(findings).toEqual([]);
    expect(ruleFile!.groups.flatMap((g) => g.rules).length).toBe(33);
  });

  it('gives every alert a severity, a priority, a summary, a description and a runbook that exists', () => {
    const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[^a-z0-9 -]/g, '').trim().replace(/ /g, '-')));
    for (const a of alerts) {
      expect(['page', 'ticket', 'review', 'warning', 'critical'], a.name).toContain(a.labels.severity);
      expect(a.labels.priority, a.name).toMatch(/^P[123]$/);
      expect(a.annotations.summary, a.name).toBeTruthy();
      expect(a.annotations.description, a.name).toBeTruthy();
      const anchor = /^docs\/rules\.md#(.+)$/.exec(a.annotations.runbook_url)?.[1];
      expect(anchor && anchors.has(anchor), `${a.name}: runbook ${a.annotations.runbook_url}`).toBe(true);
    }
  });

  it('encodes the seeds\' priorities and threshold table', () => {
    const rule = (name: string) => byName.get(name) as AlertingRule;
    const threshold = (name: string) => Number(/> ([\d.]+)\s*$/.exec(rule(name).expr.trim())?.[1]);
    expect([threshold('HTTPErrorRatePage'), rule('HTTPErrorRatePage').forMs, rule('HTTPErrorRatePage').labels.priority]).toEqual([0.05, 120_000, 'P1']);
    expect([threshold('HTTPLatencyPage'), rule('HTTPLatencyPage').forMs, rule('HTTPLatencyPage').labels.priority]).toEqual([2, 300_000, 'P1']);
    expect([threshold('HTTPLatencyTicket'), rule('HTTPLatencyTicket').forMs, rule('HTTPLatencyTicket').labels.priority]).toEqual([0.5, 900_000, 'P2']);
    expect([threshold('CPUUsageTrendReview'), rule('CPUUsageTrendReview').labels.priority]).toEqual([0.7, 'P3']);
    expect(rule('CPUUsageTrendReview').expr).toContain('avg_over_time');
    const table: Array<[string, number, number]> = [
      ['EndpointLatency', 0.4, 0.8], ['EndpointErrorRate', 0.005, 0.02], ['HostCPU', 0.75, 0.9],
      ['HostMemory', 0.8, 0.95], ['HostDisk', 0.8, 0.95], ['DatabaseConnections', 150, 190],
    ];
    for (const [base, warning, critical] of table) {
      expect([threshold(`${base}Warning`), rule(`${base}Warning`).labels.severity], base).toEqual([warning, 'warning']);
      expect([threshold(`${base}Critical`), rule(`${base}Critical`).labels.severity], base).toEqual([critical, 'critical']);
    }
  });

  it.skipIf(!hasPromtool())('passes promtool check rules', async () => {
    const r = await promtool(['check', 'rules', 'telltale-golden-signals.yml']);
    expect(r.out).toContain('SUCCESS: 33 rules found');
    expect(r.code).toBe(0);
  });

  it.skipIf(!hasPromtool())('passes its unit tests under promtool test rules', async () => {
    const r = await promtool(['test', 'rules', 'telltale-golden-signals.test.yml']);
    expect(r.out).toContain('SUCCESS');
    expect(r.code, r.out).toBe(0);
  });
});
