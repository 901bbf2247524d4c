/**
 * The pre-1.0 k6 summary (`--summary-mode=legacy`): the checks tree, then every metric on one dotted,
 * aligned line, marked ✓/✗ when it carries thresholds. Kept byte-compatible because CI jobs grep it.
 */
import type { SummaryCheck, SummaryData, SummaryGroup } from './types.ts';
import { sortMetricNames, submetricLabel } from './format.ts';
import { computeLayout, dots, metricData, paintWith, SGR, trendStatsOf, type Paint } from './text-layout.ts';

function legacyCheck(indent: string, check: SummaryCheck, paint: Paint): string {
  if (check.fails === 0) return paint(`${indent}✓ ${check.name}`, SGR.green);
  const total = check.passes + check.fails;
  const pct = total > 0 ? Math.floor((100 * check.passes) / total) : 0;
  return paint(
    `${indent}✗ ${check.name}\n${indent} ↳  ${pct}% — ✓ ${check.passes} / ✗ ${check.fails}`,
    SGR.red,
  );
}

function legacyGroup(indent: string, group: SummaryGroup, paint: Paint): string[] {
  const out: string[] = [];
  if (group.name !== '') {
    out.push(`${indent}█ ${group.name}\n`);
    indent += '  ';
  }
  for (const check of group.checks) out.push(legacyCheck(indent, check, paint));
  if (group.checks.length > 0) out.push('');
  for (const sub of group.groups) out.push(...legacyGroup(indent, sub, paint));
  return out;
}

export function renderLegacySummary(data: SummaryData, color: boolean): string {
  const paint = paintWith(color);
  const lines = legacyGroup('     ', data.root_group, paint);
  const names = sortMetricNames(Object.keys(data.metrics));
  const layout = computeLayout(
    names.map((n) => [n, data.metrics[n]]),
    trendStatsOf(data.options?.summaryTrendStats),
    data.options?.summaryTimeUnit,
    'marks',
  );
  for (const name of names) {
    const metric = data.metrics[name];
    let mark = ' ';
    let markCode = '';
    if (metric.thresholds) {
      const failed = Object.values(metric.thresholds).some((t) => !t.ok);
      mark = failed ? '✗' : '✓';
      markCode = failed ? SGR.red : SGR.green;
    }
    const subIndent = name.includes('{') ? '  ' : '';
    const markText = markCode ? paint(mark, markCode) : mark;
    const label = submetricLabel(name) + paint(dots(name, layout), SGR.faint);
    lines.push(`   ${subIndent}${markText} ${label} ${metricData(name, layout, paint, `${SGR.cyan};${SGR.faint}`)}`);
  }
  return lines.join('\n');
}
