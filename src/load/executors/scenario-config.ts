/**
 * Validation of one k6 scenario (`options.scenarios.<name>`) and its k6 defaults. Like k6, unknown keys are
 * refused, since a misspelt option would otherwise silently fall back to its default.
 */
import { z } from 'zod';
import type { ExecutorName, ScenarioConfig, Stage } from '../types.ts';
import {
  MAX_VUS,
  count,
  describe,
  duration,
  expected,
  problemsOf,
  stages,
  str,
  stringMap,
  type FieldPath,
  type Problem,
} from './option-schema.ts';

const SECOND = 1000;
export const DEFAULT_GRACEFUL_STOP_MS = 30 * SECOND;
export const DEFAULT_MAX_DURATION_MS = 10 * 60 * SECOND;

const base = {
  executor: z.string(),
  startTime: duration().optional(),
  gracefulStop: duration().optional(),
  exec: str.min(1, { error: 'must not be empty' }).optional(),
  env: stringMap.optional(),
  tags: stringMap.optional(),
};

const arrivalVus = { preAllocatedVUs: count(0), maxVUs: count(0).optional() };
const timeUnit = duration({ positive: true }).optional();

const SCHEMAS = {
  'shared-iterations': z.strictObject({
    ...base,
    vus: count(1).optional(),
    iterations: count(1).optional(),
    maxDuration: duration({ min: SECOND }).optional(),
  }),
  'per-vu-iterations': z.strictObject({
    ...base,
    vus: count(1).optional(),
    iterations: count(1).optional(),
    maxDuration: duration({ min: SECOND }).optional(),
  }),
  'constant-vus': z.strictObject({ ...base, vus: count(1).optional(), duration: duration({ min: SECOND }) }),
  'ramping-vus': z.strictObject({
    ...base,
    startVUs: count(0, MAX_VUS).optional(),
    stages,
    gracefulRampDown: duration().optional(),
  }),
  'constant-arrival-rate': z.strictObject({
    ...base,
    rate: count(1),
    timeUnit,
    duration: duration({ min: SECOND }),
    ...arrivalVus,
  }),
  'ramping-arrival-rate': z.strictObject({ ...base, startRate: count(0).optional(), timeUnit, stages, ...arrivalVus }),
} satisfies Record<ExecutorName, z.ZodType>;

export const EXECUTORS = Object.keys(SCHEMAS) as ExecutorName[];

const SCENARIO_NAME = /^[0-9a-zA-Z_-]+$/;

export interface ScenarioParse {
  config?: ScenarioConfig;
  problems: Problem[];
}

/**
 * Validates scenario `name` given as `raw`. Problems are reported at `pathOf(keyPath)`; by default under
 * `scenarios.<name>`, shortcut options map their own paths.
 */
export function parseScenario(
  name: string,
  raw: unknown,
  pathOf: (p: FieldPath) => FieldPath = (p) => ['scenarios', name, ...p],
): ScenarioParse {
  const problems: Problem[] = [];
  if (!SCENARIO_NAME.test(name)) {
    problems.push({ path: pathOf([]), message: 'scenario names may contain only letters, digits, "_" and "-"' });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ path: pathOf([]), message: expected('a scenario object')({ input: raw }) });
    return { problems };
  }
  const obj = withoutNulls(raw as Record<string, unknown>);
  const executor = obj.executor;
  if (!Object.hasOwn(SCHEMAS, executor as string)) {
    problems.push({ path: pathOf(['executor']), message: executorProblem(executor) });
    return { problems };
  }
  const type = executor as ExecutorName;
  const schema: z.ZodType = SCHEMAS[type];
  const result = schema.safeParse(obj);
  if (!result.success) {
    const valid = Object.keys(SCHEMAS[type].shape).join(', ');
    const issues = problemsOf(result.error, [], (key) => `unknown option "${key}" for a ${type} scenario (valid: ${valid})`);
    for (const p of issues) problems.push({ path: pathOf(p.path), message: p.message });
    return { problems };
  }
  const config = toConfig(name, type, result.data as Parsed);
  const cross = crossCheck(config);
  if (cross) problems.push({ path: pathOf([cross.key]), message: cross.message });
  return cross ? { problems } : { config, problems };
}

function executorProblem(executor: unknown): string {
  const list = EXECUTORS.join(', ');
  if (executor === undefined) return `missing (expected one of ${list})`;
  if (executor === 'externally-controlled') return `"externally-controlled" is not supported by Telltale (expected one of ${list})`;
  return `unknown executor ${describe(executor)} (expected one of ${list})`;
}

/** JSON null means "not set" in k6 options. */
export function withoutNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

interface Parsed {
  startTime?: number;
  gracefulStop?: number;
  exec?: string;
  env?: Record<string, string>;
  tags?: Record<string, string>;
  vus?: number;
  iterations?: number;
  maxDuration?: number;
  duration?: number;
  startVUs?: number;
  stages?: { duration: number; target: number }[];
  gracefulRampDown?: number;
  rate?: number;
  startRate?: number;
  timeUnit?: number;
  preAllocatedVUs?: number;
  maxVUs?: number;
}

function toConfig(name: string, executor: ExecutorName, p: Parsed): ScenarioConfig {
  const common = {
    name,
    exec: p.exec ?? 'default',
    startTimeMs: p.startTime ?? 0,
    gracefulStopMs: p.gracefulStop ?? DEFAULT_GRACEFUL_STOP_MS,
    env: p.env ?? {},
    tags: p.tags ?? {},
  };
  const stageList = (): Stage[] => (p.stages ?? []).map((s) => ({ durationMs: s.duration, target: s.target }));
  const preAllocatedVUs = p.preAllocatedVUs ?? 0;
  switch (executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        ...common,
        executor,
        vus: p.vus ?? 1,
        iterations: p.iterations ?? 1,
        maxDurationMs: p.maxDuration ?? DEFAULT_MAX_DURATION_MS,
      };
    case 'constant-vus':
      return { ...common, executor, vus: p.vus ?? 1, durationMs: p.duration ?? 0 };
    case 'ramping-vus':
      return {
        ...common,
        executor,
        startVUs: p.startVUs ?? 1,
        stages: stageList(),
        gracefulRampDownMs: p.gracefulRampDown ?? DEFAULT_GRACEFUL_STOP_MS,
      };
    case 'constant-arrival-rate':
      return {
        ...common,
        executor,
        rate: p.rate ?? 0,
        timeUnitMs: p.timeUnit ?? SECOND,
        durationMs: p.duration ?? 0,
        preAllocatedVUs,
        maxVUs: p.maxVUs ?? preAllocatedVUs,
      };
    case 'ramping-arrival-rate':
      return {
        ...common,
        executor,
        startRate: p.startRate ?? 0,
        timeUnitMs: p.timeUnit ?? SECOND,
        stages: stageList(),
        preAllocatedVUs,
        maxVUs: p.maxVUs ?? preAllocatedVUs,
      };
  }
}

/** The checks k6 makes between fields of one scenario. */
function crossCheck(c: ScenarioConfig): { key: string; message: string } | undefined {
  switch (c.executor) {
    case 'shared-iterations':
      if (c.iterations < c.vus) {
        return { key: 'iterations', message: `the number of iterations (${c.iterations}) can't be less than the number of VUs (${c.vus})` };
      }
      return undefined;
    case 'ramping-vus':
      if (c.stages.every((s) => s.target === 0) && c.startVUs === 0) {
        return { key: 'stages', message: "either startVUs or one of the stages' targets must be greater than 0" };
      }
      return undefined;
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      if (c.maxVUs < c.preAllocatedVUs) {
        return { key: 'maxVUs', message: `maxVUs (${c.maxVUs}) can't be less than preAllocatedVUs (${c.preAllocatedVUs})` };
      }
      return undefined;
    default:
      return undefined;
  }
}
