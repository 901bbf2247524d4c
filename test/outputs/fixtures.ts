/**
 * Summary and run-report fixtures shaped like what a real run produces: a small HTTP test with a group,
 * a failing check, thresholds on a metric and a sub-metric, and a custom trend.
 */
import type { RunReport, SummaryData, TimelinePoint } from '../../src/load/summary/types.ts';

const TREND = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

export function smallSummary(): SummaryData {
  return {
    root_group: {
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: [
        {
          name: 'login',
          path: '::login',
          id: 'b0470a9b5d3c8e5a0e1b7b4cc3ef0c11',
          groups: [],
          checks: [
            { name: 'token present', path: '::login::token present', id: '5a0f2b9a1c0e4f7e8d6b3a2c1d0e9f8a', passes: 40, fails: 5 },
          ],
        },
      ],
      checks: [
        { name: 'status is 200', path: '::status is 200', id: '6210a8cd14cd70477eba5c5e4cb3fb5f', passes: 45, fails: 0 },
      ],
    },
    options: { summaryTrendStats: TREND, summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 6858.7 },
    metrics: {
      checks: { type: 'rate', contains: 'default', values: { rate: 85 / 90, passes: 85, fails: 5 } },
      custom_waiting_time: {
        type: 'trend',
        contains: 'default',
        values: { avg: 152.355556, min: 120, med: 141, max: 684, 'p(90)': 147.2, 'p(95)': 148.8 },
      },
      data_received: { type: 'counter', contains: 'data', values: { count: 1_312_345, rate: 31_012 } },
      data_sent: { type: 'counter', contains: 'data', values: { count: 5_430, rate: 792.1 } },
      group_duration: {
        type: 'trend',
        contains: 'time',
        values: { avg: 300.5, min: 250, med: 290, max: 420, 'p(90)': 400, 'p(95)': 410 },
      },
      http_req_blocked: {
        type: 'trend',
        contains: 'time',
        values: { avg: 0.0123, min: 0.0009, med: 0.004, max: 0.5, 'p(90)': 0.01, 'p(95)': 0.02 },
      },
      http_req_duration: {
        type: 'trend',
        contains: 'time',
        values: { avg: 140.36, min: 119.08, med: 140.96, max: 1154.63, 'p(90)': 146.88, 'p(95)': 148.21 },
        thresholds: { 'p(95)<1500': { ok: true }, 'p(90)<100': { ok: false } },
      },
      'http_req_duration{expected_response:true}': {
        type: 'trend',
        contains: 'time',
        values: { avg: 140.36, min: 119.08, med: 140.96, max: 1154.63, 'p(90)': 146.88, 'p(95)': 148.21 },
      },
      http_req_failed: {
        type: 'rate',
        contains: 'default',
        values: { rate: 0, passes: 0, fails: 45 },
        thresholds: { 'rate<0.01': { ok: true } },
      },
      http_reqs: { type: 'counter', contains: 'default', values: { count: 45, rate: 6.561056 } },
      iteration_duration: {
        type: 'trend',
        contains: 'time',
        values: { avg: 62_345.6, min: 1_500.25, med: 2_000, max: 3_723_000, 'p(90)': 61_000, 'p(95)': 62_000 },
      },
      iterations: { type: 'counter', contains: 'default', values: { count: 45, rate: 6.561056 } },
      vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 10 } },
      vus_max: { type: 'gauge', contains: 'default', values: { value: 10, min: 10, max: 10 } },
    },
  };
}

/** A summary of a run that made no HTTP requests and ran no checks. */
export function emptySummary(): SummaryData {
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: TREND, summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 0 },
    metrics: {
      iterations: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 } },
    },
  };
}

const START = Date.UTC(2025, 0, 15, 10, 0, 0);

/** `n` seconds of timeline with a latency bump in the middle and a burst of errors near the end. */
export function timeline(n: number): TimelinePoint[] {
  const out: TimelinePoint[] = [];
  for (let i = 0; i < n; i++) {
    const bump = Math.exp(-(((i - n / 2) / (n / 10 + 1)) ** 2)) * 200;
    const reqs = 100 + (i % 7);
    const failed = i > n * 0.8 ? 5 + (i % 3) : 0;
    out.push({
      time: START + i * 1000,
      vus: Math.min(50, 1 + i),
      iterations: reqs / 2,
      httpReqs: reqs,
      httpReqFailed: failed,
      droppedIterations: i % 50 === 0 ? 1 : 0,
      dataSent: reqs * 120,
      dataReceived: reqs * 2_400,
      p50: 20 + bump / 4,
      p90: 45 + bump / 2,
      p95: 60 + bump,
      p99: 90 + bump * 1.5,
      max: 150 + bump * 2,
    });
  }
  return out;
}

export function distribution(scale = 1): [number, number][] {
  const pcts = [0, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];
  return pcts.map((p) => [p, scale * (5 + p / 2 + (p > 99 ? (p - 99) * 500 : 0))]);
}

export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  const tl = timeline(120);
  return {
    summary: smallSummary(),
    timeline: tl,
    errors: [
      { kind: 'status 503', name: 'https://api.example.test/items', method: 'GET', count: 42, message: 'Service Unavailable' },
      { kind: 'error_code 1211', name: 'https://api.example.test/login', method: 'POST', count: 3, message: 'request timeout' },
    ],
    distributions: {
      http_req_duration: distribution(1),
      http_req_corrected_duration: distribution(1.4),
    },
    meta: {
      script: 'scripts/checkout.js',
      startTime: START,
      endTime: START + 120_000,
      workers: 4,
      version: '0.1.0',
      scenarios: [
        { name: 'browse', executor: 'ramping-vus' },
        { name: 'checkout', executor: 'constant-arrival-rate' },
      ],
    },
    ...overrides,
  };
}
