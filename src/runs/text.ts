/** Plain-text views of run history for the terminal: `runs list`, `runs show`, `baseline show`. */
import { formatDuration } from '../config/duration.ts';
import type { Baseline, RunSummary } from '../store/index.ts';
import { trendPercentiles } from './histogram-codec.ts';
import type { RunRecord } from './schema.ts';

/** Short ids, like git's: any unique prefix is accepted wherever an id is. */
export const SHORT_ID = 8;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function result(exitCode: number, thresholdsPassed: boolean): string {
  if (exitCode === 0 && thresholdsPassed) return 'passed';
  if (!thresholdsPassed) return `failed (${exitCode})`;
  return `exit ${exitCode}`;
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(v < 10 ? 2 : 1)}ms`;
}

export function renderRunList(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  return table(
    ['ID', 'STARTED', 'DURATION', 'TEST', 'BRANCH', 'COMMIT', 'RESULT'],
    runs.map((r) => [
      r.id.slice(0, SHORT_ID),
      isoSeconds(r.startTime),
      formatDuration(Math.max(0, r.endTime - r.startTime)),
      r.testName,
      r.git.branch ?? '-',
      r.git.commit?.slice(0, 7) ?? '-',
      result(r.exitCode, r.thresholdsPassed),
    ]),
  );
}

export function renderBaselines(baselines: readonly Baseline[], runs: ReadonlyMap<string, RunSummary>): string {
  if (baselines.length === 0) return 'no baselines';
  return table(
    ['TEST', 'RUN', 'STARTED', 'BRANCH', 'COMMIT', 'SET'],
    baselines.map((b) => {
      const r = runs.get(b.runId);
      return [b.testName, b.runId.slice(0, SHORT_ID), r ? isoSeconds(r.startTime) : '-', r?.git.branch ?? '-', r?.git.commit?.slice(0, 7) ?? '-', isoSeconds(b.setAt)];
    }),
  );
}

export function renderRun(r: RunRecord): string {
  const out: string[] = [];
  const kv = (k: string, v: string) => out.push(`${`${k}:`.padEnd(12)}${v}`);
  kv('run', r.id);
  kv('test', r.testName);
  kv('script', `${r.script.path} (sha256 ${r.script.sha256.slice(0, 12)})`);
  kv('started', `${isoSeconds(r.startTime)} for ${formatDuration(Math.max(0, r.endTime - r.startTime))}`);
  kv('result', result(r.status.exitCode, r.status.thresholdsPassed) + (r.status.aborted ? `, aborted (${r.status.aborted})` : ''));
  const git = [r.git.branch && `branch ${r.git.branch}`, r.git.commit && `commit ${r.git.commit.slice(0, 12)}`, r.git.pr && `PR #${r.git.pr}`, r.git.repository];
  kv('git', git.filter(Boolean).join(', ') || '-');
  kv('ci', r.ci.provider ? [r.ci.provider, r.ci.buildUrl ?? r.ci.buildId].filter(Boolean).join(' ') : '-');
  kv('telltale', `${r.telltale.version}, ${r.telltale.workers} worker${r.telltale.workers === 1 ? '' : 's'}`);
  const m = r.summary.metrics;
  const reqs = m.http_reqs?.values;
  const dur = m.http_req_duration?.values;
  const failed = m.http_req_failed?.values;
  if (reqs) kv('requests', `${reqs.count} (${reqs.rate.toFixed(1)}/s), ${failed ? `${(failed.rate * 100).toFixed(2)}% failed` : 'none failed'}`);
  if (dur) kv('latency', `avg ${ms(dur.avg)}, p(95) ${ms(dur['p(95)'])}, max ${ms(dur.max)}`);
  if (r.thresholds.length > 0) {
    out.push('', 'thresholds:');
    for (const t of r.thresholds) out.push(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.metricKey}: ${t.expression}`);
  }
  if (r.endpoints.length > 0) {
    out.push('', 'endpoints (name tag):');
    const rows = r.endpoints.map((e) => {
      const [p50, p95, p99] = e.durations ? trendPercentiles(e.durations, [0.5, 0.95, 0.99]) : [];
      return [`  ${e.other ? '(other names)' : e.name}`, String(e.requests), String(e.failed), ms(p50), ms(p95), ms(p99)];
    });
    out.push(table(['  NAME', 'REQUESTS', 'FAILED', 'P(50)', 'P(95)', 'P(99)'], rows));
  }
  out.push('', `${r.timeline.length} seconds of series; ${Object.keys(r.histograms).length} histograms (telltale runs export ${r.id.slice(0, SHORT_ID)})`);
  return out.join('\n');
}
