/**
 * Random rule unit tests, run by the real `promtool test rules` and by telltale's runner: alerts with `for`
 * and `keep_firing_for`, a recording rule (one of several PromQL functions) an alert reads, templated labels and annotations, input series with
 * gaps and staleness markers, several intervals and group orders, group limits, external labels and URL,
 * and a query from a template. Every test expects nothing, so both print
 * what they got at each eval_time; the two outputs must be the same text.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderUnitTests, runUnitTestFile } from '../../src/rules/unit-test/runner.ts';
import { PROMTOOL_BIN } from '../helpers/prometheus.ts';
import { hasPromtool } from './promtool-harness.ts';

function promtool(file: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL_BIN, ['test', 'rules', file], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}


/** Every number in Go's E format, and every long decimal, rounded to 12 significant digits. */
function roundFloats(text: string): string {
  return text.replace(/-?\d+(?:\.\d+)?E[-+]\d+|-?\d+\.\d{11,}(?:e[-+]?\d+)?/g, (m) => String(Number(Number(m).toPrecision(12))));
}

const valueItem = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('0', '1', '5', '10', '2.5') },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('0', '1', '5'), fc.constantFrom('+', '-'), fc.constantFrom('1', '2', '0.5'), fc.integer({ min: 1, max: 6 })).map(([a, s, b, n]) => `${a}${s}${b}x${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('_', '_x2', 'stale') },
);

const scenario = fc.record({
  evalInterval: fc.constantFrom('15s', '30s', '1m'),
  interval: fc.constantFrom('15s', '20s', '30s', '45s', '1m', ''),
  series: fc.array(fc.array(valueItem, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
  threshold: fc.constantFrom(0, 1, 2, 4),
  for: fc.constantFrom('0s', '15s', '30s', '1m', '90s', '2m'),
  keepFiring: fc.constantFrom('0s', '30s', '1m', '2m'),
  recordFirst: fc.boolean(),
  limit: fc.constantFrom(0, 0, 1, 2),
  external: fc.boolean(),
  raw: fc.constantFrom('x', 'absent(x{i="0"})', 'x >= bool 1', 'absent_over_time(x[1m])', 'x unless x offset 30s'),
  record: fc.constantFrom('sum(x)', 'sum(rate(x[1m]))', 'max_over_time(x[2m])', 'count(x)', 'avg(x offset 1m)', 'sum(increase(x[90s]))', 'max(deriv(x[2m]))', 'sum(changes(x[5m]))'),
  evalTimes: fc.uniqueArray(fc.integer({ min: 0, max: 120 }).map((k) => k * 5), { minLength: 1, maxLength: 5 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function files(s: Scenario): { rules: string; test: string } {
  const alert = (name: string, expr: string) => [
    `      - alert: ${name}`, `        expr: ${expr}`, `        for: ${s.for}`, ...(s.keepFiring === '0s' ? [] : [`        keep_firing_for: ${s.keepFiring}`]),
    '        labels:', `          severity: '{{ if gt $value ${s.threshold + 2}.0 }}page{{ else }}ticket{{ end }}'`,
    '        annotations:', "          v: '{{ $value }} {{ $labels.i }} {{ $value | humanize }} {{ $value | humanizeDuration }}'",
    "          q: '{{ with query \"count(x > 0)\" }}{{ . | first | value }}{{ end }} {{ $externalLabels.env }} {{ $externalURL }}'",
  ];
  const rules = [
    'groups:', '  - name: alerts', ...(s.limit > 0 ? [`    limit: ${s.limit}`] : []), '    rules:', ...alert('High', `x > ${s.threshold}`), ...alert('SumHigh', `x:sum > ${s.threshold}`),
    ...alert('Raw', s.raw),
    '  - name: records', '    rules:', '      - record: x:sum', `        expr: ${s.record}`,
  ];
  const test = [
    'rule_files: [rules.yml]', `evaluation_interval: ${s.evalInterval}`, `group_eval_order: [${s.recordFirst ? 'records, alerts' : 'alerts, records'}]`, 'tests:',
    ...(s.interval === '' ? ['  - input_series:'] : [`  - interval: ${s.interval}`, '    input_series:']),
    ...s.series.flatMap((v, i) => [`      - series: 'x{i="${i}"}'`, `        values: '${v.join(' ')}'`]),
    ...(s.external ? ['    external_labels: {env: prod}', '    external_url: http://prom.example/'] : []),
    '    alert_rule_test:',
    ...s.evalTimes.flatMap((t) => ['High', 'SumHigh', 'Raw'].flatMap((a) => [`      - eval_time: ${t}s`, `        alertname: ${a}`, '        exp_alerts: []'])),
    '    promql_expr_test:',
    ...s.evalTimes.flatMap((t) => ['ALERTS', 'ALERTS_FOR_STATE', 'x:sum', 'x'].flatMap((e) => [`      - expr: ${e}`, `        eval_time: ${t}s`])),
  ];
  return { rules: `${rules.join('\n')}\n`, test: `${test.join('\n')}\n` };
}

describe.skipIf(!hasPromtool())('random rule unit tests against the real promtool', () => {
  it('prints the same alerts, samples and errors at every eval_time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-fuzz-'));
    try {
      await fc.assert(fc.asyncProperty(scenario, async (s) => {
        const { rules, test } = files(s);
        writeFileSync(join(dir, 'rules.yml'), rules);
        writeFileSync(join(dir, 't.yml'), test);
        const ours = renderUnitTests([await runUnitTestFile(join(dir, 't.yml'))]).stderr.replaceAll(join(dir, 't.yml'), 't.yml');
        // promtool creates the input series in Go map order, so the rounding of an aggregation (sum, avg of
        // fractions) can differ in the last digit between two promtool runs of one file: a run that is not the
        // same text must be the same up to that rounding
        let theirs = '';
        for (let attempt = 0; attempt < 6 && theirs !== ours; attempt++) theirs = (await promtool('t.yml', dir)).stderr;
        if (theirs !== ours) expect(roundFloats(ours), `${test}\n${rules}`).toBe(roundFloats(theirs));
      }), { numRuns: Number(process.env.TT_FUZZ_RUNS ?? 60), seed: Number(process.env.TT_FUZZ_SEED ?? 20261202), endOnFailure: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
