/** The `k6/execution` module: information about the running test, scenario and VU; test.abort(). */
import { getRuntime, requireVu, currentVu, type VuState } from './context.ts';

class TestAbort extends Error {
  constructor(reason: string) {
    super(reason ? `test aborted: ${reason}` : 'test aborted');
    this.name = 'TestAbort';
  }
}

function tagsProxy(vu: VuState): Record<string, string> {
  return new Proxy(vu.vuTags, {
    set(target, key, value) {
      if (typeof key !== 'string') return false;
      if (value !== null && typeof value === 'object') throw new Error(`exec.vu.tags.${key}: tag values must be strings, numbers or booleans`);
      target[key] = String(value);
      vu.cachedTags = undefined;
      return true;
    },
    deleteProperty(target, key) {
      if (typeof key !== 'string') return false;
      delete target[key];
      vu.cachedTags = undefined;
      return true;
    },
  });
}

const instance = {
  get iterationsCompleted() {
    return getRuntime().instance.iterationsCompleted;
  },
  get iterationsInterrupted() {
    return getRuntime().instance.iterationsInterrupted;
  },
  get vusActive() {
    return getRuntime().instance.vusActive;
  },
  get vusInitialized() {
    return getRuntime().instance.vusInitialized;
  },
  get currentTestRunDuration() {
    const rt = getRuntime();
    return rt.instance.testStart ? rt.clock.now() - rt.instance.testStart : 0;
  },
};

function scenarioOf(what: string) {
  const vu = requireVu(`exec.scenario.${what}`);
  if (!vu.scenario) throw new Error(`exec.scenario.${what} is not available outside a scenario (setup/teardown)`);
  return { vu, scenario: vu.scenario };
}

const scenario = {
  get name() {
    return scenarioOf('name').scenario.name;
  },
  get executor() {
    return scenarioOf('executor').scenario.executor;
  },
  /** Whole epoch milliseconds, as k6 gives it (the engine's clock has sub-millisecond resolution). */
  get startTime() {
    return Math.floor(scenarioOf('startTime').scenario.startTime);
  },
  get progress() {
    return scenarioOf('progress').scenario.progress();
  },
  get iterationInInstance() {
    return scenarioOf('iterationInInstance').scenario.iterationsStarted - 1;
  },
  get iterationInTest() {
    return scenarioOf('iterationInTest').vu.iterationInTest;
  },
};

const vu = {
  get idInInstance() {
    return requireVu('exec.vu.idInInstance').idInInstance;
  },
  get idInTest() {
    return requireVu('exec.vu.idInTest').id;
  },
  get iterationInInstance() {
    return requireVu('exec.vu.iterationInInstance').iterationInInstance;
  },
  get iterationInScenario() {
    return requireVu('exec.vu.iterationInScenario').iteration;
  },
  get tags() {
    return tagsProxy(requireVu('exec.vu.tags'));
  },
  set tags(_v: unknown) {
    throw new Error('exec.vu.tags cannot be replaced; set individual tags: exec.vu.tags.name = "value"');
  },
  get metrics() {
    const state = requireVu('exec.vu.metrics');
    return { tags: tagsProxy(state), metadata: {} };
  },
};

const test = {
  abort(reason = ''): never {
    const rt = getRuntime();
    rt.abortTest(String(reason));
    const err = new TestAbort(String(reason));
    // Abort the running iteration too: the VU must not go on after asking to stop the test.
    const state = currentVu();
    if (state) (state as { aborting?: boolean }).aborting = true;
    throw err;
  },
  /** The consolidated options, with scenarios keyed by name as k6 presents them. */
  get options() {
    const o = getRuntime().options;
    return { ...o, thresholds: o.thresholdsRaw ?? {}, scenarios: Object.fromEntries(o.scenarios.map((s) => [s.name, s])) };
  },
};

const exec = { instance, scenario, vu, test };
export { instance, scenario, vu, test, TestAbort };
export default exec;
