/**
 * A run record's per-second data as series in the store, named as k6's Prometheus remote-write output
 * names them, so dashboards and rules written for k6 runs work: counters `k6_<metric>_total` (cumulative
 * over the run), gauges `k6_vus`, rates `k6_<metric>_rate`, trend statistics `k6_<metric>_<stat>` in
 * seconds. Every series carries `testid` (the test name) and `run_id`; HTTP series also `name` (the
 * endpoint). A sample is written at the start of its second.
 */
import type { Appender, AppendRejection, Labels } from '../series/types.ts';
import type { RunRecord } from './schema.ts';

export interface RunSeriesOutcome {
  accepted: number;
  rejected: Partial<Record<AppendRejection, number>>;
}

const STATS = ['p50', 'p90', 'p95', 'p99', 'max'] as const;

export function appendRunSeries(app: Appender, record: RunRecord): RunSeriesOutcome {
  const out: RunSeriesOutcome = { accepted: 0, rejected: {} };
  const base = { testid: record.testName, run_id: record.id };
  const add = (labels: Labels, t: number, v: number) => {
    const why = app.append(labels, t, v);
    if (why === undefined) out.accepted++;
    else out.rejected[why] = (out.rejected[why] ?? 0) + 1;
  };
  const counters = [
    ['k6_iterations_total', 'iterations'],
    ['k6_dropped_iterations_total', 'droppedIterations'],
    ['k6_data_sent_total', 'dataSent'],
    ['k6_data_received_total', 'dataReceived'],
  ] as const;
  const labelsOf = (name: string, extra: Record<string, string> = {}): Labels => ({ __name__: name, ...base, ...extra });
  const vus = labelsOf('k6_vus');
  const counterLabels = counters.map(([name]) => labelsOf(name));
  const totals = counters.map(() => 0);
  for (const p of record.timeline) {
    add(vus, p.time, p.vus);
    counters.forEach(([, key], i) => {
      totals[i] += p[key];
      add(counterLabels[i], p.time, totals[i]);
    });
  }
  for (const e of record.endpoints) {
    const reqs = labelsOf('k6_http_reqs_total', { name: e.name });
    const failed = labelsOf('k6_http_req_failed_rate', { name: e.name });
    const stats = STATS.map((s) => labelsOf(`k6_http_req_duration_${s}`, { name: e.name }));
    let total = 0;
    const s = e.series;
    for (let i = 0; i < s.time.length; i++) {
      const t = s.time[i];
      total += s.requests[i];
      add(reqs, t, total);
      if (s.requests[i] > 0) add(failed, t, s.failed[i] / s.requests[i]);
      STATS.forEach((stat, k) => {
        const ms = s[stat][i];
        if (ms !== null) add(stats[k], t, ms / 1000);
      });
    }
  }
  return out;
}
