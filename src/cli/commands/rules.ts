/** `telltale rules check FILE...` — validates Prometheus rule files as `promtool check rules` does. */
import type { Command } from 'commander';
import { checkRuleFiles, renderRuleChecks } from '../../rules/check.ts';
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
}
