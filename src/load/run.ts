/**
 * The coordinator of `telltale run`: bundles the script, resolves options, starts the worker threads,
 * runs setup/teardown, merges the workers' metrics, watches thresholds, and produces the RunReport.
 * It never prints: observers (reporters) render what it emits.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { TelltaleError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import { bundleScript } from './script/bundle.ts';
import type { CompatibilityMode } from './script/k6-transform/index.ts';
import { Instance, type InstanceInit } from './instance.ts';
import { normalizeOptions, applyCliOverrides, vusCapacityOf, planDurationMs, type CliOverrides } from './options.ts';
import type { NormalizedOptions, ScenarioConfig, ThresholdDecl } from './types.ts';
import type { FromWorker, SerializedError } from './workers/protocol.ts';
import type { ScriptModule } from './vu.ts';
import { MergedResult } from '../metrics/aggregator.ts';
import { MAX_ENDPOINTS } from '../metrics/endpoints.ts';
import { parseThresholds, validateThresholds, thresholdSelectors, evaluateThresholds, type ThresholdResult } from '../metrics/thresholds/index.ts';
import type { MetricDef, Sample } from '../metrics/types.ts';
import type { RunReport, SummaryData } from './summary/types.ts';
import { describeScriptError, userFrame } from './script/errors.ts';
import { initError } from './script/load.ts';
import { systemClock } from './clock.ts';
import { VERSION } from '../version.ts';

export interface ProgressInfo {
  elapsedMs: number;
  planMs: number;
  vus: number;
  vusMax: number;
  iterations: number;
  interrupted: number;
  /** requests per second over the last interval */
  rps: number;
  /** http_req_duration p95 so far (ms), undefined before the first request */
  p95?: number;
  /** http_req_failed rate so far (0..1) */
  errorRate: number;
  /** mean progress of the scenarios 0..1 */
  progress: number;
}

export interface RunObserver {
  onStart?(info: {
    script: string;
    scenarios: ScenarioConfig[];
    workers: number;
    planMs: number;
    vusMax: number;
    /** every metric the test can emit (built-in and the script's custom ones) */
    metrics: MetricDef[];
    /** threshold expressions per metric key */
    thresholds: Record<string, string[]>;
  }): void;
  onPhase?(phase: 'init' | 'setup' | 'running' | 'teardown' | 'summary'): void;
  onProgress?(p: ProgressInfo): void;
  /** A VU iteration threw. Repeated identical messages are reported with a count. */
  onScriptError?(message: string, occurrences: number): void;
  onWarning?(message: string): void;
  /** Samples as they arrive (for --out json/csv); only called when `collectSamples` is set. */
  onSamples?(samples: Sample[]): void;
}

export interface RunOptions {
  script: string;
  /** Whether synchronous k6 scripts are transformed to await their requests: auto-detected by default. */
  scriptMode?: CompatibilityMode;
  env?: Record<string, string>;
  cli?: CliOverrides;
  /** Options merged over the script's own (profiles, capacity search): same syntax as `export const options`. */
  optionsOverride?: Record<string, unknown>;
  workers?: number;
  summaryTrendStats?: string[];
  summaryTimeUnit?: 's' | 'ms' | 'us';
  noThresholds?: boolean;
  collectSamples?: boolean;
  observer?: RunObserver;
  /** Aborting it stops the run gracefully (Ctrl-C): the summary is still produced. */
  signal?: AbortSignal;
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
  noColor?: boolean;
}

export interface RunOutcome {
  report: RunReport;
  thresholds: ThresholdResult[];
  thresholdsOk: boolean;
  /** 0 ok, 99 thresholds failed, 105 interrupted, 108 aborted by the script */
  exitCode: number;
  options: NormalizedOptions;
  /** What handleSummary() returned, if the script exports it (keys: stdout, stderr, file paths). */
  handleSummary?: Record<string, unknown>;
  /** The script's options with profile and CLI overrides applied, before normalization (metadata like `cloud.name` included). */
  scriptOptions: Record<string, unknown>;
}

interface WorkerState {
  worker: Worker;
  done: boolean;
  vusActive: number;
  vusPeak: number;
  vusInitialized: number;
  iterations: number;
  interrupted: number;
  progress: Record<string, number>;
}

const TICK_MS = 1000;
const FORCE_STOP_MS = 10_000;

export async function runTest(opts: RunOptions): Promise<RunOutcome> {
  const obs = opts.observer ?? {};
  const env = opts.env ?? {};
  obs.onPhase?.('init');
  const bundle = await bundleScript(opts.script, opts.scriptMode ?? 'auto');
  const workers: WorkerState[] = [];
  try {
    // 1. Read the script's options from a probe instance (init code runs, as in k6).
    const probe = new Instance(instanceInit(bundle.url, bundle.entry, normalizeOptions({}, { source: opts.script }), env), noHooks);
    const probeModule = await probe.loadModule('options');
    let raw: Record<string, unknown> = { ...asOptions(probeModule.options, bundle.entry) };
    if (opts.optionsOverride) {
      // Scenarios from a profile or the capacity search replace the script's whole execution plan.
      if ('scenarios' in opts.optionsOverride) {
        for (const key of ['vus', 'duration', 'iterations', 'stages', 'scenarios']) delete raw[key];
      }
      raw = { ...raw, ...opts.optionsOverride };
    }
    if (opts.cli) raw = applyCliOverrides(raw, opts.cli);
    if (opts.summaryTrendStats) raw.summaryTrendStats = opts.summaryTrendStats;
    if (opts.summaryTimeUnit) raw.summaryTimeUnit = opts.summaryTimeUnit;
    const normalized = normalizeOptions(raw, { source: opts.script });
    for (const w of normalized.warnings ?? []) obs.onWarning?.(w);
    const options: NormalizedOptions = { ...normalized, noColor: opts.noColor ?? normalized.noColor };

    // 2. The coordinator's own instance: custom metrics defined at init, setup/teardown/handleSummary.
    const decls0 = opts.noThresholds ? {} : parseThresholds(options.thresholdsRaw ?? {});
    const main = new Instance(
      { ...instanceInit(bundle.url, bundle.entry, options, env), selectors: thresholdSelectors(decls0) },
      noHooks,
    );
    const module = await main.loadModule('main');
    validateExports(module, options.scenarios, bundle.entry);
    validateThresholds(decls0, main.registry);
    const decls: Record<string, ThresholdDecl[]> = decls0;
    const selectors = thresholdSelectors(decls);

    // 3. Workers: one per core by default, never more than there are VUs to share.
    const totalMaxVus = vusCapacityOf(options.scenarios, { index: 0, count: 1 });
    const count = Math.max(1, Math.min(opts.workers ?? availableParallelism(), Math.max(1, totalMaxVus)));
    let vuIdBase = 0;
    const workerUrl = new URL('./workers/worker.ts', import.meta.url);
    for (let index = 0; index < count; index++) {
      const segment = { index, count };
      const init: InstanceInit = {
        ...instanceInit(bundle.url, bundle.entry, options, env),
        segment,
        vuIdBase,
        selectors,
        collectSamples: Boolean(opts.collectSamples),
      };
      vuIdBase += vusCapacityOf(options.scenarios, segment);
      workers.push({ worker: new Worker(workerUrl, { workerData: init }), done: false, vusActive: 0, vusPeak: 0, vusInitialized: 0, iterations: 0, interrupted: 0, progress: {} });
    }
    const planMs = planDurationMs(options.scenarios);
    const merged = new MergedResult(main.registry, selectors);
    const errors = new ErrorLog(obs);

    // Wait for every worker to initialize its VUs.
    await Promise.all(workers.map((w) => waitReady(w)));
    const vusMax = workers.reduce((n, w) => n + w.vusInitialized, 0);
    obs.onStart?.({
      script: opts.script,
      scenarios: options.scenarios,
      workers: count,
      planMs,
      vusMax,
      metrics: main.registry.all(),
      thresholds: Object.fromEntries(Object.entries(decls).map(([k, v]) => [k, v.map((d) => d.threshold)])),
    });

    // 4. setup()
    let setupJson: string | undefined;
    if (typeof module.setup === 'function') {
      obs.onPhase?.('setup');
      const vu = main.lifecycleVu(module, '::setup');
      const data = await withTimeout(vu.call('setup', module), options.setupTimeoutMs, 'TT_SETUP_TIMEOUT', 'setup()').catch((err) => {
        throw lifecycleError(err, 'setup');
      });
      setupJson = data === undefined ? undefined : JSON.stringify(data);
      await vu.close();
    }

    // 5. Run.
    obs.onPhase?.('running');
    const testStart = systemClock.now() + 20;
    let aborted: string | undefined;
    let abortReason: string | undefined;
    let fatal: SerializedError | undefined;
    let forceStop: NodeJS.Timeout | undefined;
    let finish: () => void = () => undefined;
    const stopAll = (reason: string) => {
      if (aborted) return;
      aborted = reason;
      for (const w of workers) if (!w.done) w.worker.postMessage({ type: 'stop' });
      // A worker stuck in synchronous user code cannot hear "stop": end it, keep what it reported so far.
      forceStop = setTimeout(() => {
        for (const w of workers) {
          if (w.done) continue;
          w.done = true;
          errors.add(`a worker did not stop within ${FORCE_STOP_MS / 1000}s and was terminated; its last second of metrics is lost`);
          void w.worker.terminate();
        }
        finish();
      }, FORCE_STOP_MS);
      forceStop.unref();
    };
    for (const w of workers) w.worker.postMessage({ type: 'start', testStart, setupJson });
    const onExternal = () => stopAll('interrupt');
    opts.signal?.addEventListener('abort', onExternal, { once: true });
    if (opts.signal?.aborted) onExternal();

    let lastReqs = 0;
    let lastTick = testStart;
    let vusEmitted = false;
    const tick = (final = false) => {
      const now = systemClock.now();
      const vus = workers.reduce((n, w) => n + (w.done ? 0 : w.vusActive), 0);
      const vusInit = workers.reduce((n, w) => n + w.vusInitialized, 0);
      // vus is sampled each second like k6 does; a run shorter than that still reports the VUs it used.
      if (!final || !vusEmitted) {
        const value = final ? workers.reduce((n, w) => n + w.vusPeak, 0) : vus;
        main.emit({ metric: 'vus', time: now, value, tags: options.tags });
        main.emit({ metric: 'vus_max', time: now, value: vusInit, tags: options.tags });
        vusEmitted = true;
      }
      merged.merge(main.flush().delta);
      const elapsedMs = Math.max(0, now - testStart);
      if (!opts.noThresholds && !aborted) {
        const results = evaluateThresholds(merged, decls, { testRunDurationMs: elapsedMs, elapsedMs });
        if (results.some((r) => r.abort)) stopAll('threshold');
      }
      const reqs = merged.hasSamples('http_reqs') ? merged.metricValues('http_reqs', [], elapsedMs).count : 0;
      const dt = Math.max(1, now - lastTick);
      const progressValues = workers.flatMap((w) => Object.values(w.progress));
      obs.onProgress?.({
        elapsedMs,
        planMs,
        vus,
        vusMax: vusInit,
        iterations: workers.reduce((n, w) => n + w.iterations, 0),
        interrupted: workers.reduce((n, w) => n + w.interrupted, 0),
        rps: ((reqs - lastReqs) * 1000) / dt,
        p95: merged.hasSamples('http_req_duration') ? merged.metricValues('http_req_duration', ['p(95)'], elapsedMs)['p(95)'] : undefined,
        errorRate: merged.hasSamples('http_req_failed') ? merged.metricValues('http_req_failed', [], elapsedMs).rate : 0,
        progress: progressValues.length ? progressValues.reduce((a, b) => a + b, 0) / progressValues.length : 0,
      });
      lastReqs = reqs;
      lastTick = now;
    };

    await new Promise<void>((resolve) => {
      const timer = setInterval(() => tick(), TICK_MS);
      const finishIfDone = () => {
        if (workers.every((w) => w.done)) {
          clearInterval(timer);
          clearTimeout(forceStop);
          resolve();
        }
      };
      finish = finishIfDone;
      for (const w of workers) {
        w.worker.on('message', (msg: FromWorker) => {
          switch (msg.type) {
            case 'metrics':
            case 'done':
              merged.merge(msg.flush.delta);
              if (msg.flush.samples && msg.flush.samples.length) obs.onSamples?.(msg.flush.samples);
              w.vusActive = msg.flush.vusActive;
              w.vusPeak = Math.max(w.vusPeak, msg.flush.vusPeak);
              w.vusInitialized = msg.flush.vusInitialized;
              w.iterations = msg.flush.iterationsCompleted;
              w.interrupted = msg.flush.iterationsInterrupted;
              w.progress = msg.flush.progress;
              if (msg.type === 'done') {
                w.done = true;
                finishIfDone();
              }
              break;
            case 'script-error':
              errors.add(msg.message);
              break;
            case 'abort':
              abortReason ??= msg.reason;
              stopAll('script');
              break;
            case 'fatal':
              fatal ??= msg.error;
              w.done = true;
              stopAll('fatal');
              finishIfDone();
              break;
            default:
              break;
          }
        });
        w.worker.on('error', (err) => {
          fatal ??= { code: 'TT_WORKER_FAILED', message: `a load worker crashed: ${err.stack ?? err.message}` };
          w.done = true;
          stopAll('fatal');
          finishIfDone();
        });
        w.worker.on('exit', () => {
          if (w.done) return;
          w.done = true;
          if (!aborted) {
            fatal ??= { code: 'TT_WORKER_FAILED', message: 'a load worker exited unexpectedly' };
            stopAll('fatal');
          }
          finishIfDone();
        });
      }
    });
    opts.signal?.removeEventListener('abort', onExternal);
    const testEnd = systemClock.now();
    tick(true);
    errors.flush();
    if (fatal) throw deserialize(fatal);

    // 6. teardown(data)
    if (typeof module.teardown === 'function') {
      obs.onPhase?.('teardown');
      const vu = main.lifecycleVu(module, '::teardown');
      await withTimeout(vu.call('teardown', module, setupJson === undefined ? undefined : JSON.parse(setupJson)), options.teardownTimeoutMs, 'TT_TEARDOWN_TIMEOUT', 'teardown()').catch((err) => {
        if (err instanceof TelltaleError && err.code === 'TT_TEARDOWN_TIMEOUT') throw err;
        obs.onScriptError?.(`teardown() threw: ${describeScriptError(err)}`, 1);
      });
      await vu.close();
    }
    merged.merge(main.flush().delta);

    // 7. Summary.
    obs.onPhase?.('summary');
    const testRunDurationMs = testEnd - testStart;
    const thresholds = opts.noThresholds ? [] : evaluateThresholds(merged, decls, { testRunDurationMs, elapsedMs: testRunDurationMs, final: true });
    const summary: SummaryData = merged.buildSummaryData({
      registry: main.registry,
      trendStats: options.summaryTrendStats,
      summaryTimeUnit: options.summaryTimeUnit ?? '',
      noColor: options.noColor,
      testRunDurationMs,
      isStdOutTTY: Boolean(opts.isStdOutTTY),
      isStdErrTTY: Boolean(opts.isStdErrTTY),
      thresholdResults: thresholds,
    });
    const report: RunReport = {
      summary,
      timeline: merged.timeline(),
      errors: merged.errors(),
      distributions: distributionsOf(merged),
      endpoints: merged.endpoints(),
      histograms: merged.trendStates(),
      meta: {
        script: opts.script,
        startTime: testStart,
        endTime: testEnd,
        workers: count,
        version: VERSION,
        scenarios: options.scenarios.map((s) => ({ name: s.name, executor: s.executor })),
        aborted,
        ...(abortReason ? { abortReason } : {}),
      },
    };
    let handleSummary: Record<string, unknown> | undefined;
    if (typeof module.handleSummary === 'function') {
      const vu = main.lifecycleVu(module, '');
      try {
        const out = await vu.call('handleSummary', module, structuredClone(summary));
        if (out !== null && typeof out === 'object') handleSummary = out as Record<string, unknown>;
      } catch (err) {
        obs.onScriptError?.(`handleSummary() threw: ${describeScriptError(err)}; the default summary is printed instead`, 1);
      }
      await vu.close();
    }
    const thresholdsOk = thresholds.every((t) => t.ok);
    let exitCode = thresholdsOk ? 0 : 99;
    if (aborted === 'interrupt') exitCode = 105;
    else if (aborted === 'script') exitCode = 108;
    else if (aborted === 'threshold') exitCode = 99;
    const folded = merged.foldedEndpointNames();
    if (folded > 0) {
      obs.onWarning?.(
        `requests had more than ${MAX_ENDPOINTS} distinct names; ${folded} later name${folded === 1 ? ' is' : 's are'} counted as one "other" endpoint in the run record (give requests a name tag, e.g. http.url\`...\`)`,
      );
    }
    return { report, thresholds, thresholdsOk, exitCode, options, handleSummary, scriptOptions: raw };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate().catch(() => undefined)));
    await bundle.dispose().catch(() => undefined);
  }
}

const noHooks = { onScriptError: () => undefined, onTestAbort: () => undefined };

function instanceInit(url: string, entry: string, options: NormalizedOptions, env: Record<string, string>): InstanceInit {
  return { scriptUrl: url, scriptPath: entry, options, segment: { index: 0, count: 1 }, vuIdBase: 0, env, selectors: [], collectSamples: false };
}

function asOptions(value: unknown, file: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TelltaleError('TT_CONFIG_INVALID', '`export const options` must be an object', { file });
  }
  return value as Record<string, unknown>;
}

function validateExports(module: ScriptModule, scenarios: ScenarioConfig[], file: string): void {
  for (const s of scenarios) {
    if (typeof module[s.exec] !== 'function') {
      const what = s.exec === 'default'
        ? 'the script must export a default function (export default async function () { ... })'
        : `scenario "${s.name}" has exec "${s.exec}", but the script exports no function named "${s.exec}"`;
      throw new TelltaleError('TT_SCRIPT_EXPORT', what, { file, field: s.exec === 'default' ? undefined : `scenarios.${s.name}.exec` });
    }
  }
}

function waitReady(w: WorkerState): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: FromWorker) => {
      if (msg.type === 'ready') {
        w.vusInitialized = msg.vusInitialized;
        cleanup();
        resolve();
      } else if (msg.type === 'init-error') {
        cleanup();
        reject(deserialize(msg.error));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new TelltaleError('TT_WORKER_FAILED', `a load worker failed to start: ${err.message}`, { cause: err }));
    };
    const cleanup = () => {
      w.worker.off('message', onMessage);
      w.worker.off('error', onError);
    };
    w.worker.on('message', onMessage);
    w.worker.on('error', onError);
  });
}

function deserialize(e: SerializedError): TelltaleError {
  const code: ErrorCode = e.code in ERROR_CODES ? (e.code as ErrorCode) : 'TT_INTERNAL';
  return new TelltaleError(code, e.message, { file: e.file, line: e.line, column: e.column, exitCode: e.exitCode });
}

function withTimeout<T>(p: Promise<T>, ms: number, code: 'TT_SETUP_TIMEOUT' | 'TT_TEARDOWN_TIMEOUT', what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TelltaleError(code, `${what} did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function lifecycleError(err: unknown, what: string): TelltaleError {
  if (err instanceof TelltaleError && err.code === 'TT_SETUP_TIMEOUT') return err;
  if (err instanceof Error && err.name === 'TestAbort') {
    return new TelltaleError('TT_TEST_ABORTED', `${what}() aborted the test: ${err.message}`);
  }
  const where = userFrame(err);
  const base = initError(err);
  return new TelltaleError('TT_SETUP_FAILED', `${what}() threw: ${describeScriptError(err).split('\n')[0]}`, {
    file: where?.file ?? base.file,
    line: where?.line ?? base.line,
    column: where?.column ?? base.column,
    cause: err,
  });
}

function distributionsOf(merged: MergedResult): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const m of ['http_req_duration', 'http_req_corrected_duration', 'iteration_duration']) {
    if (merged.hasSamples(m)) out[m] = merged.distribution(m);
  }
  return out;
}

/** Folds repeated VU errors so a failing script does not flood the terminal. */
class ErrorLog {
  private readonly counts = new Map<string, number>();
  private readonly observer: RunObserver;
  constructor(observer: RunObserver) {
    this.observer = observer;
  }
  add(message: string): void {
    const n = (this.counts.get(message) ?? 0) + 1;
    this.counts.set(message, n);
    if (this.counts.size > 1000 && n === 1) return;
    if (n <= 3) this.observer.onScriptError?.(message, 1);
  }
  flush(): void {
    for (const [message, n] of this.counts) if (n > 3) this.observer.onScriptError?.(message, n - 3);
  }
}
