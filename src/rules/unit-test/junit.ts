/** JUnit XML for `rules test --junit`: one testsuite per test file, one testcase per test group. */
import type { UnitTestResult } from './runner.ts';

function xml(s: string): string {
  // XML 1.0 cannot carry most control characters even escaped; they are dropped
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderJUnit(results: UnitTestResult[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const cases = results.reduce((n, r) => n + Math.max(1, r.groups.length), 0);
  const failures = results.reduce((n, r) => n + (r.fileError ? 1 : r.groups.filter((g) => g.errors.length > 0).length), 0);
  lines.push(`<testsuites name="telltale rules test" tests="${cases}" failures="${failures}">`);
  for (const r of results) {
    const failed = r.fileError ? 1 : r.groups.filter((g) => g.errors.length > 0).length;
    lines.push(`  <testsuite name="${xml(r.file)}" tests="${Math.max(1, r.groups.length)}" failures="${failed}">`);
    if (r.fileError) {
      lines.push(`    <testcase name="${xml(r.file)}" classname="${xml(r.file)}">`);
      lines.push(`      <failure message="${xml(r.fileError.message)}">${xml(r.fileError.format())}</failure>`);
      lines.push('    </testcase>');
    } else if (r.groups.length === 0) {
      lines.push(`    <testcase name="${xml(r.file)}" classname="${xml(r.file)}"/>`);
    }
    for (const g of r.groups) {
      if (g.errors.length === 0) {
        lines.push(`    <testcase name="${xml(g.name)}" classname="${xml(r.file)}"/>`);
        continue;
      }
      lines.push(`    <testcase name="${xml(g.name)}" classname="${xml(r.file)}">`);
      lines.push(`      <failure message="${g.errors.length} failure(s)">${xml(g.errors.join('\n\n'))}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
