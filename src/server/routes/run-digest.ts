/**
 * What the dashboard shows of a run record: its header, whole-run figures, the per-second timeline and a
 * line per endpoint. The merged histograms themselves stay on the server (they are the bulk of a record);
 * percentiles are computed from them here, the same way the gate and `runs show` do.
 */
import { trendPercentiles } from '../../runs/histogram-codec.ts';
import type { RunRecord } from '../../runs/schema.ts';

const PCTS = [0.5, 0.9, 0.95, 0.99];

export interface LatencyFigures {
  /** ms */
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface RunDigest {
  id: string;
  testName: string;
  script: string;
  startTime: number;
  endTime: number;
  status: RunRecord['status'];
  git: RunRecord['git'];
  ci: RunRecord['ci'];
  thresholds: RunRecord['thresholds'];
  totals: { requests: number; failed: number; errorRate: number | null; rps: number; iterations: number; maxVus: number };
  latency: LatencyFigures;
  timeline: Array<{ time: number; vus: number; requests: number; failed: number; p95: number | null }>;
  endpoints: Array<{ name: string; requests: number; failed: number; errorRate: number | null; rps: number } & LatencyFigures>;
  errors: RunRecord['errors'];
}

function latency(t: RunRecord['histograms'][string] | null | undefined): LatencyFigures {
  if (t === null || t === undefined || t.n === 0) return { p50: null, p90: null, p95: null, p99: null, max: null };
  const [p50, p90, p95, p99] = trendPercentiles(t, PCTS);
  return { p50, p90, p95, p99, max: Number.isFinite(t.max) ? t.max : null };
}

export function digestRun(r: RunRecord): RunDigest {
  const seconds = Math.max(1e-3, (r.endTime - r.startTime) / 1000);
  const requests = r.timeline.reduce((n, p) => n + p.httpReqs, 0);
  const failed = r.timeline.reduce((n, p) => n + p.httpReqFailed, 0);
  return {
    id: r.id,
    testName: r.testName,
    script: r.script.path,
    startTime: r.startTime,
    endTime: r.endTime,
    status: r.status,
    git: r.git,
    ci: r.ci,
    thresholds: r.thresholds,
    totals: {
      requests,
      failed,
      errorRate: requests === 0 ? null : failed / requests,
      rps: requests / seconds,
      iterations: r.timeline.reduce((n, p) => n + p.iterations, 0),
      maxVus: r.timeline.reduce((n, p) => Math.max(n, p.vus), 0),
    },
    latency: latency(r.histograms.http_req_duration),
    timeline: r.timeline.map((p) => ({ time: p.time, vus: p.vus, requests: p.httpReqs, failed: p.httpReqFailed, p95: p.p95 ?? null })),
    endpoints: r.endpoints
      .map((e) => ({ name: e.other ? '(other)' : e.name, requests: e.requests, failed: e.failed, errorRate: e.requests === 0 ? null : e.failed / e.requests, rps: e.requests / seconds, ...latency(e.durations) }))
      .sort((a, b) => b.requests - a.requests),
    errors: r.errors,
  };
}
