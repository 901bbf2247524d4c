/**
 * The link between script modules (`k6`, `k6/http`, ...) and the engine. A worker thread installs one
 * Runtime; each VU iteration runs inside `vuStorage.run(state, ...)`, so module functions find the calling
 * VU even though many VUs interleave on one event loop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../clock.ts';
import type { MetricRegistry } from '../../metrics/registry.ts';
import type { RequestSamples, Sample, Tags } from '../../metrics/types.ts';
import type { NormalizedOptions } from '../types.ts';
import type { VuHttp, RequestContext, HttpDefaults, ExpectedStatuses } from '../http/index.ts';

export interface ScenarioState {
  readonly name: string;
  readonly executor: string;
  /** epoch ms */
  startTime: number;
  readonly env: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** iterations started in this scenario by this worker */
  iterationsStarted: number;
  progress(): number;
}

export interface InstanceCounters {
  iterationsCompleted: number;
  iterationsInterrupted: number;
  vusActive: number;
  vusInitialized: number;
  /** epoch ms when the test started (0 before) */
  testStart: number;
}

export interface Runtime {
  readonly registry: MetricRegistry;
  readonly clock: Clock;
  readonly options: NormalizedOptions;
  /** Global environment: `-e` flags (and the system environment when asked). */
  readonly env: Readonly<Record<string, string>>;
  readonly scriptDir: string;
  readonly httpDefaults: HttpDefaults;
  readonly instance: InstanceCounters;
  /** This worker's share of the test (index of count). */
  readonly segment: { readonly index: number; readonly count: number };
  emit(sample: Sample): void;
  /** The samples of one HTTP request at once; undefined when every sample must go through `emit`. */
  readonly emitRequest: ((r: RequestSamples) => void) | undefined;
  /** exec.test.abort(): stop the whole test. */
  abortTest(reason: string): void;
  /** Files read by open() are cached per worker: k6 reads them once per VU, the content is the same. */
  readonly fileCache: Map<string, string | ArrayBuffer>;
  /** True while the script's init code runs (open() and metric creation are allowed only then). */
  initPhase: boolean;
  /** http.setResponseCallback() called by the init code of the VU being created; undefined if not called. */
  initResponseCallback: ExpectedStatuses | null | undefined;
}

export interface VuState {
  readonly id: number;
  readonly idInInstance: number;
  scenario: ScenarioState | undefined;
  /** __ITER: iterations of this VU in the current scenario */
  iteration: number;
  /** iterations of this VU across scenarios */
  iterationInInstance: number;
  /** the scenario-wide index of the running iteration (unique across workers) */
  iterationInTest: number;
  /** k6 group path: '' at root, '::outer::inner' nested */
  groupPath: string;
  /** exec.vu.tags — user-set tags added to every sample of this VU */
  readonly vuTags: Record<string, string>;
  /** Cached tags every sample of the VU carries (test tags, scenario, group, VU tags). Reset to undefined on change. */
  cachedTags: Tags | undefined;
  readonly http: VuHttp;
  /** Aborts when the current iteration must stop at once. */
  signal: AbortSignal;
  /** Reused per-request context object handed to the HTTP client. */
  readonly request: RequestContext;
}

let runtime: Runtime | undefined;

export const vuStorage = new AsyncLocalStorage<VuState>();

export function installRuntime(rt: Runtime): void {
  runtime = rt;
}

export function getRuntime(): Runtime {
  if (!runtime) throw new Error('Telltale script modules can only be used inside a test run');
  return runtime;
}

/** The calling VU, or undefined in the init context. */
export function currentVu(): VuState | undefined {
  return vuStorage.getStore();
}

export function requireVu(what: string): VuState {
  const vu = vuStorage.getStore();
  if (!vu) throw new Error(`${what} can only be called from a VU function (default, exec, setup, teardown), not in the init context`);
  return vu;
}

/** The tags every sample of this VU carries right now. */
export function vuTags(vu: VuState): Tags {
  if (vu.cachedTags) return vu.cachedTags;
  const rt = getRuntime();
  const tags: Record<string, string> = { ...rt.options.tags };
  if (vu.scenario) {
    Object.assign(tags, vu.scenario.tags);
    if (rt.options.systemTags.includes('scenario')) tags.scenario = vu.scenario.name;
  }
  if (rt.options.systemTags.includes('group')) tags.group = vu.groupPath;
  Object.assign(tags, vu.vuTags);
  vu.cachedTags = Object.freeze(tags);
  return vu.cachedTags;
}
