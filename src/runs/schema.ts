/**
 * The run record: everything one `telltale run` leaves for history and the gate, as one JSON document. This
 * schema is its single definition: the type, the validation of imported files and of what a database hands
 * back, and the canonical key order (a record parsed by it serializes to the same bytes every time).
 */
import { z } from 'zod';
import { CI_PROVIDERS } from './environment.ts';
import { trendProblem } from './histogram-codec.ts';

export const RECORD_FORMAT = 'telltale.run';
export const RECORD_VERSION = 1;

/**
 * Numbers that may be non-finite (a custom Trend fed Infinity): JSON has no such numbers, so they are written
 * as the strings "NaN", "Infinity" and "-Infinity".
 */
const anyNumber = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform((s) => Number(s))]);
const count = z.number().int().nonnegative();
const time = z.number().nonnegative();
const text = z.string().max(10_000);

const trend = z
  .strictObject({ n: count, sum: anyNumber, min: anyNumber, max: anyNumber, hist: z.array(z.string().nullable()) })
  .superRefine((t, ctx) => {
    const problem = trendProblem(t);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.tier === undefined ? ['hist'] : ['hist', problem.tier] });
  });

/** Histograms by key in one order whatever order a file listed them in, so stored and exported records match byte for byte. */
function sortedByKey<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const check = z.strictObject({ name: text, path: text, id: text, passes: count, fails: count });
interface Group {
  name: string;
  path: string;
  id: string;
  groups: Group[];
  checks: z.output<typeof check>[];
}
const group: z.ZodType<Group> = z.lazy(() =>
  z.strictObject({ name: text, path: text, id: text, groups: z.array(group), checks: z.array(check) }),
);

const summaryMetric = z.strictObject({
  type: z.enum(['counter', 'gauge', 'rate', 'trend']),
  contains: z.enum(['default', 'time', 'data']),
  values: z.record(z.string(), anyNumber),
  thresholds: z.record(z.string(), z.strictObject({ ok: z.boolean() })).optional(),
});

const summary = z.strictObject({
  root_group: group,
  options: z.strictObject({ summaryTrendStats: z.array(text), summaryTimeUnit: text, noColor: z.boolean() }),
  state: z.strictObject({ isStdOutTTY: z.boolean(), isStdErrTTY: z.boolean(), testRunDurationMs: z.number().nonnegative() }),
  metrics: z.record(z.string(), summaryMetric),
});

const timelinePoint = z.strictObject({
  time,
  vus: z.number(),
  iterations: z.number().nonnegative(),
  httpReqs: z.number().nonnegative(),
  httpReqFailed: z.number().nonnegative(),
  droppedIterations: z.number().nonnegative(),
  dataSent: z.number().nonnegative(),
  dataReceived: z.number().nonnegative(),
  p50: z.number().optional(),
  p90: z.number().optional(),
  p95: z.number().optional(),
  p99: z.number().optional(),
  max: z.number().optional(),
});

const latencyColumn = z.array(z.number().nullable());
const endpoint = z
  .strictObject({
    name: text,
    other: z.boolean(),
    requests: count,
    failed: count,
    durations: trend.nullable(),
    series: z.strictObject({
      time: z.array(time),
      requests: z.array(count),
      failed: z.array(count),
      p50: latencyColumn,
      p90: latencyColumn,
      p95: latencyColumn,
      p99: latencyColumn,
      max: latencyColumn,
    }),
  })
  .superRefine((e, ctx) => {
    const s = e.series;
    const n = s.time.length;
    for (const key of ['requests', 'failed', 'p50', 'p90', 'p95', 'p99', 'max'] as const) {
      if (s[key].length !== n) ctx.addIssue({ code: 'custom', message: `has ${s[key].length} entries, but series.time has ${n}`, path: ['series', key] });
    }
    for (let i = 1; i < n; i++) {
      if (!(s.time[i] > s.time[i - 1])) {
        ctx.addIssue({ code: 'custom', message: 'times must be strictly increasing', path: ['series', 'time', i] });
        break;
      }
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    if (sum(s.requests) !== e.requests) ctx.addIssue({ code: 'custom', message: `adds up to ${sum(s.requests)}, but requests is ${e.requests}`, path: ['series', 'requests'] });
    if (sum(s.failed) !== e.failed) ctx.addIssue({ code: 'custom', message: `adds up to ${sum(s.failed)}, but failed is ${e.failed}`, path: ['series', 'failed'] });
    if ((e.durations?.n ?? 0) !== e.requests) ctx.addIssue({ code: 'custom', message: `holds ${e.durations?.n ?? 0} requests, but requests is ${e.requests}`, path: ['durations'] });
  });

const errorRow = z.strictObject({ kind: text, name: text, method: text, count, message: z.string().optional() });

export const runRecordSchema = z
  .strictObject({
    format: z.literal(RECORD_FORMAT),
    version: z.literal(RECORD_VERSION),
    /** unique id of the run (a UUID) */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1-64 letters, digits, ".", "_" or "-"'),
    /** what baselines and comparisons group runs by: --test-name, the script's options, else the script's file name */
    testName: z.string().min(1).max(200),
    script: z.strictObject({ path: text, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits') }),
    /** epoch ms */
    startTime: time,
    endTime: time,
    status: z.strictObject({
      /** the exit code of `telltale run` */
      exitCode: z.number().int().min(0).max(255),
      thresholdsPassed: z.boolean(),
      /** why the run stopped early: threshold, interrupt, script */
      aborted: text.optional(),
      abortReason: text.optional(),
    }),
    git: z.strictObject({ commit: text.optional(), branch: text.optional(), pr: text.optional(), repository: text.optional() }),
    ci: z.strictObject({ provider: z.enum(CI_PROVIDERS as [string, ...string[]]).nullable(), buildId: text.optional(), buildUrl: text.optional() }),
    telltale: z.strictObject({ version: text, workers: count }),
    /** the options the run used, after CLI flags and profiles */
    options: z.record(z.string(), z.json()),
    thresholds: z.array(z.strictObject({ metricKey: text, expression: text, ok: z.boolean() })),
    /** k6's end-of-test summary data (what handleSummary receives) */
    summary,
    /** merged histograms of every trend metric and sub-metric, by key */
    histograms: z.record(z.string(), trend).transform(sortedByKey),
    /** length of one interval of `timeline` and of the endpoint series, in ms */
    intervalMs: z.literal(1000),
    /** every second of the run, all requests together */
    timeline: z.array(timelinePoint),
    /** per endpoint (the `name` tag): whole-run durations and per-second series; at most 100 plus `other` */
    endpoints: z.array(endpoint),
    /** failed requests by kind, name and method */
    errors: z.array(errorRow),
  })
  .superRefine((r, ctx) => {
    if (r.endTime < r.startTime) ctx.addIssue({ code: 'custom', message: 'is before startTime', path: ['endTime'] });
  });

export type RunRecord = z.output<typeof runRecordSchema>;
export type EndpointRecord = RunRecord['endpoints'][number];
