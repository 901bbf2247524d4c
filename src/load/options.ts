/**
 * k6 `options` (script export, config, CLI flags) to NormalizedOptions: validation with every problem listed at
 * once, k6's execution shortcuts, defaults, and the numbers the run plan needs (end times, VU counts).
 */
import { z } from 'zod';
import { TelltaleError } from '../errors.ts';
import { parseDurationFlag } from '../config/duration.ts';
import type { NormalizedOptions, ScenarioConfig, Segment, Stage } from './types.ts';
import {
  bool,
  count,
  duration,
  expected,
  formatPath,
  problemsOf,
  stage,
  str,
  stringMap,
  type FieldPath,
  type Problem,
} from './executors/option-schema.ts';
import { parseScenario, withoutNulls } from './executors/scenario-config.ts';
import { maxStageTarget, stagesDurationMs } from './executors/ramping-steps.ts';
import { shareOf } from './executors/segment.ts';

export const DEFAULT_SUMMARY_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
export const DEFAULT_SYSTEM_TAGS: readonly string[] = [
  'proto', 'subproto', 'status', 'method', 'url', 'name', 'group', 'check', 'error', 'error_code',
  'tls_version', 'scenario', 'service', 'expected_response',
];
/** Every tag k6 knows as a system tag (the defaults plus the opt-in ones). */
const SYSTEM_TAGS = [...DEFAULT_SYSTEM_TAGS, 'vu', 'iter', 'ip', 'ocsp_status'] as const;
export const DEFAULT_USER_AGENT = 'Telltale/0.1.0';
const DEFAULT_TIMEOUT_MS = 60_000;

/** Execution options given on the command line; they take precedence over the script's. */
export interface CliOverrides {
  vus?: number;
  durationMs?: number;
  iterations?: number;
  stages?: Stage[];
}

export type NormalizedOptionsResult = NormalizedOptions & {
  /** Options that were ignored (unknown, unsupported, or without effect), one sentence each. */
  warnings: string[];
};

const trendStat = z.string({ error: expected('a trend stat name') }).refine(isTrendStat, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a trend stat (use avg, min, med, max, count or p(N) with N in 0..100)`,
});

/** Options validated here, each on its own so one bad value does not hide the problems of the others. */
const FIELDS = {
  vus: count(0),
  duration: duration(),
  iterations: count(0),
  stages: z.array(stage, { error: expected('an array of stages') }),
  // Kept as given (not rebuilt by zod) so that every own key, even "__proto__", reaches validation.
  scenarios: z.custom<Record<string, unknown>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), {
    error: expected('an object of scenarios'),
  }),
  thresholds: z.unknown(),
  summaryTrendStats: z.array(trendStat, { error: expected('an array of trend stat names') }),
  summaryTimeUnit: z.enum(['', 's', 'ms', 'us'], { error: expected('"s", "ms" or "us"') }),
  setupTimeout: duration({ positive: true }),
  teardownTimeout: duration({ positive: true }),
  tags: stringMap,
  systemTags: z.array(z.enum(SYSTEM_TAGS, { error: expected(`a system tag (${SYSTEM_TAGS.join(', ')})`) }), {
    error: expected('an array of system tag names'),
  }),
  discardResponseBodies: bool,
  maxRedirects: count(0),
  userAgent: str,
  insecureSkipTLSVerify: bool,
  noConnectionReuse: bool,
  noCookiesReset: bool,
  batch: count(1),
  batchPerHost: count(0),
  httpDebug: z.enum(['', 'headers', 'full'], { error: expected('"headers" or "full"') }),
  noColor: bool,
};
type Fields = { [K in keyof typeof FIELDS]?: z.output<(typeof FIELDS)[K]> };

/** k6 options Telltale does not implement: accepted, with a warning, so k6 scripts still run. */
const UNSUPPORTED = new Set([
  'hosts', 'dns', 'blockHostnames', 'blacklistIPs', 'localIPs', 'minIterationDuration',
  'noVUConnectionReuse', 'paused', 'rps', 'throw', 'tlsAuth', 'tlsCipherSuites', 'tlsVersion', 'executionSegment',
  'executionSegmentSequence', 'noSetup', 'noTeardown', 'consoleOutput', 'linger', 'noUsageReport', 'noThresholds',
  'noSummary', 'summaryExport', 'webDashboard', 'metricSamplesBufferSize', 'includeSystemEnvVars', 'compatibilityMode',
]);
/** Metadata for other tools; ignored silently as k6 does. */
const METADATA = new Set(['ext', 'cloud']);

/**
 * Validates `raw` (the merged options object) and applies k6's defaults and shortcut rules. Throws one
 * TT_CONFIG_INVALID listing every problem, each with its field path; `source` names where the options came from.
 */
export function normalizeOptions(raw: unknown, opts: { source: string }): NormalizedOptionsResult {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  let input: Record<string, unknown> = {};
  if (raw !== undefined && raw !== null) {
    if (typeof raw === 'object' && !Array.isArray(raw)) input = withoutNulls(raw as Record<string, unknown>);
    else problems.push({ path: [], message: expected('an object')({ input: raw }) });
  }
  const f: Fields = {};
  const bad = new Set<string>();
  for (const [key, value] of Object.entries(input)) {
    if (Object.hasOwn(FIELDS, key)) {
      const r = FIELDS[key as keyof typeof FIELDS].safeParse(value);
      if (r.success) (f as Record<string, unknown>)[key] = r.data;
      else {
        bad.add(key);
        problems.push(...problemsOf(r.error, [key], () => 'unknown key'));
      }
    } else if (UNSUPPORTED.has(key)) warnings.push(`option "${key}" is not supported by Telltale and is ignored`);
    else if (!METADATA.has(key)) warnings.push(`unknown option "${key}" is ignored`);
  }
  const scenarios = deriveScenarios(input, f, bad, problems, warnings);
  if (problems.length > 0) throw invalid(opts.source, problems);
  return {
    scenarios,
    thresholds: {},
    ...('thresholds' in input ? { thresholdsRaw: input.thresholds } : {}),
    summaryTrendStats: f.summaryTrendStats ?? [...DEFAULT_SUMMARY_TREND_STATS],
    ...(f.summaryTimeUnit ? { summaryTimeUnit: f.summaryTimeUnit } : {}),
    setupTimeoutMs: f.setupTimeout ?? DEFAULT_TIMEOUT_MS,
    teardownTimeoutMs: f.teardownTimeout ?? DEFAULT_TIMEOUT_MS,
    tags: f.tags ?? {},
    systemTags: f.systemTags ?? [...DEFAULT_SYSTEM_TAGS],
    discardResponseBodies: f.discardResponseBodies ?? false,
    maxRedirects: f.maxRedirects ?? 10,
    userAgent: f.userAgent ?? DEFAULT_USER_AGENT,
    insecureSkipTLSVerify: f.insecureSkipTLSVerify ?? false,
    noConnectionReuse: f.noConnectionReuse ?? false,
    noCookiesReset: f.noCookiesReset ?? false,
    batch: f.batch ?? 20,
    batchPerHost: f.batchPerHost ?? 6,
    ...(f.httpDebug ? { httpDebug: f.httpDebug } : {}),
    noColor: f.noColor ?? false,
    warnings,
  };
}

/**
 * k6's execution shortcuts: `iterations` (+`vus`, +`duration` as maxDuration) is shared-iterations, `duration`
 * (+`vus`) constant-vus, `stages` (+`vus` as startVUs) ramping-vus, each as a scenario named `default`; none
 * of them and no scenarios is one iteration on one VU. Shortcuts and `scenarios` from the same source conflict.
 */
function deriveScenarios(input: Record<string, unknown>, f: Fields, bad: Set<string>, problems: Problem[], warnings: string[]): ScenarioConfig[] {
  const given = (key: string) => key in input;
  const hasStages = given('stages') && Array.isArray(input.stages) && input.stages.length > 0;
  const conflict = (key: string, other: string) =>
    problems.push({ path: [key], message: `"${key}" and "${other}" can't be used together (k6 allows one way of configuring execution)` });
  let shortcut: Record<string, unknown> | undefined;
  let involved: string[] = [];
  if (given('iterations')) {
    if (hasStages) conflict('iterations', 'stages');
    if (given('scenarios')) conflict('iterations', 'scenarios');
    shortcut = { executor: 'shared-iterations', vus: input.vus, iterations: input.iterations, maxDuration: input.duration };
    involved = ['vus', 'iterations', 'duration'];
  } else if (given('duration')) {
    if (hasStages) conflict('duration', 'stages');
    if (given('scenarios')) conflict('duration', 'scenarios');
    shortcut = { executor: 'constant-vus', vus: input.vus, duration: input.duration };
    involved = ['vus', 'duration'];
  } else if (hasStages) {
    if (given('scenarios')) conflict('stages', 'scenarios');
    shortcut = { executor: 'ramping-vus', startVUs: input.vus, stages: input.stages };
    involved = ['vus', 'stages'];
  } else if (f.scenarios && Object.keys(f.scenarios).length > 0) {
    if (given('vus')) warnings.push('option "vus" is ignored: it only applies to the iterations/duration/stages shortcuts, not to scenarios');
    const out: ScenarioConfig[] = [];
    for (const [name, raw] of Object.entries(f.scenarios)) {
      const r = parseScenario(name, raw);
      problems.push(...r.problems);
      if (r.config) out.push(r.config);
    }
    return out;
  } else {
    if (f.vus !== undefined && f.vus !== 1) {
      warnings.push(`option "vus" (${f.vus}) is ignored: it only works with "iterations", "duration" or "stages"`);
    }
    if (given('stages')) warnings.push('"stages" is empty: running 1 iteration on 1 VU');
    if (f.scenarios) warnings.push('"scenarios" is empty: running 1 iteration on 1 VU');
    shortcut = { executor: 'per-vu-iterations' };
  }
  if (involved.some((k) => bad.has(k))) return [];
  const renamed: Record<string, string> = { maxDuration: 'duration', startVUs: 'vus' };
  const pathOf = (p: FieldPath): FieldPath => (p.length === 0 ? [] : [renamed[p[0]] ?? p[0], ...p.slice(1)]);
  const r = parseScenario('default', withoutNulls(shortcut), pathOf);
  problems.push(...r.problems);
  return r.config ? [r.config] : [];
}

function invalid(source: string, problems: Problem[]): TelltaleError {
  const lines = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  const message =
    lines.length === 1
      ? `invalid options in ${source}: ${lines[0]}`
      : `invalid options in ${source} (${lines.length} problems):\n${lines.map((l) => `  - ${l}`).join('\n')}`;
  return new TelltaleError('TT_CONFIG_INVALID', message, { field: formatPath(problems[0].path) });
}

function isTrendStat(s: string): boolean {
  if (['avg', 'min', 'med', 'max', 'count'].includes(s)) return true;
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(s);
  return m !== null && Number(m[1]) <= 100;
}

/**
 * Merges command-line execution options over the script's, as k6 does: any of duration, iterations or stages
 * on the command line replaces all of the script's execution settings (scenarios included); vus just
 * replaces vus.
 */
export function applyCliOverrides(raw: Record<string, unknown>, cli: CliOverrides): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (cli.vus !== undefined) out.vus = cli.vus;
  if (cli.durationMs !== undefined || cli.iterations !== undefined || cli.stages !== undefined) {
    for (const key of ['duration', 'iterations', 'stages', 'scenarios']) delete out[key];
    if (cli.durationMs !== undefined) out.duration = cli.durationMs;
    if (cli.iterations !== undefined) out.iterations = cli.iterations;
    if (cli.stages !== undefined) out.stages = cli.stages.map((s) => ({ duration: s.durationMs, target: s.target }));
  }
  return out;
}

/** Parses k6's `-s/--stage DURATION:TARGET` (e.g. `30s:10`; a bare number of seconds is accepted too). */
export function parseStageFlag(value: string): Stage {
  const usage = (why: string) =>
    new TelltaleError('TT_USAGE', `--stage ${JSON.stringify(value)}: ${why} (expected DURATION:TARGET, e.g. "30s:10")`, { field: '--stage' });
  const sep = value.indexOf(':');
  if (sep < 0) throw usage('missing ":TARGET"');
  const durationText = value.slice(0, sep).trim();
  const targetText = value.slice(sep + 1).trim();
  if (!durationText) throw usage('missing duration');
  let durationMs: number;
  try {
    durationMs = parseDurationFlag(durationText, '--stage');
  } catch {
    throw usage(`"${durationText}" is not a duration`);
  }
  if (!/^\d+$/.test(targetText)) throw usage(targetText ? `target "${targetText}" is not a non-negative integer` : 'missing target');
  return { durationMs, target: Number(targetText) };
}

/** How long a scenario runs before its graceful stop (maxDuration for the iteration-based executors). */
export function regularDurationMs(config: ScenarioConfig): number {
  switch (config.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return config.maxDurationMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return config.durationMs;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return stagesDurationMs(config.stages);
  }
}

/**
 * The latest a scenario can end, from the test start: startTime + regular duration + gracefulStop. Ramp-down
 * periods are included, since a ramped-down VU is interrupted at this point at the latest.
 */
export function scenarioEndMs(config: ScenarioConfig): number {
  return config.startTimeMs + regularDurationMs(config) + config.gracefulStopMs;
}

/** The latest any scenario can end: what bounds the whole run. */
export function planDurationMs(scenarios: readonly ScenarioConfig[]): number {
  return scenarios.reduce((max, s) => Math.max(max, scenarioEndMs(s)), 0);
}

/** The most VUs the segment's share of the scenario ever uses. */
export function maxVusOf(config: ScenarioConfig, segment: Segment): number {
  switch (config.executor) {
    case 'ramping-vus':
      return shareOf(maxStageTarget(config.startVUs, config.stages), segment);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return shareOf(config.maxVUs, segment);
    default:
      return shareOf(config.vus, segment);
  }
}

/**
 * The VUs the segment initializes before the test starts. As in k6, scenarios that never run at the same time
 * share VUs: this is the largest sum of planned VUs (initialVusOf) over the scenarios active at any one
 * moment, each active from its startTime to its end including gracefulStop.
 */
export function plannedVusOf(scenarios: readonly ScenarioConfig[], segment: Segment): number {
  const events: [time: number, delta: number][] = [];
  for (const s of scenarios) {
    const n = initialVusOf(s, segment);
    if (n === 0) continue;
    events.push([s.startTimeMs, n], [Math.max(s.startTimeMs, scenarioEndMs(s)), -n]);
  }
  // At equal times, ends come before starts: a scenario starting when another ends can take its VUs.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let active = 0;
  let max = 0;
  for (const [, delta] of events) {
    active += delta;
    if (active > max) max = active;
  }
  return max;
}

/** The most VUs the segment can ever have: the planned ones plus every arrival-rate scenario's room to grow. */
export function vusCapacityOf(scenarios: readonly ScenarioConfig[], segment: Segment): number {
  return plannedVusOf(scenarios, segment) + scenarios.reduce((n, s) => n + maxVusOf(s, segment) - initialVusOf(s, segment), 0);
}

/** The VUs to initialize before the test starts: all of them, except arrival-rate VUs beyond preAllocatedVUs. */
export function initialVusOf(config: ScenarioConfig, segment: Segment): number {
  switch (config.executor) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return shareOf(config.preAllocatedVUs, segment);
    default:
      return maxVusOf(config, segment);
  }
}
