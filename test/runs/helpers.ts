/** Run records for tests, built through the real path: samples → Aggregator → MergedResult → buildRunRecord. */
import { normalizeOptions } from '../../src/load/options.ts';
import type { RunReport } from '../../src/load/summary/types.ts';
import { Aggregator, MergedResult, MetricRegistry } from '../../src/metrics/index.ts';
import type { Tags } from '../../src/metrics/index.ts';
import type { RunEnvironment } from '../../src/runs/environment.ts';
import { buildRunRecord } from '../../src/runs/record.ts';
import type { RunRecord } from '../../src/runs/schema.ts';

export const T0 = 1_700_000_000_000;

export interface SampleRecordOptions {
  id?: string;
  testName?: string;
  startTime?: number;
  seconds?: number;
  endpoints?: number;
  requestsPerSecond?: number;
  /** added to every latency (ms) */
  slowdown?: number;
  passed?: boolean;
  environment?: RunEnvironment;
  seed?: number;
  /** feed a custom trend an infinite value, which JSON cannot carry as a number */
  nonFinite?: boolean;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A small but complete record: per-second data for a few endpoints, some failures, the summary, histograms. */
export function sampleRecord(o: SampleRecordOptions = {}): RunRecord {
  const start = o.startTime ?? T0;
  const seconds = o.seconds ?? 5;
  const names = Array.from({ length: o.endpoints ?? 3 }, (_, i) => `GET /api/item-${i}`);
  const rnd = lcg(o.seed ?? 7);
  const registry = new MetricRegistry();
  if (o.nonFinite) registry.define('odd_trend', 'trend');
  const agg = new Aggregator(registry);
  const merged = new MergedResult(registry);
  const tags: Tags[] = names.map((name) => ({ name, method: 'GET', status: '200', expected_response: 'true', scenario: 'default' }));
  const bad: Tags[] = names.map((name) => ({ name, method: 'GET', status: '503', expected_response: 'false', scenario: 'default' }));
  const rps = o.requestsPerSecond ?? 20;
  for (let sec = 0; sec < seconds; sec++) {
    for (let i = 0; i < rps; i++) {
      const time = start + sec * 1000 + (i * 1000) / rps;
      const e = i % names.length;
      const failed = rnd() < 0.05;
      const t = failed ? bad[e] : tags[e];
      agg.add({ metric: 'http_reqs', value: 1, tags: t, time });
      agg.add({ metric: 'http_req_duration', value: 5 + e * 3 + rnd() * 10 + (o.slowdown ?? 0), tags: t, time });
      agg.add({ metric: 'http_req_failed', value: failed ? 1 : 0, tags: t, time });
      agg.add({ metric: 'iterations', value: 1, tags: {}, time });
    }
    agg.add({ metric: 'vus', value: 2, tags: {}, time: start + sec * 1000 });
    merged.merge(structuredClone(agg.flush()));
  }
  if (o.nonFinite) {
    agg.add({ metric: 'odd_trend', value: Infinity, tags: {}, time: start });
    agg.add({ metric: 'odd_trend', value: 1, tags: {}, time: start });
    merged.merge(structuredClone(agg.flush()));
  }
  const durationMs = seconds * 1000;
  const summary = merged.buildSummaryData({
    registry,
    trendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
    noColor: true,
    testRunDurationMs: durationMs,
    isStdOutTTY: false,
    isStdErrTTY: false,
  });
  const passed = o.passed ?? true;
  const report: RunReport = {
    summary,
    timeline: merged.timeline(),
    errors: merged.errors(),
    distributions: {},
    endpoints: merged.endpoints(),
    histograms: merged.trendStates(),
    meta: { script: 'load.ts', startTime: start, endTime: start + durationMs, workers: 1, version: '0.1.0', scenarios: [] },
  };
  const options = { ...normalizeOptions({ vus: 2, duration: `${seconds}s` }, { source: 'load.ts' }), noColor: true };
  return buildRunRecord({
    outcome: {
      report,
      thresholds: [{ metricKey: 'http_req_duration', expression: 'p(95)<500', ok: passed, abortOnFail: false, abort: false }],
      thresholdsOk: passed,
      exitCode: passed ? 0 : 99,
      options,
      scriptOptions: o.testName ? { cloud: { name: o.testName } } : {},
    },
    script: 'load.ts',
    scriptSource: `export default function () {} // ${o.seed ?? 7}`,
    environment: o.environment ?? { ci: { provider: null }, git: { commit: 'abc123', branch: 'main' } },
    id: o.id,
  });
}
