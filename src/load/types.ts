/**
 * Shared types of the load engine: normalized options, scenarios, and the contracts between the
 * scheduler (executors), the VUs and the worker threads.
 */
import type { Clock } from './clock.ts';

/** Durations are normalized to milliseconds. */
export interface Stage {
  durationMs: number;
  target: number;
}

interface ScenarioBase {
  /** Name of the scenario (key in `options.scenarios`, `default` for shortcut options). */
  name: string;
  /** Exported function to run; `default` unless `exec` says otherwise. */
  exec: string;
  startTimeMs: number;
  gracefulStopMs: number;
  env: Readonly<Record<string, string>>;
  tags: Readonly<Record<string, string>>;
}

export interface SharedIterationsConfig extends ScenarioBase {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface PerVuIterationsConfig extends ScenarioBase {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface ConstantVusConfig extends ScenarioBase {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface RampingVusConfig extends ScenarioBase {
  executor: 'ramping-vus';
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
}
export interface ConstantArrivalRateConfig extends ScenarioBase {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}
export interface RampingArrivalRateConfig extends ScenarioBase {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs: number;
}

export type ScenarioConfig =
  | SharedIterationsConfig
  | PerVuIterationsConfig
  | ConstantVusConfig
  | RampingVusConfig
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig;

export type ExecutorName = ScenarioConfig['executor'];

/** A threshold as declared: the expression plus k6's abort options. */
export interface ThresholdDecl {
  threshold: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

/** The options a run uses after the script's `options`, config and CLI flags are merged and validated. */
export interface NormalizedOptions {
  scenarios: ScenarioConfig[];
  /** metric key (possibly with a tag filter) -> its thresholds */
  thresholds: Record<string, ThresholdDecl[]>;
  /** `options.thresholds` exactly as the script gave it, for the threshold parser to validate and fill `thresholds`. */
  thresholdsRaw?: unknown;
  summaryTrendStats: string[];
  summaryTimeUnit?: 's' | 'ms' | 'us';
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  /** Tags added to every sample. */
  tags: Readonly<Record<string, string>>;
  /** Which system tags samples carry. */
  systemTags: readonly string[];
  discardResponseBodies: boolean;
  maxRedirects: number;
  userAgent: string;
  insecureSkipTLSVerify: boolean;
  noConnectionReuse: boolean;
  /** Keep each VU's cookies from one iteration to the next (k6 empties the jar at every iteration's start). */
  noCookiesReset: boolean;
  batch: number;
  batchPerHost: number;
  httpDebug?: 'headers' | 'full';
  /** Seconds-level rounding for the summary; kept for handleSummary's `options` block. */
  noColor: boolean;
}

/** A worker's share of the test: worker `index` of `count`. */
export interface Segment {
  readonly index: number;
  readonly count: number;
}

/** The outcome of one iteration as the scheduler needs it. */
export interface IterationResult {
  /** False when the iteration threw (it still counts as an iteration, like k6's interrupted iterations). */
  ok: boolean;
}

/**
 * A virtual user as executors see it: runs one iteration of the scenario's exec function at a time.
 * `intendedStart` (epoch ms) is given by arrival-rate executors so latency can be measured from the
 * scheduled start (coordinated-omission correction).
 */
export interface ExecutorVu {
  /** Global VU id (`__VU`), 1-based. */
  readonly id: number;
  /**
   * `signal`, when given, aborts when the executor wants this one iteration abandoned (a ramped-down VU whose
   * gracefulRampDown expired); the VU then interrupts it as it does for `interruptVus()`.
   */
  runIteration(intendedStart?: number, signal?: AbortSignal): Promise<IterationResult>;
  /**
   * Runs `fn` in the VU's async context. Iterations started from there (a VU looping iterations back to back)
   * find the context in place instead of entering it each time.
   */
  enter?<T>(fn: () => T): T;
}

/** What an executor gets from its environment. */
export interface ExecutorContext {
  readonly clock: Clock;
  /** This worker's share. Executors run only their share, so that all workers together run the scenario. */
  readonly segment: Segment;
  /** The scenario's start (epoch ms): test start + startTime. */
  readonly startTime: number;
  /** Hard stop: aborts when the test is aborted or interrupted. In-flight iterations are interrupted. */
  readonly signal: AbortSignal;
  /** Get a VU for this scenario; creates (initializes) a new one when needed. Count is bounded by the executor. */
  acquireVu(): Promise<ExecutorVu>;
  /** Give a VU back once the executor no longer needs it (e.g. ramp-down or end of scenario). */
  releaseVu(vu: ExecutorVu): void;
  /**
   * Iterations that could not start: an arrival-rate iteration found no free VU (`time` is its intended start,
   * epoch ms), or iteration-based executors ended (maxDuration) with `count` iterations never started.
   */
  droppedIteration(time: number, count?: number): void;
  /** The number of VUs of this scenario (in this worker) currently running iterations changed. */
  activeVusChanged(active: number): void;
  /**
   * Asks in-flight iterations of the scenario to stop at once (gracefulStop expired). Executors call it
   * when their graceful stop period has elapsed; VUs then abandon their iteration.
   */
  interruptVus(): void;
}

export interface Executor {
  /** Runs the scenario's share to completion (including graceful stop). Resolves when nothing more runs. */
  run(): Promise<void>;
  /** Progress 0..1 of this scenario, for live progress. */
  progress(): number;
}
