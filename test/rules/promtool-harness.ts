/**
 * Reads Go's real template output through the real promtool: each template becomes the annotation `t` of an
 * alert; `promtool check rules` reports the ones that do not parse, and `promtool test rules` (expecting no
 * alerts) prints every rendered annotation in its failure message, which this module parses back.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unquote } from '../../src/rules/template/go-literals.ts';
import { PROMTOOL_BIN } from '../helpers/prometheus.ts';
import type { QuerySample } from '../../src/rules/template/index.ts';

export function hasPromtool(): boolean {
  return existsSync(PROMTOOL_BIN);
}

/** The context every harness template sees, on both sides. */
export const HARNESS = {
  labels: { instance: 'host.example.com:9090', job: 'api' },
  externalLabels: { cluster: 'c1', region: 'eu' },
  externalURL: 'http://prom.example:9090/prefix',
  value: 1234.5,
  now: 60_000,
};

const SERIES: Array<[string, Record<string, string>, number]> = [
  ['up', { instance: 'host.example.com:9090', job: 'api' }, 1],
  ['up', { instance: '10.0.0.1:9100', job: 'db' }, 0],
  ['node_load1', { instance: 'b:9100', job: 'node' }, 0.25],
  ['node_load1', { instance: 'a:9100', job: 'node' }, 2.5],
];

/**
 * Answers the few queries harness templates run, as promtool's test storage does at 1m. Queries with several
 * results are sorted by value (promtool's order of unsorted selectors is not stable).
 */
export async function harnessQuery(expr: string): Promise<QuerySample[]> {
  const pick = (name: string) => SERIES.filter(([n]) => n === name).map(([n, l, v]) => ({ labels: { __name__: n, ...l }, value: v }));
  switch (expr) {
    case 'sort_desc(up)': return pick('up').sort((a, b) => b.value - a.value);
    case 'sort(node_load1)': return pick('node_load1').sort((a, b) => a.value - b.value);
    case 'up{job="api"}': return pick('up').filter((s) => (s.labels as Record<string, string>).job === 'api');
    case 'sum(up)': return [{ labels: {}, value: 1 }];
    case 'up == 5': return [];
    case 'scalar(sum(up))': return [{ labels: {}, value: 1 }];
  }
  throw new Error(`harness has no answer for query ${expr}`);
}

export type PromtoolResult = { kind: 'parse'; message: string } | { kind: 'output'; text: string };

function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL_BIN, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const q = (s: string) => JSON.stringify(s);

function ruleFile(templates: Array<[number, string]>): string {
  const lines = ['groups:', '- name: g', '  rules:'];
  for (const [i, t] of templates) {
    lines.push(`  - alert: A${i}`, '    expr: up{job="api"} * 0 + 1234.5', '    annotations:', `      t: ${q(t)}`);
  }
  return `${lines.join('\n')}\n`;
}

function testFile(indexes: number[]): string {
  const lines = [
    'rule_files: [r.yml]', 'evaluation_interval: 1m', 'tests:', '- interval: 1m',
    `  external_labels: ${JSON.stringify(HARNESS.externalLabels)}`, `  external_url: ${q(HARNESS.externalURL)}`, '  input_series:',
  ];
  for (const [n, l, v] of SERIES) {
    lines.push(`  - series: ${q(`${n}{${Object.entries(l).map(([k, x]) => `${k}=${q(x)}`).join(',')}}`)}`, `    values: '${v} ${v} ${v}'`);
  }
  lines.push('  alert_rule_test:');
  for (const i of indexes) lines.push('  - eval_time: 1m', `    alertname: A${i}`, '    exp_alerts: []');
  return `${lines.join('\n')}\n`;
}

/** Runs every template through promtool; the result for template i is at index i. */
export async function promtoolRender(templates: string[]): Promise<PromtoolResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-promtool-'));
  try {
    const results: PromtoolResult[] = new Array(templates.length);
    writeFileSync(join(dir, 'r.yml'), ruleFile(templates.map((t, i) => [i, t])));
    const check = await run(['check', 'rules', 'r.yml'], dir);
    for (const m of check.out.matchAll(/r\.yml: group "g", rule \d+, "A(\d+)": annotation "t": (.*)/g)) {
      results[Number(m[1])] = { kind: 'parse', message: m[2] };
    }
    const ok = templates.map((t, i) => [i, t] as [number, string]).filter(([i]) => !results[i]);
    if (ok.length === 0) return results;
    writeFileSync(join(dir, 'r.yml'), ruleFile(ok));
    writeFileSync(join(dir, 't.yml'), testFile(ok.map(([i]) => i)));
    const test = await run(['test', 'rules', 't.yml'], dir);
    const blocks = test.out.split(/\n\s*alertname: /).slice(1);
    for (const b of blocks) {
      const idx = Number(/^A(\d+),/.exec(b)?.[1]);
      const got = b.slice(b.indexOf('got:['));
      const m = /Annotations:\{t=("(?:[^"\\]|\\.)*")\}/.exec(got);
      if (m) results[idx] = { kind: 'output', text: unquote(m[1], { lenient: true }) };
    }
    for (const [i] of ok) {
      if (!results[i]) throw new Error(`promtool gave no result for template ${i} (${q(templates[i])}):\n${test.out.slice(0, 4000)}`);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
