/** The run store: run records and baselines, behind one interface with a SQLite and a PostgreSQL engine. */
import type { CiProvider } from '../runs/environment.ts';
import type { RunRecord } from '../runs/schema.ts';

/** A run as `runs list` shows it: the record's header, without its data. */
export interface RunSummary {
  id: string;
  testName: string;
  /** epoch ms */
  startTime: number;
  endTime: number;
  exitCode: number;
  thresholdsPassed: boolean;
  git: { commit?: string; branch?: string; pr?: string };
  ciProvider: CiProvider | null;
  scriptSha256: string;
  /** when the store received the run (epoch ms) */
  recordedAt: number;
}

export interface Baseline {
  testName: string;
  runId: string;
  /** epoch ms */
  setAt: number;
}

export interface RunFilter {
  /** only these runs */
  ids?: readonly string[];
  testName?: string;
  branch?: string;
  /** only runs whose thresholds passed and that exited 0 (true), or only the others (false) */
  passed?: boolean;
  /** at most this many, newest first (default: all) */
  limit?: number;
}

export interface RunStore {
  /** where the store is, for messages (passwords removed) */
  readonly description: string;
  /**
   * Saves a run with all its data in one transaction. An identical record already stored is left as it is
   * ('unchanged'); a different one with the same id is refused (TT_RUN_EXISTS).
   */
  saveRun(record: RunRecord): Promise<'created' | 'unchanged'>;
  /** The whole record, validated, or undefined. */
  getRun(id: string): Promise<RunRecord | undefined>;
  /** The full id of the one run whose id is or starts with `idOrPrefix` (TT_RUN_NOT_FOUND, TT_RUN_AMBIGUOUS). */
  resolveRunId(idOrPrefix: string): Promise<string>;
  /** Runs newest first (by start time, then id). */
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  /** Distinct test names, sorted. */
  testNames(): Promise<string[]>;
  /** Makes a run the baseline of its test, replacing any previous one. */
  setBaseline(runId: string): Promise<Baseline>;
  getBaseline(testName: string): Promise<Baseline | undefined>;
  /** Every baseline, by test name. */
  listBaselines(): Promise<Baseline[]>;
  close(): Promise<void>;
}
