/** The gate's result for people and CI systems: text, Markdown, JUnit XML, GitHub annotations, JSON. */
import type { GateResult, Verdict, VerdictKind } from './compare.ts';

const MARK: Record<VerdictKind, string> = { regression: 'REGRESSION', improvement: 'improvement', 'no change': 'no change', inconclusive: 'inconclusive' };
const EMOJI: Record<VerdictKind, string> = { regression: '🔴', improvement: '🟢', 'no change': '⚪', inconclusive: '🟡' };

function scope(v: Verdict): string {
  return v.endpoint === null ? 'all requests' : v.endpoint;
}

function headline(r: GateResult): string {
  const c = r.counts;
  const parts = [`${c.regression} regression${c.regression === 1 ? '' : 's'}`, `${c.improvement} improvement${c.improvement === 1 ? '' : 's'}`, `${c['no change']} no change`, `${c.inconclusive} inconclusive`];
  return `gate ${r.passed ? 'PASSED' : 'FAILED'} for test "${r.testName}": ${parts.join(', ')} (run ${r.currentRunId.slice(0, 8)} against baseline ${r.baselineRunId.slice(0, 8)})`;
}

/** Verdicts worth reading first: regressions, then inconclusive, improvements, no change. */
function ordered(r: GateResult): Verdict[] {
  const rank: Record<VerdictKind, number> = { regression: 0, inconclusive: 1, improvement: 2, 'no change': 3 };
  return [...r.verdicts].sort((a, b) => rank[a.verdict] - rank[b.verdict]);
}

function historyLine(r: GateResult): string {
  if (r.history.runs === 0) return `history: none (a noise estimate needs at least ${r.options.minHistory} earlier passing runs in the store); each change is judged on the two runs alone`;
  return `history: ${r.history.runs} earlier runs (the baseline included): changes must also stand out from their run-to-run noise`;
}

export function renderGateText(r: GateResult): string {
  const lines = [headline(r), historyLine(r), ''];
  for (const v of ordered(r)) lines.push(`  ${MARK[v.verdict].padEnd(12)} ${v.rule} · ${scope(v)}: ${v.reason}`);
  return lines.join('\n');
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown report: for $GITHUB_STEP_SUMMARY and as a pull-request comment body. */
export function renderGateMarkdown(r: GateResult): string {
  const out = [
    `### ${r.passed ? '✅' : '❌'} Performance gate: ${mdCell(r.testName)}`,
    '',
    `${headline(r).replace(/^gate (PASSED|FAILED) for test "[^"]*": /, '')}.`,
    '',
  ];
  // with a history, each comparison's run-to-run spread and the history's median value are worth a glance
  const withNoise = r.history.runs > 0;
  out.push(
    `| | verdict | rule | endpoint | baseline | current | change | p |${withNoise ? ' history median · σ |' : ''}`,
    `|---|---|---|---|---|---|---|---|${withNoise ? '---|' : ''}`,
  );
  for (const v of ordered(r)) {
    const num = (x: number | undefined) => (x === undefined ? '' : v.metric === 'error_rate' ? `${(x * 100).toFixed(2)}%` : v.metric === 'throughput' ? `${x.toFixed(1)}/s` : `${x.toFixed(2)} ms`);
    const change = v.change === undefined ? '' : v.kind.startsWith('relative') ? `${v.change >= 0 ? '+' : ''}${(v.change * 100).toFixed(1)}%` : num(v.change);
    out.push(
      `| ${EMOJI[v.verdict]} | ${v.verdict} | \`${mdCell(v.rule)}\` | ${mdCell(scope(v))} | ${num(v.baseline)} | ${num(v.current)} | ${change} | ${v.pValue === undefined ? '' : v.pValue.toPrecision(2)} |` +
        (withNoise ? ` ${v.noise ? `${num(v.noise.median)} · ${(v.noise.sigma * 100).toFixed(1)}%` : ''} |` : ''),
    );
  }
  const noise = r.history.runs > 0 ? `, and a value beyond the run-to-run noise of ${r.history.runs} earlier runs` : '';
  out.push('', `<sub>A regression needs a change beyond the rule's threshold and a shift of the per-second values (one-sided Mann-Whitney U, Holm-corrected, α = ${r.options.alpha})${noise}.</sub>`, '');
  return out.join('\n');
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML: one test case per verdict; regressions fail, inconclusive ones fail or are skipped. */
export function renderGateJunit(r: GateResult): string {
  const failing = (v: Verdict) => v.verdict === 'regression' || (v.verdict === 'inconclusive' && r.options.failOnInconclusive);
  const failures = r.verdicts.filter(failing).length;
  const skipped = r.verdicts.filter((v) => v.verdict === 'inconclusive' && !failing(v)).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="telltale gate" tests="${r.verdicts.length}" failures="${failures}">`,
    `  <testsuite name="${xml(r.testName)}" tests="${r.verdicts.length}" failures="${failures}" skipped="${skipped}">`,
  ];
  for (const v of r.verdicts) {
    const open = `    <testcase classname="${xml(r.testName)}" name="${xml(`${v.rule} · ${scope(v)}`)}"`;
    if (failing(v)) lines.push(`${open}>`, `      <failure message="${xml(v.verdict)}">${xml(v.reason)}</failure>`, '    </testcase>');
    else if (v.verdict === 'inconclusive') lines.push(`${open}>`, `      <skipped message="${xml(v.reason)}"/>`, '    </testcase>');
    else lines.push(`${open}/>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** GitHub Actions workflow commands: an error per regression, a warning per inconclusive verdict. */
export function renderGithubAnnotations(r: GateResult): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escProp = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines: string[] = [];
  for (const v of r.verdicts) {
    if (v.verdict !== 'regression' && v.verdict !== 'inconclusive') continue;
    const kind = v.verdict === 'regression' || r.options.failOnInconclusive ? 'error' : 'warning';
    lines.push(`::${kind} title=${escProp(`${r.testName}: ${v.verdict} (${scope(v)})`)}::${esc(`${v.rule}: ${v.reason}`)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
