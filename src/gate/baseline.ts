/**
 * Baselines: the run a test's new runs are compared with. One per test name, kept in the store; or, for a gate
 * that works from CI artifacts alone, a run record file.
 */
import { TelltaleError } from '../errors.ts';
import { readRecordFile } from '../runs/files.ts';
import type { RunRecord } from '../runs/schema.ts';
import type { Baseline, RunStore } from '../store/index.ts';

export interface SetBaselineRequest {
  /** a run id or unique id prefix */
  runId?: string;
  /** the newest run of the test that passed (thresholds and exit code 0) */
  lastPassing?: boolean;
  /** with lastPassing: only runs of this git branch */
  branch?: string;
  /** the test; with lastPassing it may be left out when the store holds one test only */
  testName?: string;
}

/** The test a command is about: the one named, or the only one in the store. */
export async function resolveTestName(store: RunStore, testName: string | undefined): Promise<string> {
  if (testName !== undefined) return testName;
  const names = await store.testNames();
  if (names.length === 1) return names[0];
  if (names.length === 0) throw new TelltaleError('TT_RUN_NOT_FOUND', `no runs in ${store.description} yet`);
  throw new TelltaleError('TT_USAGE', `the store holds several tests; name one with --test (${names.map((n) => JSON.stringify(n)).join(', ')})`, { field: '--test' });
}

export async function setBaseline(store: RunStore, req: SetBaselineRequest): Promise<Baseline> {
  if ((req.runId === undefined) === !req.lastPassing) {
    throw new TelltaleError('TT_USAGE', 'baseline set: give either a run id or --last-passing', { field: '--last-passing' });
  }
  if (req.runId !== undefined) {
    if (req.branch !== undefined) throw new TelltaleError('TT_USAGE', 'baseline set: --branch only goes with --last-passing', { field: '--branch' });
    const id = await store.resolveRunId(req.runId);
    if (req.testName !== undefined) {
      const [run] = await store.listRuns({ ids: [id] });
      if (run?.testName !== req.testName) throw new TelltaleError('TT_USAGE', `run ${id} is not a run of test ${JSON.stringify(req.testName)}`, { field: '--test' });
    }
    return store.setBaseline(id);
  }
  const testName = await resolveTestName(store, req.testName);
  const [run] = await store.listRuns({ testName, branch: req.branch, passed: true, limit: 1 });
  if (run === undefined) {
    const on = req.branch !== undefined ? ` on branch ${JSON.stringify(req.branch)}` : '';
    throw new TelltaleError('TT_BASELINE_NOT_FOUND', `no passing run of test ${JSON.stringify(testName)}${on} in ${store.description}`);
  }
  return store.setBaseline(run.id);
}

/** The baseline record of a test: from `--baseline FILE` when given, else the store's baseline for the test. */
export async function loadBaseline(store: RunStore | undefined, testName: string, file?: string): Promise<RunRecord> {
  if (file !== undefined) {
    const record = await readRecordFile(file);
    if (record.testName !== testName) {
      throw new TelltaleError('TT_GATE_MISMATCH', `the baseline is a run of test ${JSON.stringify(record.testName)}, not ${JSON.stringify(testName)}`, { file, field: 'testName' });
    }
    return record;
  }
  if (store === undefined) throw new TelltaleError('TT_BASELINE_NOT_FOUND', `no baseline for test ${JSON.stringify(testName)}: give --baseline FILE or a store`);
  const baseline = await store.getBaseline(testName);
  if (baseline === undefined) {
    throw new TelltaleError('TT_BASELINE_NOT_FOUND', `no baseline is set for test ${JSON.stringify(testName)} in ${store.description} (telltale baseline set)`);
  }
  const record = await store.getRun(baseline.runId);
  if (record === undefined) throw new TelltaleError('TT_RUN_NOT_FOUND', `the baseline run ${baseline.runId} is missing from ${store.description}`);
  return record;
}
