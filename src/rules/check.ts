/** `rules check`: what promtool check rules reports, per file: the rule count, or every finding. */
import { TelltaleError } from '../errors.ts';
import { parseExpr } from '../promql/parser.ts';
import { formatFinding, readRuleFile, type ParseRuleFileOptions } from './rule-file.ts';
import type { RuleFinding } from './types.ts';

/**
 * The PromQL engine's parser as the rule-file expression check: besides syntax it catches what Prometheus'
 * type checker refuses (`rate(up)`, `sum(rate(x[5m]))[5m]`). The message is Prometheus' `line:col: parse error: ...`.
 */
export function promqlExprProblem(expr: string): string | undefined {
  try {
    parseExpr(expr);
    return undefined;
  } catch (err) {
    if (err instanceof TelltaleError) return err.message;
    throw err;
  }
}

export interface RuleFileCheck {
  file: string;
  ok: boolean;
  /** Rules in the file (when it could be read). */
  ruleCount: number;
  findings: RuleFinding[];
}

export async function checkRuleFiles(paths: string[], options: ParseRuleFileOptions = {}): Promise<RuleFileCheck[]> {
  const out: RuleFileCheck[] = [];
  for (const file of paths) {
    const parsed = await readRuleFile(file, { parseExpr: promqlExprProblem, ...options });
    const ruleCount = parsed.ruleFile?.groups.reduce((n, g) => n + g.rules.length, 0) ?? 0;
    out.push({ file, ok: !parsed.findings.some((f) => f.severity === 'error'), ruleCount, findings: parsed.findings });
  }
  return out;
}

/** promtool's layout: `Checking FILE`, then `  SUCCESS: N rules found` or `  FAILED:` and the findings. */
export function renderRuleChecks(checks: RuleFileCheck[]): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  for (const c of checks) {
    stdout += `Checking ${c.file}\n`;
    const warnings = c.findings.filter((f) => f.severity === 'warning');
    for (const w of warnings) stdout += `${formatFinding(w)}\n`;
    if (c.ok) stdout += `  SUCCESS: ${c.ruleCount} rules found\n\n`;
    else {
      stderr += `  FAILED:\n`;
      for (const f of c.findings.filter((x) => x.severity === 'error')) stderr += `${formatFinding(f)}\n`;
      stderr += '\n';
    }
  }
  return { stdout, stderr };
}
