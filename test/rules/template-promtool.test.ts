/**
 * The template table against the real Go: every case runs through promtool 2.42 (Go's text/template and
 * Prometheus' functions) and must render exactly what the table says — and what Telltale renders.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expandAlertTemplateOrError } from '../../src/rules/template/index.ts';
import { CASES } from './template-cases.ts';
import { HARNESS, harnessQuery, hasPromtool, promtoolRender } from './promtool-harness.ts';

const expectedGo = (i: number): string => {
  const c = CASES[i];
  if (c.out !== undefined) return c.out;
  const msg = c.err as string;
  // a parse error stops `promtool check rules`; an execution error becomes the annotation text
  return / executing "/.test(msg) ? `<error expanding template: error executing template __alert_A${i}: ${msg}>` : `PARSE ${msg}`;
};

describe.skipIf(!hasPromtool())('alert templates against the real promtool', () => {
  it('every table case renders as Go renders it', async () => {
    const indexes = CASES.map((c, i) => (c.promtool === false ? -1 : i)).filter((i) => i >= 0);
    // templates keep their table index (alert A{i}); excluded cases become a plain constant
    const templates = CASES.map((c, i) => (indexes.includes(i) ? c.t : 'excluded'));
    const results = await promtoolRender(templates);
    const mismatches: string[] = [];
    for (const i of indexes) {
      const r = results[i];
      const go = r.kind === 'parse' ? `PARSE ${r.message}` : r.text;
      if (go !== expectedGo(i)) mismatches.push(`#${i} ${JSON.stringify(CASES[i].t)}\n  table: ${JSON.stringify(expectedGo(i))}\n  go:    ${JSON.stringify(go)}`);
      if (r.kind === 'output') {
        const mine = await expandAlertTemplateOrError(CASES[i].t, { ...HARNESS, name: `__alert_A${i}`, query: harnessQuery });
        if (mine !== go) mismatches.push(`#${i} ${JSON.stringify(CASES[i].t)}\n  telltale: ${JSON.stringify(mine)}\n  go:       ${JSON.stringify(go)}`);
      }
    }
    expect(mismatches.join('\n')).toBe('');
    expect(indexes.length).toBeGreaterThan(200);
  }, 120_000);

  it('formats random floats (shortest, %e, %f, %g with precisions) exactly as Go', async () => {
    // a fixed seed keeps the batch the same run to run
    const doubles = fc.sample(fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: -1e7, max: 1e7, noNaN: true }),
      fc.integer({ min: -100000, max: 100000 }).map((n) => n / 8),
      fc.integer({ min: 0, max: 100000 }).map((n) => n / 1000),
    ), { numRuns: 150, seed: 4242 });
    const verbs = '%v|%e|%.3e|%f|%.2f|%.0f|%g|%.4g|%.1g|%10.3f|%-12.5g|%+.3e';
    const templates = doubles.map((d) => {
      const lit = Object.is(d, -0) ? '-0.0' : Number.isInteger(d) ? `${d.toExponential()}` : d.toExponential();
      return `{{ printf "${verbs}" ${Array(12).fill(lit).join(' ')} }}|{{ humanize ${lit} }}|{{ humanizeDuration ${lit} }}|{{ humanize1024 ${lit} }}|{{ humanizePercentage ${lit} }}`;
    });
    const results = await promtoolRender(templates);
    const mismatches: string[] = [];
    for (const [i, t] of templates.entries()) {
      const mine = await expandAlertTemplateOrError(t, { ...HARNESS, name: `__alert_A${i}` });
      const r = results[i];
      const go = r.kind === 'parse' ? `PARSE ${r.message}` : r.text;
      if (mine !== go) mismatches.push(`${t}\n  telltale: ${mine}\n  go:       ${go}`);
    }
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  }, 120_000);
});
