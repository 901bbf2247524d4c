/**
 * A virtual user: one instance of the user's script module (its own globals, as in k6) running one
 * iteration at a time inside its AsyncLocalStorage context.
 */
import { AsyncResource } from 'node:async_hooks';
import type { ExecutorVu, IterationResult } from './types.ts';
import { vuStorage, vuTags, type Runtime, type ScenarioState, type VuState } from './runtime/context.ts';
import { VuHttp } from './http/index.ts';

const noop = () => undefined;

/** Kinds of warning this thread has shown: each is shown once, not for every request of every VU. */
const warned = new Set<string>();

function warnOnce(message: string, kind: string): void {
  if (warned.has(kind) || warned.size >= 100) return;
  warned.add(kind);
  console.warn(`WARN ${message}`);
}

export type ScriptModule = Record<string, unknown>;

export interface VuInit {
  id: number;
  idInInstance: number;
  module: ScriptModule;
  runtime: Runtime;
  scenario: ScenarioState | undefined;
  /** Name of the exported function each iteration calls (none for the setup/teardown VU). */
  exec: string | undefined;
  /** setup() data as JSON; each VU parses its own copy, as k6 does. */
  setupJson: string | undefined;
  onError(err: unknown, vu: Vu): void;
}

export class Vu implements ExecutorVu {
  readonly id: number;
  readonly state: VuState;
  private readonly rt: Runtime;
  private readonly module: ScriptModule;
  private fn: (data: unknown) => unknown;
  private data: unknown;
  private readonly onError: (err: unknown, vu: Vu) => void;
  private controller = new AbortController();
  /**
   * The VU's async context, captured once: entering it per iteration swaps in a ready-made frame, where
   * `vuStorage.run()` would build a new one every time.
   */
  private readonly scope: AsyncResource;
  private running = false;
  private iterations = 0;

  constructor(init: VuInit) {
    this.id = init.id;
    this.rt = init.runtime;
    this.module = init.module;
    this.fn = this.exported(init.exec);
    this.data = init.setupJson === undefined ? undefined : JSON.parse(init.setupJson);
    this.onError = init.onError;
    const http = new VuHttp(init.runtime.httpDefaults);
    // The VU's own module instance was just imported: its init code may have set a response callback.
    if (init.runtime.initResponseCallback !== undefined) http.setResponseCallback(init.runtime.initResponseCallback);
    const rt = this.rt;
    this.state = {
      id: init.id,
      idInInstance: init.idInInstance,
      scenario: init.scenario,
      iteration: 0,
      iterationInInstance: 0,
      iterationInTest: 0,
      groupPath: '',
      vuTags: {},
      cachedTags: undefined,
      http,
      signal: this.controller.signal,
      request: {
        baseTags: {},
        emit: (s) => rt.emit(s),
        emitRequest: rt.emitRequest,
        now: () => rt.clock.now(),
        signal: undefined,
        startDelayMs: undefined,
        warn: warnOnce,
      },
    };
    this.scope = vuStorage.run(this.state, () => new AsyncResource('telltale.vu'));
  }

  private exported(exec: string | undefined): (data: unknown) => unknown {
    const fn = exec === undefined ? undefined : this.module[exec];
    if (exec !== undefined && typeof fn !== 'function') throw new Error(`exported function "${exec}" not found`);
    return (fn ?? noop) as (data: unknown) => unknown;
  }

  /**
   * Puts the VU to work for a scenario. As in k6, a VU moves between scenarios that do not overlap, keeping its
   * module instance (its globals) and its id; its iteration count in the scenario starts again from 0.
   */
  assign(scenario: ScenarioState, exec: string | undefined): void {
    if (this.state.scenario === scenario) return;
    this.fn = this.exported(exec);
    this.state.scenario = scenario;
    this.state.cachedTags = undefined;
    this.iterations = 0;
  }

  enter<T>(fn: () => T): T {
    return this.scope.runInAsyncScope(fn);
  }

  /** Gives the VU its own copy of setup()'s data. */
  setData(setupJson: string | undefined): void {
    this.data = setupJson === undefined ? undefined : JSON.parse(setupJson);
  }

  get busy(): boolean {
    return this.running;
  }

  /** Stops the running iteration at once (sleep and requests reject); the next iteration gets a fresh signal. */
  interrupt(): void {
    if (this.running) this.controller.abort();
  }

  async runIteration(intendedStart?: number, stop?: AbortSignal): Promise<IterationResult> {
    if (stop) {
      if (stop.aborted) return { ok: false };
      const onStop = () => this.interrupt();
      stop.addEventListener('abort', onStop, { once: true });
      try {
        return await this.iterate(intendedStart);
      } finally {
        stop.removeEventListener('abort', onStop);
      }
    }
    return this.iterate(intendedStart);
  }

  private async iterate(intendedStart: number | undefined): Promise<IterationResult> {
    const st = this.state;
    const rt = this.rt;
    if (this.controller.signal.aborted) {
      this.controller = new AbortController();
      st.signal = this.controller.signal;
    }
    const signal = st.signal;
    const start = rt.clock.now();
    st.request.startDelayMs = intendedStart === undefined ? undefined : Math.max(0, start - intendedStart);
    st.iteration = this.iterations++;
    st.iterationInInstance++;
    if (st.scenario) {
      st.iterationInTest = st.scenario.iterationsStarted * rt.segment.count + rt.segment.index;
      st.scenario.iterationsStarted++;
    }
    // The cached tags stay valid from one iteration to the next (and keep the HTTP client's tag memo hitting)
    // unless an interrupted group() left its path behind.
    if (st.groupPath !== '') {
      st.groupPath = '';
      st.cachedTags = undefined;
    }
    if (!rt.options.noCookiesReset) st.http.resetCookies();
    this.running = true;
    let ok = true;
    try {
      await (vuStorage.getStore() === st ? this.fn(this.data) : this.scope.runInAsyncScope(this.fn, undefined, this.data));
    } catch (err) {
      if (signal.aborted) {
        rt.instance.iterationsInterrupted++;
        return { ok: false };
      }
      ok = false;
      this.onError(err, this);
    } finally {
      this.running = false;
    }
    if (signal.aborted) {
      rt.instance.iterationsInterrupted++;
      return { ok: false };
    }
    const end = rt.clock.now();
    if (st.groupPath !== '') {
      st.groupPath = '';
      st.cachedTags = undefined;
    }
    const tags = vuTags(st);
    rt.emit({ metric: 'iteration_duration', time: end, value: end - start, tags });
    rt.emit({ metric: 'iterations', time: end, value: 1, tags });
    rt.instance.iterationsCompleted++;
    return { ok };
  }

  /** Runs a lifecycle function (setup/teardown/handleSummary) in this VU's context. */
  async call(fnName: string, module: ScriptModule, arg?: unknown): Promise<unknown> {
    const fn = module[fnName];
    if (typeof fn !== 'function') return undefined;
    const groupPath = this.state.groupPath;
    try {
      return await this.scope.runInAsyncScope(fn as (a: unknown) => unknown, undefined, arg);
    } finally {
      this.state.groupPath = groupPath;
      this.state.cachedTags = undefined;
    }
  }

  close(): Promise<void> {
    return this.state.http.close();
  }
}
