/**
 * The history the gate estimates run-to-run noise from: the newest passing runs of the test in the store, on
 * the baseline's git branch unless another is named — the runs of the system the baseline stands for.
 */
import type { RunRecord } from '../runs/schema.ts';
import type { RunStore } from '../store/index.ts';

export interface HistorySelection {
  /** at most this many runs (0: no history) */
  runs: number;
  /** only runs of this branch; default: the baseline's branch, or any branch when it has none */
  branch?: string;
}

export const DEFAULT_HISTORY_RUNS = 20;

/** Passing runs of the baseline's test, newest first, without the current run (the baseline may be one). */
export async function loadHistory(store: RunStore, baseline: RunRecord, current: RunRecord, selection: HistorySelection): Promise<RunRecord[]> {
  if (selection.runs <= 0) return [];
  const branch = selection.branch ?? baseline.git.branch;
  const summaries = await store.listRuns({ testName: baseline.testName, branch, passed: true, limit: selection.runs + 1 });
  const out: RunRecord[] = [];
  for (const s of summaries) {
    if (s.id === current.id || out.length >= selection.runs) continue;
    const record = s.id === baseline.id ? baseline : await store.getRun(s.id);
    if (record !== undefined) out.push(record);
  }
  return out;
}
