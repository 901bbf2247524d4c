/**
 * One engine instance: the part of a test that one worker thread runs. It loads the script once per VU,
 * runs its share (segment) of every scenario through the executors, and accumulates metrics that the
 * coordinator collects with flush().
 */
import path from 'node:path';
import { systemClock, type Clock } from './clock.ts';
import type { NormalizedOptions, ScenarioConfig, Segment, ExecutorContext } from './types.ts';
import type { Sample, SubmetricSelector } from '../metrics/types.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { Aggregator, type AggregateDelta } from '../metrics/aggregator.ts';
import { installRuntime, type Runtime, type ScenarioState } from './runtime/context.ts';
import { Vu, type ScriptModule } from './vu.ts';
import { createExecutor } from './executors/index.ts';
import { plannedVusOf } from './options.ts';
import { httpDefaultsFrom } from './http-defaults.ts';
import { importScript } from './script/load.ts';

export interface InstanceInit {
  scriptUrl: string;
  scriptPath: string;
  options: NormalizedOptions;
  segment: Segment;
  /** Global VU ids of this instance start after this number. */
  vuIdBase: number;
  env: Record<string, string>;
  selectors: SubmetricSelector[];
  /** Keep every sample for outputs that need them (--out json/csv). */
  collectSamples: boolean;
}

export interface InstanceHooks {
  /** A VU iteration threw. `message` names the user's file and line. */
  onScriptError(err: unknown, vuId: number, scenario: string): void;
  /** The script called exec.test.abort(). */
  onTestAbort(reason: string): void;
}

export interface InstanceFlush {
  delta: AggregateDelta;
  samples?: Sample[];
  vusActive: number;
  /** most VUs active at once since the previous flush */
  vusPeak: number;
  vusInitialized: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  /** progress 0..1 of each scenario in this instance */
  progress: Record<string, number>;
}

interface ScenarioRun {
  config: ScenarioConfig;
  state: ScenarioState;
  /** The VUs the scenario's executor holds now. */
  assigned: Set<Vu>;
  active: number;
  progress: () => number;
}

export class Instance {
  readonly registry = new MetricRegistry();
  private readonly aggregator: Aggregator;
  private readonly runtime: Runtime;
  private readonly clock: Clock;
  private samples: Sample[] = [];
  /** Every VU of this instance; `free` are those no scenario holds. */
  private readonly vus: Vu[] = [];
  private readonly free: Vu[] = [];
  private readonly scenarios = new Map<string, ScenarioRun>();
  private readonly stopController = new AbortController();
  private nextIdInInstance = 1;
  private vusPeak = 0;
  private setupJson: string | undefined;
  private readonly init: InstanceInit;
  private readonly hooks: InstanceHooks;

  constructor(init: InstanceInit, hooks: InstanceHooks, clock: Clock = systemClock) {
    this.init = init;
    this.hooks = hooks;
    this.clock = clock;
    this.aggregator = new Aggregator(this.registry, init.selectors);
    const agg = this.aggregator;
    const emit = init.collectSamples
      ? (s: Sample) => {
          agg.add(s);
          this.samples.push(s);
        }
      : (s: Sample) => agg.add(s);
    this.runtime = {
      registry: this.registry,
      clock,
      options: init.options,
      env: init.env,
      scriptDir: path.dirname(init.scriptPath),
      httpDefaults: httpDefaultsFrom(init.options),
      instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, testStart: 0 },
      segment: init.segment,
      emit,
      // Samples kept for outputs (--out) are Sample objects, so the per-request shortcut is only for the aggregator.
      emitRequest: init.collectSamples ? undefined : (r) => agg.addRequest(r),
      abortTest: (reason) => hooks.onTestAbort(reason),
      fileCache: new Map(),
      initPhase: false,
      initResponseCallback: undefined,
    };
    installRuntime(this.runtime);
  }

  /** Loads the script for every pre-allocated VU. */
  async initialize(): Promise<{ vusInitialized: number }> {
    for (const config of this.init.options.scenarios) {
      const run: ScenarioRun = {
        config,
        state: {
          name: config.name,
          executor: config.executor,
          startTime: 0,
          env: { ...this.init.env, ...config.env },
          tags: config.tags,
          iterationsStarted: 0,
          progress: () => run.progress(),
        },
        assigned: new Set(),
        active: 0,
        progress: () => 0,
      };
      this.scenarios.set(config.name, run);
    }
    const n = plannedVusOf(this.init.options.scenarios, this.init.segment);
    for (let i = 0; i < n; i++) this.free.push(await this.newVu());
    return { vusInitialized: this.runtime.instance.vusInitialized };
  }

  /** A new VU, not yet in any scenario. */
  private async newVu(): Promise<Vu> {
    const idInInstance = this.nextIdInInstance++;
    const module: ScriptModule = await importScript(this.init.scriptUrl, `vu${idInInstance}`, this.runtime);
    const vu = new Vu({
      id: this.init.vuIdBase + idInInstance,
      idInInstance,
      module,
      runtime: this.runtime,
      scenario: undefined,
      exec: undefined,
      setupJson: this.setupJson,
      onError: (err, v) => this.hooks.onScriptError(err, v.id, v.state.scenario?.name ?? ''),
    });
    this.vus.push(vu);
    this.runtime.instance.vusInitialized++;
    return vu;
  }

  /** Loads one more instance of the script (for reading options, setup, teardown, handleSummary). */
  loadModule(key: string): Promise<ScriptModule> {
    return importScript(this.init.scriptUrl, key, this.runtime);
  }

  /** A VU (id 0, no scenario) for setup/teardown/handleSummary; samples it emits carry `group`. */
  lifecycleVu(module: ScriptModule, groupPath: string): Vu {
    const vu = new Vu({
      id: 0,
      idInInstance: 0,
      module,
      runtime: this.runtime,
      scenario: undefined,
      exec: undefined,
      setupJson: undefined,
      onError: () => undefined,
    });
    vu.state.groupPath = groupPath;
    return vu;
  }

  /** Records a sample from the coordinator itself (vus, vus_max). */
  emit(sample: Sample): void {
    this.runtime.emit(sample);
  }

  /** Runs every scenario's share from `testStart` (epoch ms) until all are done or stop() is called. */
  async run(testStart: number, setupJson: string | undefined): Promise<void> {
    this.setupJson = setupJson;
    this.runtime.instance.testStart = testStart;
    const runs: Promise<void>[] = [];
    // VUs created before setup() ran need its data too.
    for (const vu of this.vus) vu.setData(setupJson);
    for (const run of this.scenarios.values()) {
      run.state.startTime = testStart + run.config.startTimeMs;
      const ctx = this.executorContext(run);
      const executor = createExecutor(run.config, ctx);
      run.progress = () => executor.progress();
      runs.push(executor.run());
    }
    await Promise.all(runs);
  }

  private executorContext(run: ScenarioRun): ExecutorContext {
    const rt = this.runtime;
    const scenarioTags = () => {
      const t: Record<string, string> = { ...rt.options.tags, ...run.config.tags };
      if (rt.options.systemTags.includes('scenario')) t.scenario = run.config.name;
      return Object.freeze(t);
    };
    let droppedTags: Readonly<Record<string, string>> | undefined;
    return {
      clock: this.clock,
      segment: this.init.segment,
      startTime: run.state.startTime,
      signal: this.stopController.signal,
      // VUs go back to the instance's pool when a scenario is done with them, for scenarios that start later.
      acquireVu: async () => {
        const vu = this.free.pop() ?? (await this.newVu());
        vu.assign(run.state, run.config.exec);
        run.assigned.add(vu);
        return vu;
      },
      releaseVu: (vu) => {
        if (run.assigned.delete(vu as Vu)) this.free.push(vu as Vu);
      },
      droppedIteration: (time, count) => {
        droppedTags ??= scenarioTags();
        rt.emit({ metric: 'dropped_iterations', time, value: count ?? 1, tags: droppedTags });
      },
      activeVusChanged: (n) => {
        rt.instance.vusActive += n - run.active;
        run.active = n;
        if (rt.instance.vusActive > this.vusPeak) this.vusPeak = rt.instance.vusActive;
      },
      interruptVus: () => {
        for (const vu of run.assigned) vu.interrupt();
      },
    };
  }

  /** Stops everything at once: executors end, running iterations are interrupted. */
  stop(): void {
    this.stopController.abort();
    for (const vu of this.vus) vu.interrupt();
  }

  flush(): InstanceFlush {
    const samples = this.init.collectSamples ? this.samples : undefined;
    if (samples) this.samples = [];
    const progress: Record<string, number> = {};
    for (const [name, run] of this.scenarios) progress[name] = run.progress();
    return {
      delta: this.aggregator.flush(),
      samples,
      vusActive: this.runtime.instance.vusActive,
      vusPeak: this.takePeak(),
      vusInitialized: this.runtime.instance.vusInitialized,
      iterationsCompleted: this.runtime.instance.iterationsCompleted,
      iterationsInterrupted: this.runtime.instance.iterationsInterrupted,
      progress,
    };
  }

  private takePeak(): number {
    const peak = this.vusPeak;
    this.vusPeak = this.runtime.instance.vusActive;
    return peak;
  }

  async close(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const vu of this.vus) all.push(vu.close());
    await Promise.allSettled(all);
  }
}
