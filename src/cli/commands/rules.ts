/** `telltale rules check FILE...` — validates Prometheus rule files as `promtool check rules` does. */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { checkRuleFiles, renderRuleChecks } from '../../rules/check.ts';
import { renderJUnit } from '../../rules/unit-test/junit.ts';
import { renderUnitTestChunks, runUnitTestFile } from '../../rules/unit-test/runner.ts';
import type { SetExit } from './run.ts';

export function registerRules(program: Command, setExit: SetExit): void {
  const rules = program.command('rules').description('Prometheus rule files: recording and alerting rules');
  rules.command('check')
    .argument('<files...>', 'rule files (YAML, Prometheus format)')
    .description('check rule files for syntax and semantic errors; exit 1 if any has one (as promtool check rules)')
    .option('--json', 'print the findings as JSON instead')
    .action(async (files: string[], flags: { json?: boolean }) => {
      const checks = await checkRuleFiles(files);
      if (flags.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      else {
        const { stdout, stderr } = renderRuleChecks(checks);
        process.stdout.write(stdout);
        process.stderr.write(stderr);
      }
      setExit(checks.every((c) => c.ok) ? 0 : 1);
    });
  rules.command('test')
    .argument('<files...>', 'unit-test files in promtool\'s format (rule_files, tests: input_series, alert_rule_test, promql_expr_test)')
    .description('run rule unit tests; exit 1 if any fails (as promtool test rules)')
    .option('--junit <file>', 'also write the results as JUnit XML (one testcase per test group)')
    .action(async (files: string[], flags: { junit?: string }) => {
      const results = [];
      for (const f of files) results.push(await runUnitTestFile(f));
      for (const c of renderUnitTestChunks(results)) (c.stream === 'stdout' ? process.stdout : process.stderr).write(c.text);
      if (flags.junit) await writeFile(flags.junit, renderJUnit(results));
      setExit(results.every((r) => r.ok) ? 0 : 1);
    });
}
