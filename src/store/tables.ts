/** The relational tables of the store, as Kysely sees them. Times are epoch milliseconds. */
export interface RunsTable {
  id: string;
  test_name: string;
  started_at: number;
  ended_at: number;
  exit_code: number;
  /** 0 or 1: SQLite has no boolean type */
  thresholds_passed: number;
  git_commit: string | null;
  git_branch: string | null;
  git_pr: string | null;
  ci_provider: string | null;
  script_sha256: string;
  recorded_at: number;
  /** the record without its timeline, histograms and endpoints, as JSON */
  document: string;
  /** the record's timeline, as JSON */
  timeline: string;
}

export interface RunHistogramsTable {
  run_id: string;
  metric_key: string;
  /** a SerializedTrend as JSON */
  data: string;
}

export interface RunEndpointsTable {
  run_id: string;
  /** order in the record (by requests, `other` last) */
  position: number;
  name: string;
  other: number;
  requests: number;
  failed: number;
  /** `{ durations, series }` as JSON */
  data: string;
}

export interface BaselinesTable {
  test_name: string;
  run_id: string;
  set_at: number;
}

export interface Tables {
  runs: RunsTable;
  run_histograms: RunHistogramsTable;
  run_endpoints: RunEndpointsTable;
  baselines: BaselinesTable;
}
