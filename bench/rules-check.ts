/**
 * Rule files and templates: how long `telltale rules check` and `promtool check rules` take on the same
 * large generated rule file (CLI against CLI, process start included), and how many alert annotations per
 * second the template engine expands in process (the work an evaluator does for every firing alert).
 *
 *   node bench/rules-check.ts [--rules 5000] [--repeat 5] [--expansions 20000]
 *
 * Writes bench/results/rules-check.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandAlertTemplate } from '../src/rules/template/index.ts';
import { parseRuleFile } from '../src/rules/rule-file.ts';
import { fmt, hasCommand, machineInfo, numberFlag, parseFlags, runCommand, table, warnIfBusy, writeResult } from './lib/util.ts';

const flags = parseFlags(process.argv.slice(2));
const RULES = numberFlag(flags, 'rules', 5000);
const REPEAT = numberFlag(flags, 'repeat', 5);
const EXPANSIONS = numberFlag(flags, 'expansions', 20000);

const SUMMARY = '{{ $labels.job }} {{ $labels.route }}: {{ $value | humanizePercentage }} of requests fail';
const DESCRIPTION = 'p95 latency of {{ $labels.route }} on {{ $labels.job }} is {{ $value | humanizeDuration }}{{ with $labels.instance }} ({{ . | stripPort }}){{ end }}{{ if gt $value 0.8 }} — critical{{ end }}.';

function ruleFile(n: number): string {
  const lines = ['groups:'];
  for (let g = 0; g < n / 50; g++) {
    lines.push(`  - name: group-${g}`, '    interval: 30s', '    rules:');
    for (let r = 0; r < 50; r++) {
      const i = g * 50 + r;
      if (i % 5 === 0) {
        lines.push(`      - record: job_route:http_requests_${i}:rate5m`, `        expr: sum by (job, route) (rate(http_requests_total{shard="${i}"}[5m]))`);
      } else {
        lines.push(
          `      - alert: Alert${i}`,
          `        expr: job_route:http_request_duration_seconds:p95_rate5m{shard="${i}"} > 0.4`,
          '        for: 5m',
          '        labels: {severity: warning, priority: P3}',
          '        annotations:',
          `          summary: ${JSON.stringify(SUMMARY)}`,
          `          description: ${JSON.stringify(DESCRIPTION)}`,
          '          runbook_url: docs/rules.md#http-latency',
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  warnIfBusy();
  const dir = mkdtempSync(join(tmpdir(), 'telltale-bench-rules-'));
  try {
    const file = join(dir, 'rules.yml');
    const text = ruleFile(RULES);
    writeFileSync(file, text);
    const tools: Array<{ name: string; cmd: string; args: string[] }> = [
      { name: 'telltale rules check', cmd: process.execPath, args: ['bin/telltale.js', 'rules', 'check', file] },
    ];
    if (hasCommand('promtool')) tools.push({ name: 'promtool check rules', cmd: 'promtool', args: ['check', 'rules', file] });
    const times = new Map<string, number[]>(tools.map((t) => [t.name, []]));
    // interleaved rounds, so a busy moment hurts both tools alike
    for (let i = 0; i < REPEAT; i++) {
      for (const t of tools) {
        const r = await runCommand(t.cmd, t.args, { timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`${t.name} failed (exit ${r.code}): ${r.stderr.slice(0, 500)}`);
        times.get(t.name)!.push(r.wallMs);
      }
    }
    // in process: parse + validate, then template expansion
    const t0 = performance.now();
    const parsed = parseRuleFile(text, file);
    const parseMs = performance.now() - t0;
    if (parsed.findings.length) throw new Error('the generated file should be valid');
    const input = { labels: { job: 'api', route: '/checkout', instance: 'api-1:8080' }, value: 0.95, now: 0, name: '__alert_Bench' };
    for (let i = 0; i < 500; i++) await expandAlertTemplate(DESCRIPTION, input);
    const t1 = performance.now();
    for (let i = 0; i < EXPANSIONS; i++) {
      await expandAlertTemplate(SUMMARY, input);
      await expandAlertTemplate(DESCRIPTION, input);
    }
    const expandMs = performance.now() - t1;
    const perSecond = (2 * EXPANSIONS) / (expandMs / 1000);

    const rows = tools.map((t) => [t.name, fmt(median(times.get(t.name)!)), fmt(Math.min(...times.get(t.name)!))]);
    process.stdout.write(`\n${RULES} rules (${fmt(text.length / 1024)} KiB), ${REPEAT} rounds\n\n`);
    process.stdout.write(`${table(['command', 'median ms', 'best ms'], rows)}\n\n`);
    process.stdout.write(`in process: parse + validate ${fmt(parseMs)} ms; ${fmt(perSecond)} annotation expansions/s (parsed once, then executed)\n`);
    const out = writeResult('rules-check', {
      rules: RULES, repeat: REPEAT, fileBytes: text.length,
      cli: Object.fromEntries([...times].map(([k, v]) => [k, { medianMs: median(v), allMs: v }])),
      inProcess: { parseValidateMs: parseMs, expansionsPerSecond: perSecond, expansions: 2 * EXPANSIONS },
      machine: machineInfo(),
    });
    process.stdout.write(`\nwrote ${out}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
